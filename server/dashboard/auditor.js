// Jejak web app — the auditor's pages: the year's findings (severity, kondisi, kriteria,
// sebab, akibat, rekomendasi, OPD names, amounts at stake) with filters, each finding's
// entries with every field and their inclusion proofs checked in the browser, the page of
// one entry (shared by every reading role), the verifier key the auditor pins, and the
// downloads of the workpapers and the offline bundle.
'use strict';

import {
  session, rupiah, integer, date, dateTime, h, section, setStatus, api, download, route, navigate, stillCurrent,
  labels, rupiahCompact, entryActionsFor,
} from './core.js';
import { verifyEntryProof, parseVerifierKey, ProofError } from './proof.js';

export const VKEY_KEY = 'jejak.vkey';
const PAGE = 50;           // Findings shown at a time.
const ENTRY_PAGE = 20;     // Entries of a finding loaded at a time.
const SEVERITIES = ['high', 'medium', 'low'];
const SHEETS = ['Ringkasan', 'Transaksi', 'Realisasi', 'Pajak', 'Temuan', 'Koreksi'];

// The findings report of the year on screen, kept while the user filters and comes back.
const cache = { token: null, year: null, report: null };

// The verifier key the auditor pinned in this browser (the checkpoint.vkey line), or null.
export function pinnedKey() {
  try {
    return localStorage.getItem(VKEY_KEY);
  } catch (_) {
    return null;
  }
}

// Registers the auditor's pages and the shared entry page.
export function register() {
  const findings = { roles: ['auditor'], title: 'Temuan Audit', render: findingsPage };
  route('#/', { ...findings, nav: null });
  route('#/temuan', { ...findings, nav: 'Temuan' });
  route('#/temuan/:id', { roles: ['auditor'], title: 'Rincian Temuan', nav: null, render: findingPage });
  route('#/entri/:seq', { roles: ['auditor', 'executive', 'officer'], title: 'Entri Buku Besar', nav: null, render: entryPage });
  route('#/kunci', { roles: ['auditor'], title: 'Kunci Verifikasi', nav: 'Kunci verifikasi', render: keyPage });
  route('#/kunci', { roles: ['executive', 'officer'], title: 'Kunci Verifikasi', nav: null, render: keyPage });
}

async function report(year) {
  if (cache.token === session.token && cache.year === year && cache.report) return cache.report;
  const r = await api('/v1/audit/findings?fiscal_year=' + year);
  Object.assign(cache, { token: session.token, year, report: r });
  return r;
}

function severityChip(severity, names) {
  return h('span', { class: 'sev sev-' + severity, 'data-testid': 'severity', 'data-severity': severity,
    text: names[severity] || severity });
}

// ---- #/temuan --------------------------------------------------------------------------

async function findingsPage(view, params, query, id) {
  const year = session.year;
  setStatus('Memuat temuan tahun anggaran ' + year + '…');
  const [r, names] = await Promise.all([report(year), labels()]);
  if (!stillCurrent(id)) return;
  const all = r.findings || [];
  const filter = { rule: query.get('aturan') || '', opd: query.get('opd') || '', severity: query.get('tingkat') || '' };
  const shown = all.filter((f) => (!filter.rule || f.rule === filter.rule) && (!filter.opd || f.opd === filter.opd) &&
    (!filter.severity || f.severity === filter.severity));
  const opds = new Map();
  for (const f of all) opds.set(f.opd, f.opd_name || f.opd);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, shown.filter((f) => f.severity === s).length]));

  const select = (name, label, options, value) => h('div', { class: 'field' },
    h('label', { for: 'filter-' + name, text: label }),
    h('select', { id: 'filter-' + name, name, 'data-testid': 'filter-' + name, onchange: applyFilter },
      h('option', { value: '', text: 'Semua' }),
      options.map(([v, t]) => h('option', { value: v, text: t, selected: v === value }))));
  function applyFilter() {
    const q = new URLSearchParams();
    for (const [key, name] of [['aturan', 'rule'], ['opd', 'opd'], ['tingkat', 'severity']]) {
      const v = document.getElementById('filter-' + name).value;
      if (v) q.set(key, v);
    }
    navigate('#/temuan' + (q.toString() ? '?' + q : ''));
  }
  const rules = Object.entries(names.rules).filter(([code]) => all.some((f) => f.rule === code));
  const filters = h('form', { class: 'filters', 'data-testid': 'findings-filters', onsubmit: (e) => e.preventDefault() },
    select('rule', 'Aturan', rules, filter.rule),
    select('opd', 'OPD', Array.from(opds).sort((a, b) => a[1].localeCompare(b[1], 'id')), filter.opd),
    select('severity', 'Tingkat', SEVERITIES.map((s) => [s, names.severities[s] || s]), filter.severity));

  const total = shown.reduce((n, f) => n + BigInt(f.amount.replace('.', '')), 0n);
  const totalText = (total / 100n).toString() + '.' + String(total % 100n).padStart(2, '0');
  const list = h('ol', { class: 'finding-list', 'data-testid': 'finding-list' });
  const more = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'findings-more' });
  let drawn = 0;
  const drawMore = () => {
    const next = shown.slice(drawn, drawn + PAGE);
    list.append(...next.map((f) => findingCard(f, r, names)));
    drawn += next.length;
    more.textContent = 'Tampilkan ' + integer(Math.min(PAGE, shown.length - drawn)) + ' temuan berikutnya';
    more.hidden = drawn >= shown.length;
  };
  more.addEventListener('click', drawMore);
  drawMore();

  view.replaceChildren(
    h('div', { class: 'page-title' },
      h('h1', { text: 'Temuan Audit Tahun ' + year }),
      h('p', { class: 'as-of' }, 'Posisi per ', h('strong', { text: date(r.as_of) }), ' · pohon ',
        h('span', { 'data-testid': 'findings-tree-size', text: integer(r.tree_size) }), ' entri')),
    downloadsPanel(year),
    section('temuan-daftar', 'Daftar Temuan', 'Hasil aturan audit otomatis; pilih temuan untuk melihat entri di baliknya',
      filters,
      h('div', { class: 'finding-summary', 'data-testid': 'findings-summary' },
        h('span', {}, h('strong', { 'data-testid': 'findings-count', text: integer(shown.length) }), ' temuan'),
        SEVERITIES.map((s) => h('span', {}, severityChip(s, names.severities), ' ', integer(bySeverity[s]))),
        h('span', {}, 'Nilai ', h('strong', { title: rupiah(totalText), text: rupiahCompact(totalText) }))),
      shown.length === 0
        ? h('p', { class: 'muted', 'data-testid': 'no-findings', text: all.length === 0
          ? 'Tidak ada temuan untuk tahun anggaran ini.' : 'Tidak ada temuan yang cocok dengan saringan.' })
        : list,
      more));
  setStatus('');
}

function findingCard(f, r, names) {
  const href = '#/temuan/' + f.id + '?ta=' + r.fiscal_year + '&per=' + r.as_of + '&pohon=' + r.tree_size;
  return h('li', { class: 'finding sev-border-' + f.severity, 'data-testid': 'finding', 'data-id': f.id, 'data-rule': f.rule,
    'data-opd': f.opd },
    h('div', { class: 'finding-head' },
      severityChip(f.severity, names.severities),
      h('h3', {}, h('a', { href, 'data-testid': 'finding-link', text: names.rules[f.rule] || f.rule })),
      h('span', { class: 'finding-amount money', 'data-testid': 'finding-amount', text: rupiah(f.amount) })),
    h('p', { class: 'finding-opd' }, h('strong', { text: f.opd_name || f.opd }), ' ', h('span', { class: 'opd-code', text: f.opd }),
      ' · ', h('span', { class: 'rule-code', text: f.rule }), ' · ', integer(f.seq_count), ' entri'),
    fieldText('Kondisi', f.kondisi, 'kondisi'),
    fieldText('Kriteria', f.kriteria, 'kriteria'),
    h('details', { class: 'finding-more' }, h('summary', { text: 'Sebab, akibat dan rekomendasi' }),
      fieldText('Sebab', f.sebab, 'sebab'),
      fieldText('Akibat', f.akibat, 'akibat'),
      fieldText('Rekomendasi', f.rekomendasi, 'rekomendasi')));
}

function fieldText(label, text, testid) {
  return h('div', { class: 'finding-field' }, h('h4', { text: label }), h('p', { 'data-testid': 'finding-' + testid, text: text || '—' }));
}

// ---- Downloads -------------------------------------------------------------------------

function downloadsPanel(year) {
  const note = h('p', { class: 'download-note', 'data-testid': 'download-status', role: 'status' });
  const fetchAndSave = async (button, path, fallbackName) => {
    button.disabled = true;
    note.className = 'download-note';
    note.textContent = 'Mengunduh ' + fallbackName + '…';
    try {
      const file = await api(path, { raw: 'file', timeout: 300000 });
      const name = file.name || fallbackName;
      download(file.blob, name);
      note.textContent = 'Terunduh: ' + name + ' (' + integer(file.blob.size) + ' byte).';
    } catch (error) {
      note.className = 'download-note error';
      note.textContent = 'Gagal mengunduh ' + fallbackName + ': ' + error.message + '.';
    } finally {
      button.disabled = false;
    }
  };
  const sheet = h('select', { id: 'csv-sheet', 'data-testid': 'csv-sheet' }, SHEETS.map((s) => h('option', { value: s, text: s })));
  const xlsx = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'download-xlsx', text: 'Kertas kerja (XLSX)' });
  xlsx.addEventListener('click', () => fetchAndSave(xlsx, '/v1/export/workpapers?fiscal_year=' + year + '&format=xlsx',
    'kertas-kerja-' + year + '.xlsx'));
  const csv = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'download-csv', text: 'Unduh CSV' });
  csv.addEventListener('click', () => fetchAndSave(csv, '/v1/export/workpapers?fiscal_year=' + year + '&format=csv&sheet=' +
    encodeURIComponent(sheet.value), 'kertas-kerja-' + year + '-' + sheet.value + '.csv'));
  const bundle = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'download-bundle', text: 'Bundel verifikasi (NDJSON)' });
  bundle.addEventListener('click', () => fetchAndSave(bundle, '/v1/export/bundle', 'jejak-bundle.ndjson'));
  return section('unduhan', 'Unduhan', 'Kertas kerja tahun ' + year + ' dan bundel seluruh buku besar untuk verifikasi luring (jejak verify-bundle)',
    h('div', { class: 'download-row' }, xlsx,
      h('span', { class: 'field-inline' }, h('label', { for: 'csv-sheet', text: 'Lembar CSV' }), sheet, csv),
      bundle),
    note);
}

// ---- #/temuan/ID -----------------------------------------------------------------------

async function findingPage(view, params, query, id) {
  const year = Number(query.get('ta')) || session.year;
  const base = '/v1/audit/findings/' + encodeURIComponent(params.id) + '?fiscal_year=' + year +
    (query.get('per') ? '&as_of=' + encodeURIComponent(query.get('per')) : '') +
    (query.get('pohon') ? '&tree_size=' + encodeURIComponent(query.get('pohon')) : '');
  setStatus('Memuat temuan…');
  const [first, names] = await Promise.all([api(base + '&limit=' + ENTRY_PAGE), labels()]);
  if (!stillCurrent(id)) return;
  const f = first.finding;
  const entries = h('div', { class: 'entry-cards', 'data-testid': 'finding-entries' });
  const more = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'entries-more', hidden: true });
  const progress = h('p', { class: 'muted', 'data-testid': 'entries-progress' });
  let shown = 0;
  const keyText = pinnedKey();
  const addPage = async (page) => {
    const seqs = page.finding.seqs || [];
    for (let i = 0; i < seqs.length; i += 6) {
      const batch = await Promise.all(seqs.slice(i, i + 6).map((seq) => api('/v1/entries/' + seq)));
      if (!stillCurrent(id)) return;
      for (const response of batch) entries.append(entryCard(response, names, keyText));
      shown += batch.length;
      progress.textContent = 'Menampilkan ' + integer(shown) + ' dari ' + integer(f.seq_count) + ' entri.';
    }
    const next = page.finding.next_after_seq;
    more.hidden = next === null || next === undefined;
    more.textContent = 'Muat ' + integer(Math.min(ENTRY_PAGE, f.seq_count - shown)) + ' entri berikutnya';
    more.onclick = async () => {
      more.disabled = true;
      try {
        await addPage(await api(base + '&limit=' + ENTRY_PAGE + '&after_seq=' + next));
      } catch (error) {
        progress.textContent = 'Gagal memuat entri: ' + error.message + '.';
      } finally {
        more.disabled = false;
      }
    };
  };
  view.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/temuan', text: '← Semua temuan' })),
    h('div', { class: 'page-title' }, h('h1', { 'data-testid': 'finding-title', text: names.rules[f.rule] || f.rule })),
    section('temuan-rinci', f.opd_name || f.opd, f.opd + ' · ' + f.rule + ' · tahun ' + first.fiscal_year + ' per ' + date(first.as_of) +
      ' · pohon ' + integer(first.tree_size) + ' entri',
    h('div', { class: 'finding-head' }, severityChip(f.severity, names.severities),
      h('span', { class: 'finding-amount money', 'data-testid': 'finding-amount' }, 'Nilai ', h('strong', { text: rupiah(f.amount) }))),
    fieldText('Kondisi', f.kondisi, 'kondisi'),
    fieldText('Kriteria', f.kriteria, 'kriteria'),
    fieldText('Sebab', f.sebab, 'sebab'),
    fieldText('Akibat', f.akibat, 'akibat'),
    fieldText('Rekomendasi', f.rekomendasi, 'rekomendasi'),
    h('p', { class: 'hash muted', text: 'ID temuan ' + f.id })),
    section('temuan-entri', 'Entri di balik temuan (' + integer(f.seq_count) + ')',
      keyText ? 'Setiap bukti inklusi diperiksa di peramban ini terhadap kunci yang disematkan'
        : 'Sematkan kunci verifikasi di halaman Kunci verifikasi agar bukti inklusi dapat diperiksa',
      progress, entries, more));
  await addPage(first);
  setStatus('');
}

// One entry as a card: its fields, a link to its page and its proof's verdict.
function entryCard(response, names, keyText) {
  const e = response.entry;
  const badge = h('span', { class: 'proof-badge proof-pending', 'data-testid': 'proof-badge', 'data-state': 'pending',
    text: 'Memeriksa bukti…' });
  verifyEntryProof(response, keyText).then((result) => showVerdict(badge, result));
  return h('article', { class: 'entry-card', 'data-testid': 'entry-card', 'data-seq': e.seq },
    h('div', { class: 'entry-card-head' },
      h('h3', {}, h('a', { href: '#/entri/' + e.seq, 'data-testid': 'entry-link', text: '#' + e.seq + ' · ' + (names.kinds[e.kind] || e.kind) })),
      badge),
    entryFields(e, names));
}

function showVerdict(badge, result) {
  badge.dataset.state = result.ok ? 'ok' : 'failed';
  badge.className = 'proof-badge ' + (result.ok ? 'proof-ok' : 'proof-failed');
  badge.textContent = result.ok ? '✓ Terverifikasi di peramban'
    : '✗ Bukti gagal: ' + result.failed.label + (result.failed.detail ? ' — ' + result.failed.detail : '');
}

// ---- Entry fields ----------------------------------------------------------------------

const FIELD_LABELS = {
  seq: 'Seq', kind: 'Jenis', fiscal_year: 'Tahun anggaran', opd: 'OPD', sub_activity: 'Sub kegiatan', account: 'Kode rekening',
  mechanism: 'Mekanisme', instrument: 'Instrumen', value_date: 'Tanggal transaksi', gross: 'Bruto', taxes: 'Pajak', net: 'Neto',
  payee: 'Penerima', documents: 'Dokumen', description: 'Uraian', bank_ref: 'Referensi bank', procurement: 'Pengadaan',
  cash_reason: 'Alasan tunai', reverses: 'Membatalkan entri', reason: 'Alasan', tax_type: 'Jenis pajak', amount: 'Jumlah',
  billing_code: 'Kode billing', ntpn: 'NTPN', deposit_date: 'Tanggal setor', covers: 'Menutup pajak entri', refunds: 'Mengembalikan entri',
  refund_date: 'Tanggal pengembalian', sts_no: 'Nomor STS', code: 'Kode', name: 'Nama', region: 'Daerah', origin: 'Asal (origin)',
  ledger_id: 'ID buku besar', checkpoint_key: 'Kunci checkpoint', pagu: 'Pagu', plan: 'Rencana (RAK)', stage: 'Tahap',
  recorded_at: 'Dicatat pada', recorded_by: 'Dicatat oleh', v: 'Versi format',
  npwp: 'NPWP', bank: 'Bank', account_no: 'Nomor rekening', account_name: 'Nama rekening',
  spp: 'No. SPP', spm: 'No. SPM', sp2d: 'No. SP2D', evidence_no: 'No. bukti', evidence_date: 'Tanggal bukti',
  method: 'Metode', contract_no: 'No. kontrak', contract_value: 'Nilai kontrak', type: 'Jenis',
};
const MONEY = new Set(['gross', 'net', 'amount', 'contract_value', 'pagu']);
const DATES = new Set(['value_date', 'deposit_date', 'evidence_date', 'refund_date']);
const ORDER = ['seq', 'kind', 'fiscal_year', 'opd', 'sub_activity', 'account', 'mechanism', 'instrument', 'value_date', 'gross',
  'taxes', 'net', 'payee', 'documents', 'bank_ref', 'description', 'procurement', 'cash_reason'];

function valueText(key, value, names) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && MONEY.has(key) && /^-?\d+(\.\d+)?$/.test(value)) return rupiah(value);
  if (typeof value === 'string' && DATES.has(key)) return date(value) + ' (' + value + ')';
  if (key === 'recorded_at') return dateTime(value);
  if (key === 'instrument') return (names.instruments[value] || value) + ' (' + value + ')';
  if (key === 'mechanism') return value + ' — ' + (names.mechanisms[value] || value);
  if (key === 'kind') return (names.kinds[value] || value) + ' (' + value + ')';
  if (key === 'tax_type' || key === 'type') return names.tax_types[value] ? value + ' — ' + names.tax_types[value] : String(value);
  return String(value);
}

// Every field of `entry` as a definition list, nested objects and lists included.
export function entryFields(entry, names) {
  const keys = Object.keys(entry).sort((a, b) => {
    const ia = ORDER.indexOf(a);
    const ib = ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return h('dl', { class: 'entry-fields', 'data-testid': 'entry-fields' }, keys.map((key) =>
    h('div', { 'data-field': key }, h('dt', { text: FIELD_LABELS[key] || key }), h('dd', {}, fieldValue(key, entry[key], names)))));
}

function fieldValue(key, value, names) {
  if (key === 'taxes' && Array.isArray(value)) {
    if (value.length === 0) return 'tidak ada';
    return h('ul', { class: 'plain-list' }, value.map((t) =>
      h('li', { text: (names.tax_types[t.type] ? t.type + ' (' + names.tax_types[t.type] + ')' : t.type) + ': ' + rupiah(t.amount) })));
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      return (key === 'covers' || key === 'refunds')
        ? value.map((seq, i) => [i ? ', ' : '', h('a', { href: '#/entri/' + seq, text: '#' + seq })]) : value.join(', ');
    }
    return h('ul', { class: 'plain-list' }, value.map((v) => h('li', {}, typeof v === 'object' ? entryFields(v, names) : String(v))));
  }
  if (value !== null && typeof value === 'object') return entryFields(value, names);
  if (key === 'reverses' && Number.isInteger(value)) return h('a', { href: '#/entri/' + value, text: '#' + value });
  const text = valueText(key, value, names);
  return MONEY.has(key) ? h('span', { class: 'money', text }) : text;
}

// ---- #/entri/SEQ -----------------------------------------------------------------------

async function entryPage(view, params, query, id) {
  if (!/^\d{1,18}$/.test(params.seq)) throw new Error('nomor entri tidak sah');
  setStatus('Memuat entri #' + params.seq + '…');
  const [response, names] = await Promise.all([api('/v1/entries/' + params.seq), labels()]);
  if (!stillCurrent(id)) return;
  const e = response.entry;
  const keyText = pinnedKey();
  const proofHost = h('div', { class: 'proof', 'data-testid': 'proof' }, h('p', { class: 'muted', text: 'Memeriksa bukti inklusi…' }));
  const actions = h('div', { class: 'entry-actions', 'data-testid': 'entry-actions' });
  const receipt = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'download-proof', text: 'Unduh bukti (JSON)' });
  receipt.addEventListener('click', () => download(new Blob([JSON.stringify({
    entry: e, leaf_hash: response.leaf_hash, chain_hash: response.chain_hash, tree_size: response.tree_size,
    inclusion_proof: response.inclusion_proof, checkpoint: response.checkpoint,
  }, null, 2) + '\n'], { type: 'application/json' }), 'jejak-entri-' + e.seq + '.json'));
  view.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: session.claims.role === 'auditor' ? '#/temuan' : '#/', text: '← Kembali' })),
    h('div', { class: 'page-title' },
      h('h1', { 'data-testid': 'entry-title', text: 'Entri #' + e.seq + ' · ' + (names.kinds[e.kind] || e.kind) }),
      h('p', { class: 'as-of', text: 'Dicatat ' + dateTime(e.recorded_at) + ' oleh ' + (e.recorded_by || '—') })),
    h('div', { class: 'grid-2' },
      section('entri-isi', 'Isi entri', 'Setiap kolom seperti yang tersimpan dan di-hash', entryFields(e, names)),
      section('entri-bukti', 'Bukti inklusi', 'Diperiksa di peramban ini: bentuk kanonik, hash daun, jalur audit dan tanda tangan checkpoint',
        proofHost,
        h('dl', { class: 'facts' },
          h('div', {}, h('dt', { text: 'Leaf hash' }), h('dd', { class: 'hash', text: response.leaf_hash })),
          h('div', {}, h('dt', { text: 'Chain hash' }), h('dd', { class: 'hash', text: response.chain_hash })),
          h('div', {}, h('dt', { text: 'Ukuran pohon checkpoint' }), h('dd', { text: integer(response.tree_size) + ' entri' }))),
        h('div', { class: 'download-row' }, receipt))),
    actions);
  const result = await verifyEntryProof(response, keyText);
  if (!stillCurrent(id)) return;
  proofHost.replaceChildren(...proofView(result, keyText));
  const extra = await entryActionsFor({ response, entry: e, role: session.claims.role, reload: () => navigate(location.hash) });
  if (!stillCurrent(id)) return;
  actions.replaceChildren(...extra.flat().filter(Boolean));
  actions.hidden = actions.childElementCount === 0;
  setStatus('');
}

const STATE_MARK = { ok: '✓', failed: '✗', skipped: '–' };

function proofView(result, keyText) {
  const badge = h('p', { class: 'proof-badge ' + (result.ok ? 'proof-ok' : 'proof-failed'), 'data-testid': 'proof-badge',
    'data-state': result.ok ? 'ok' : 'failed', 'data-step': result.failed ? result.failed.step : null,
    role: result.ok ? null : 'alert',
    text: result.ok ? '✓ Terverifikasi di peramban'
      : '✗ Verifikasi gagal pada langkah: ' + result.failed.label + (result.failed.detail ? ' — ' + result.failed.detail : '') });
  const steps = h('ol', { class: 'proof-steps', 'data-testid': 'proof-steps' }, result.steps.map((s) =>
    h('li', { class: 'step-' + s.state, 'data-step': s.step, 'data-state': s.state },
      h('span', { class: 'step-mark', 'aria-hidden': 'true', text: STATE_MARK[s.state] }),
      h('span', {}, h('strong', { text: s.label }),
        s.state === 'skipped' ? h('span', { class: 'muted', text: ' — tidak dapat diperiksa' }) : null,
        s.detail ? h('span', { class: 'step-detail hash', text: s.detail }) : null))));
  const out = [badge, steps];
  if (!keyText) out.push(h('p', {}, 'Belum ada kunci yang disematkan. ', h('a', { href: '#/kunci', text: 'Sematkan kunci verifikasi' }), '.'));
  else if (result.checkpoint) {
    out.push(h('p', { class: 'muted', text: 'Checkpoint ' + result.checkpoint.origin + ', ' + integer(String(result.checkpoint.size)) +
      ' entri, akar ' + result.checkpoint.rootHex.slice(0, 16) + '…' }));
  }
  return out;
}

// ---- #/kunci ---------------------------------------------------------------------------

async function keyPage(view) {
  const input = h('textarea', { id: 'vkey', name: 'vkey', rows: 3, spellcheck: 'false', autocapitalize: 'off',
    'data-testid': 'vkey-input', placeholder: 'jejak.local/kab-contoh+1a2b3c4d+AU…', required: true });
  const message = h('p', { 'data-testid': 'vkey-message', role: 'status' });
  const shownKey = h('div', { 'data-testid': 'vkey-current' });
  const describe = async () => {
    const text = pinnedKey();
    if (!text) {
      shownKey.replaceChildren(h('p', { class: 'muted', text: 'Belum ada kunci yang disematkan di peramban ini.' }));
      return;
    }
    let parsed = null;
    try { parsed = await parseVerifierKey(text); } catch (_) { parsed = null; }
    shownKey.replaceChildren(h('dl', { class: 'facts' },
      h('div', {}, h('dt', { text: 'Nama kunci' }), h('dd', { class: 'hash', 'data-testid': 'vkey-name', text: parsed ? parsed.name : '—' })),
      h('div', {}, h('dt', { text: 'ID kunci' }), h('dd', { class: 'hash', text: parsed ? parsed.idHex : '—' })),
      h('div', {}, h('dt', { text: 'Kunci lengkap' }), h('dd', { class: 'hash', text }))),
    h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'vkey-remove', text: 'Hapus kunci', onclick: () => {
      localStorage.removeItem(VKEY_KEY);
      message.className = 'muted';
      message.textContent = 'Kunci dihapus dari peramban ini.';
      describe();
    } }));
  };
  const form = h('form', { class: 'key-form', 'data-testid': 'vkey-form', autocomplete: 'off' },
    h('label', { for: 'vkey', text: 'Kunci verifikasi (isi berkas checkpoint.vkey)' }), input,
    h('div', { class: 'login-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'vkey-save', text: 'Sematkan kunci' })),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const key = await parseVerifierKey(input.value);
      localStorage.setItem(VKEY_KEY, key.text);
      message.className = 'ok-note';
      message.textContent = 'Kunci ' + key.name + ' (ID ' + key.idHex + ') disematkan.';
      input.value = '';
      describe();
    } catch (error) {
      message.className = 'error';
      message.textContent = 'Kunci ditolak: ' + (error instanceof ProofError ? error.message : String(error)) + '.';
    }
  });
  view.replaceChildren(
    h('div', { class: 'page-title' }, h('h1', { text: 'Kunci Verifikasi Checkpoint' })),
    section('kunci-kini', 'Kunci yang disematkan', 'Tersimpan hanya di peramban ini; tidak pernah diambil dari server', shownKey),
    section('kunci-baru', 'Sematkan kunci', null,
      h('p', { class: 'muted', text: 'Minta berkas keys/checkpoint.vkey kepada BPKAD melalui saluran terpisah (surat resmi atau ' +
        'serah terima langsung), periksa isinya, lalu tempelkan di sini. Halaman entri memeriksa tanda tangan setiap checkpoint ' +
        'dengan kunci ini; kunci yang dikirim server tidak pernah dipercaya.' }),
      form));
  await describe();
}
