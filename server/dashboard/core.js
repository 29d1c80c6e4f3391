// Jejak web app — the shared core: session (the token the user pastes, kept in
// sessionStorage only), the API client, the hash router and role navigation, formatting
// and DOM helpers. Page modules (bupati.js, officer.js, import.js, auditor.js, proof.js)
// register their routes with route(). Money arrives as decimal strings and is shown exactly
// from those strings (never through floating point); numbers only size chart marks.
'use strict';

export const TOKEN_KEY = 'jejak.token';
export const YEAR_KEY = 'jejak.year';
export const SVG_NS = 'http://www.w3.org/2000/svg';
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];
export const RULES = [
  ['OVER_PAGU', 'Realisasi melampaui pagu'],
  ['SPLIT_PACKAGE', 'Indikasi pemecahan paket'],
  ['DUPLICATE_PAYMENT', 'Indikasi pembayaran ganda'],
  ['CASH_PAYMENT', 'Pembayaran tunai'],
  ['TAX_NOT_DEPOSITED', 'Pajak dipungut belum/terlambat disetor'],
  ['TAX_NOT_COLLECTED', 'PPN/PPh 22 tidak dipungut'],
  ['OUTSIDE_FISCAL_YEAR', 'Berindikasi di luar tahun anggaran'],
  ['PAYMENT_BEFORE_EVIDENCE', 'Dibayar sebelum tanggal bukti'],
  ['LATE_RECORDING', 'Dicatat setelah batas LPJ'],
  ['REVERSAL_HEAVY', 'Sinyal pengendalian intern: koreksi berulang'],
  ['BANK_DEBIT_WITHOUT_ENTRY', 'Kas keluar tanpa SP2D/pencatatan'],
  ['ENTRY_WITHOUT_BANK_DEBIT', 'Pembayaran tercatat tanpa mutasi bank'],
  ['AMOUNT_MISMATCH', 'Selisih nilai dengan rekening koran'],
  ['STATEMENT_GAP', 'Rekening koran terputus atau saldo tidak bersambung'],
  ['CASH_WITHDRAWAL', 'Penarikan tunai dari rekening bendahara'],
];
export const RULE_LABEL = Object.fromEntries(RULES);
export const INSTRUMENTS = {
  cms_transfer: 'Transfer CMS',
  sp2d_ls: 'SP2D-LS',
  kkpd: 'KKPD',
  qris: 'QRIS',
  cash: 'Tunai',
};
export const ROLE_LABEL = {
  executive: 'Kantor Bupati',
  auditor: 'Auditor BPK',
  officer: 'Bendahara OPD',
  admin: 'Administrator BPKAD',
};

export const $ = (id) => document.getElementById(id);

// What every page may read: the session and the chosen fiscal year. Pages keep their own
// data in their own modules.
export const session = {
  token: null,
  claims: null,  // The token's payload as the page decoded it: role, sub, opd. The server decides.
  year: null,
  region: null,
  defaultYear: null,
};

// ---- Formatting ------------------------------------------------------------------------

// "1234567.89" -> "Rp 1.234.567,89", exactly, from the string.
export function rupiah(text) {
  if (text === null || text === undefined || text === '') return '—';
  let s = String(text);
  let sign = '';
  if (s[0] === '-') { sign = '−'; s = s.slice(1); }  // U+2212, a real minus sign.
  const dot = s.indexOf('.');
  let whole = dot < 0 ? s : s.slice(0, dot);
  let fraction = dot < 0 ? '' : s.slice(dot + 1);
  fraction = (fraction + '00').slice(0, 2);
  whole = whole.replace(/^0+(?=\d)/, '') || '0';
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return sign + 'Rp ' + whole + ',' + fraction;
}

// "45.67" -> "45,67%"; null -> "—".
export function percent(text) {
  if (text === null || text === undefined) return '—';
  return String(text).replace('-', '\u2212').replace('.', ',') + '%';
}

export function integer(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

// Compact axis label: 1.5e9 -> "Rp 1,5 M". Only for chart axes, never for totals.
export function compactRupiah(value) {
  const units = [[1e12, 'T'], [1e9, 'M'], [1e6, 'jt'], [1e3, 'rb']];
  for (const [size, unit] of units) {
    if (Math.abs(value) >= size) {
      const n = value / size;
      return (n < 0 ? '\u2212' : '') + 'Rp ' + Math.abs(n).toLocaleString('id-ID', { maximumFractionDigits: Math.abs(n) < 10 ? 1 : 0 }) + ' ' + unit;
    }
  }
  return (value < 0 ? '\u2212' : '') + 'Rp ' + Math.abs(Math.round(value)).toLocaleString('id-ID');
}

export function num(text) {
  if (text === null || text === undefined) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

const dateTimeFormat = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  second: '2-digit', timeZone: 'Asia/Jakarta',
});
const dateFormat = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
});

export function dateTime(rfc3339) {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return dateTimeFormat.format(d) + ' WIB';
}

export function date(ymd) {
  if (!ymd) return '—';
  const d = new Date(ymd + 'T00:00:00Z');
  if (Number.isNaN(d.getTime())) return ymd;
  return dateFormat.format(d);
}

// ---- DOM helpers -----------------------------------------------------------------------

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === 'text') el.textContent = value;
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function section(id, title, subtitle, ...body) {
  return h('section', { class: 'panel', id, 'aria-labelledby': id + '-title' },
    h('div', { class: 'panel-head' },
      h('h2', { id: id + '-title', text: title }),
      subtitle ? h('p', { class: 'panel-sub', text: subtitle }) : null),
    ...body);
}

export function setStatus(text) { $('status').textContent = text || ''; }

// ---- API -------------------------------------------------------------------------------

// A failed request: `status` (0 when the server did not answer), the problem's `detail`
// or `title`, its field `errors` ([{field, message}]) and the whole problem `body`.
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail || ('HTTP ' + status));
    this.status = status;
    this.body = body && typeof body === 'object' ? body : null;
    this.errors = this.body && Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}

// Calls the API with the session's token and Accept-Language: id (the server answers
// validation messages in Indonesian). options: method, body (an object is sent as JSON;
// a Blob, ArrayBuffer or string as is, with options.type), headers, timeout (ms),
// raw (answer the Response's Blob instead of parsing it). Answers the parsed JSON, or the
// text of a text answer; throws ApiError.
export async function api(path, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout || 20000);
  const headers = {
    Authorization: 'Bearer ' + session.token,
    Accept: 'application/json, text/plain',
    'Accept-Language': 'id, en;q=0.5',
    ...(options.headers || {}),
  };
  let body = options.body;
  if (body !== undefined && body !== null && !(body instanceof Blob) && !(body instanceof ArrayBuffer) &&
      typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  } else if (options.type) {
    headers['Content-Type'] = options.type;
  }
  try {
    const response = await fetch(path, {
      method: options.method || 'GET',
      headers,
      body,
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    });
    const type = response.headers.get('Content-Type') || '';
    if (response.ok && options.raw === 'file') return { blob: await response.blob(), name: attachmentName(response) };
    if (response.ok && options.raw) return await response.blob();
    const parsed = type.includes('json') ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      const detail = parsed && typeof parsed === 'object' ? (parsed.detail || parsed.title) : null;
      throw new ApiError(response.status, detail, parsed);
    }
    return parsed;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, error.name === 'AbortError' ? 'server tidak menjawab' : 'server tidak dapat dihubungi');
  } finally {
    clearTimeout(timer);
  }
}

// The file name a response's Content-Disposition gives (`attachment; filename="x"`), or null.
function attachmentName(response) {
  const m = /filename="([^"\/]+)"/.exec(response.headers.get('Content-Disposition') || '');
  return m ? m[1] : null;
}

// Offers `blob` to the user as a file named `name`.
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function isEmptyYear(absorption) {
  return !absorption || !absorption.opds || absorption.opds.length === 0 ||
    (absorption.total && absorption.total.pagu === '0.00' && absorption.total.realisation === '0.00');
}

// The latest checkpoint and the latest verification; falls back to the public checkpoint
// note on a server without GET /v1/integrity.
export async function fetchIntegrity() {
  try {
    return await api('/v1/integrity');
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const note = await api('/v1/checkpoint');
  const lines = String(note).split('\n');
  const time = lines.find((line) => line.startsWith('time '));
  let rootHex = null;
  try {
    rootHex = Array.from(atob(lines[2] || ''), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  } catch (_) { rootHex = null; }
  return {
    origin: lines[0],
    tree_size: Number(lines[1]),
    root_hash: rootHex,
    checkpoint_time: time ? time.slice(5) : null,
    verification: null,
  };
}

// ---- Router ----------------------------------------------------------------------------

// Routes are hash paths ("#/opd/:code"); a route serves the roles it names. The same path
// may be registered once per role (each role's home is "#/").
const routes = [];
let renderId = 0;

// Registers a page. spec: { roles: [...], title, nav (menu label, or null), render(view,
// params) (async; draws into `view`, an empty element) }.
export function route(path, spec) {
  const names = [];
  const pattern = new RegExp('^' + path.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  }) + '$');
  routes.push({ path, pattern, names, ...spec });
}

// Goes to `hash` ("#/entri/12"); the page is drawn by the hashchange handler.
export function navigate(hash) {
  if (location.hash === hash) refresh();
  else location.hash = hash;
}

// True while `id` (from currentRender()) is still the page on screen: an async page stops
// drawing once the user has moved on.
export function stillCurrent(id) { return id === renderId; }
export function currentRender() { return renderId; }

function findRoute(hash) {
  const path = (hash || '#/').split('?')[0] || '#/';
  const role = session.claims && session.claims.role;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (r.roles && !r.roles.includes(role)) continue;
    const params = {};
    r.names.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
    const query = new URLSearchParams((hash || '').split('?')[1] || '');
    return { route: r, params, query };
  }
  return null;
}

function renderNav(active) {
  const role = session.claims && session.claims.role;
  const nav = $('nav');
  const serving = new Set();  // The first route of each path for this role: the one findRoute picks.
  const seen = new Set();
  for (const r of routes) {
    if ((r.roles && !r.roles.includes(role)) || seen.has(r.path)) continue;
    seen.add(r.path);
    serving.add(r);
  }
  nav.replaceChildren(...routes
    .filter((r) => r.nav && serving.has(r))
    .map((r) => h('a', {
      href: r.path, class: 'nav-link' + (active === r ? ' active' : ''),
      'aria-current': active === r ? 'page' : null, 'data-testid': 'nav-' + r.path.slice(2).replace(/\//g, '-'),
      text: r.nav,
    })));
  nav.hidden = nav.childElementCount === 0;
}

// Draws the page of the current hash into the view.
export async function refresh() {
  if (!session.token) return;
  const id = ++renderId;
  const found = findRoute(location.hash);
  const view = $('dashboard');
  view.replaceChildren();
  view.hidden = false;
  renderNav(found && found.route);
  if (!found) {
    view.append(h('section', { class: 'panel' },
      h('h1', { text: 'Halaman tidak ditemukan' }),
      h('p', {}, 'Halaman ini tidak ada atau tidak tersedia untuk peran Anda. ',
        h('a', { href: '#/', text: 'Kembali ke beranda' }))));
    return;
  }
  document.title = 'Jejak — ' + found.route.title;
  try {
    await found.route.render(view, found.params, found.query, id);
  } catch (error) {
    if (!stillCurrent(id)) return;
    if (error.status === 401) { signOut(authMessage(error)); return; }
    view.replaceChildren(h('section', { class: 'panel' },
      h('h1', { text: found.route.title }),
      h('p', { class: 'error', role: 'alert', 'data-testid': 'page-error' }, 'Gagal memuat: ' + error.message + '.')));
  }
}

// ---- Session ---------------------------------------------------------------------------

// The payload of a JWT, decoded only to choose pages; null when it is not one.
export function tokenClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const text = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(text);
    return claims && typeof claims === 'object' ? claims : null;
  } catch (_) {
    return null;
  }
}

export function authMessage(error) {
  if (error.status === 401) return 'Token tidak sah atau sudah kedaluwarsa. Minta token baru kepada BPKAD.';
  if (error.status === 403) return 'Token ini tidak berhak membaca data ini.';
  return 'Gagal memuat data: ' + error.message + '.';
}

// Leaves the session: forgets the token and shows the token form with `message`.
export function signOut(message) {
  renderId++;
  session.token = null;
  session.claims = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('dashboard').replaceChildren();
  $('dashboard').hidden = true;
  $('session').hidden = true;
  $('nav').hidden = true;
  $('login').hidden = false;
  $('region').textContent = 'Buku besar belanja non-tunai daerah';
  const error = $('login-error');
  error.textContent = message || '';
  error.hidden = !message;
  setStatus('');
}

// The year a session starts on: the one kept in this tab, else the server's default (the
// newest year with budgets), else this year when it has data, else last year.
async function startYear() {
  const kept = Number(sessionStorage.getItem(YEAR_KEY));
  if (Number.isInteger(kept) && kept >= 2000 && kept <= 2100) return kept;
  const integrity = await api('/v1/integrity').catch((error) => {
    if (error.status === 401) throw error;
    return null;
  });
  if (integrity && Number.isInteger(integrity.default_fiscal_year)) return integrity.default_fiscal_year;
  const now = new Date().getFullYear();
  const current = await api('/v1/summary/absorption?fiscal_year=' + now);
  if (!isEmptyYear(current)) return now;
  const previous = await api('/v1/summary/absorption?fiscal_year=' + (now - 1)).catch(() => null);
  return previous && !isEmptyYear(previous) ? now - 1 : now;
}

// Checks `token` against the server and opens the role's pages.
export async function signIn(token) {
  const claims = tokenClaims(token);
  session.token = token;
  session.claims = claims;
  $('login-submit').disabled = true;
  setStatus('Memeriksa token…');
  try {
    if (!claims || !ROLE_LABEL[claims.role]) throw new ApiError(401, 'peran token tidak dikenal');
    if (claims.role === 'admin') {
      throw new ApiError(403, 'peran admin tidak memiliki halaman di aplikasi ini');
    }
    const year = await startYear();
    sessionStorage.setItem(TOKEN_KEY, token);
    $('login').hidden = true;
    $('session').hidden = false;
    $('token').value = '';
    $('role').textContent = ROLE_LABEL[claims.role] + (claims.opd ? ' · ' + claims.opd : '');
    setYear(year);
    setStatus('');
    await refresh();
  } catch (error) {
    signOut(error.status === 403 && claims && claims.role === 'admin'
      ? 'Peran admin (BPKAD) tidak memiliki halaman di aplikasi ini.' : authMessage(error));
  } finally {
    $('login-submit').disabled = false;
  }
}

// Chooses the fiscal year the pages show (kept in this tab).
export function setYear(year) {
  session.year = year;
  sessionStorage.setItem(YEAR_KEY, String(year));
  $('year').value = String(year);
}

// Wires the token form, the year form and the hash; called once by app.js after every
// page module has registered its routes.
export function start() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim().replace(/^Bearer\s+/i, '');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
      signOut('Format token tidak dikenali: tempelkan JWT lengkap (tiga bagian dipisah titik).');
      return;
    }
    $('login-error').hidden = true;
    signIn(token);
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(YEAR_KEY);
    session.region = null;
    signOut('');
    $('token').focus();
  });
  $('year-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const year = Number($('year').value);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      setStatus('Tahun anggaran harus antara 2000 dan 2100.');
      return;
    }
    setYear(year);
    refresh();
  });
  window.addEventListener('hashchange', () => refresh());
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
  else signOut('');
}

// ==== Shared by the auditor's and the Bupati's pages (auditor.js, bupati.js) ============

// "1100000000000.00" -> "Rp 1,10 T" (jt, M, T with two decimals, rounded half up from the
// exact string); below a million the exact rupiah(). For headlines: show the exact amount
// beside it or in a title (moneyCompact does).
export function rupiahCompact(text) {
  if (text === null || text === undefined || text === '') return '—';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!m) return String(text);
  const cents = BigInt(m[2] + ((m[3] || '') + '00').slice(0, 2));
  const units = [[10n ** 14n, 'T'], [10n ** 11n, 'M'], [10n ** 8n, 'jt']];
  for (const [size, unit] of units) {
    const hundredths = (cents * 100n + size / 2n) / size;
    if (hundredths < 100n) continue;  // Below 1,00 of this unit (999,999 jt is 1,00 M).
    const whole = integer(String(hundredths / 100n));
    return (m[1] ? '\u2212' : '') + 'Rp ' + whole + ',' + String(hundredths % 100n).padStart(2, '0') + ' ' + unit;
  }
  return rupiah(text);
}

// An element showing `text` compactly with the exact amount as its title (and for screen
// readers: the compact form is the visible text, the exact one its title).
export function moneyCompact(tag, attrs, text) {
  return h(tag, { ...attrs, title: rupiah(text), 'data-exact': text, text: rupiahCompact(text) });
}

// Labels of the ledger's codes: GET /v1/labels when the server has it, else these.
export const FALLBACK_LABELS = {
  rules: RULE_LABEL,
  instruments: INSTRUMENTS,
  mechanisms: { UP: 'Uang Persediaan', GU: 'Ganti Uang Persediaan', TU: 'Tambahan Uang Persediaan', LS: 'Pembayaran Langsung' },
  account_groups: { pegawai: 'Belanja Pegawai', barang_jasa: 'Belanja Barang dan Jasa', modal: 'Belanja Modal', lainnya: 'Belanja Lainnya' },
  tax_types: { PPN: 'Pajak Pertambahan Nilai', PPh21: 'PPh Pasal 21', PPh22: 'PPh Pasal 22', PPh23: 'PPh Pasal 23', 'PPh4(2)': 'PPh Pasal 4 ayat (2)' },
  kinds: { genesis: 'Pembukaan buku besar', opd: 'Pendaftaran OPD', budget: 'Anggaran (pagu)', expenditure: 'Belanja',
    reversal: 'Koreksi (pembatalan)', tax_deposit: 'Setoran pajak', refund: 'Pengembalian belanja',
    bank_statement: 'Rekening koran' },
  severities: { high: 'Tinggi', medium: 'Sedang', low: 'Rendah' },
};
let labelCache = { token: null, promise: null };

// The label tables (per group, code -> Indonesian label), fetched once per session.
export function labels() {
  if (labelCache.token !== session.token || !labelCache.promise) {
    labelCache = {
      token: session.token,
      promise: api('/v1/labels').catch(() => ({})).then((served) => {
        const out = {};
        for (const [group, fallback] of Object.entries(FALLBACK_LABELS)) {
          out[group] = { ...fallback, ...((served && typeof served[group] === 'object' && served[group]) || {}) };
        }
        return out;
      }),
    };
  }
  return labelCache.promise;
}

// Actions other modules add to the page of one entry (#/entri/SEQ), e.g. the bendahara's
// reversal. `fn({ response, entry, role, reload })` gets the GET /v1/entries/{seq} answer
// and answers a Node, an array of them, null, or a promise of those; `reload()` draws the
// page again (after an action changed the ledger). Called in registration order.
const entryActionHooks = [];
export function registerEntryAction(fn) { entryActionHooks.push(fn); }
export function entryActionsFor(context) {
  return Promise.all(entryActionHooks.map((fn) => Promise.resolve().then(() => fn(context)).catch((error) =>
    h('p', { class: 'error', text: 'Tindakan tidak tersedia: ' + error.message }))));
}
