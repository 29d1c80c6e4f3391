// Jejak web app — the bendahara's pages (role officer, own OPD only): the OPD's home with
// quick actions, budget lines and latest entries; the entries list (paged, filtered, searched);
// one entry with every field and its reversal; the tax deposit form. The expenditure form
// is catat.js, the bulk import import.js.
'use strict';

import {
  INSTRUMENTS, MONTHS, session, h, api, rupiah, date, dateTime, route, stillCurrent, setStatus, signOut,
  authMessage, navigate, $,
} from './core.js';
import { FieldSet, check, parseMoney, senText, senRupiah, newIdempotencyKey, appendConfirmation } from './form.js';
import { renderCatat, budgetLines, defaultDate, TAX_TYPES } from './catat.js';

const PAGE_SIZE = 25;
const HOME_LATEST = 8;
export const KIND_LABEL = {
  genesis: 'Awal buku besar', opd: 'Registrasi OPD', budget: 'Pagu anggaran', expenditure: 'Belanja',
  reversal: 'Pembatalan', tax_deposit: 'Setoran pajak', refund: 'Pengembalian belanja',
};
const SEARCH_BY = [
  ['bank_ref', 'Referensi bank'],
  ['evidence_no', 'No. bukti / SP2D / SPM / SPP'],
  ['payee', 'Nama penerima (awalan)'],
  ['payee_npwp', 'NPWP penerima'],
];

// Registers the bendahara's pages (before the Bupati's, so their home wins for officers).
export function register() {
  const roles = ['officer'];
  route('#/', { roles, title: 'Beranda Bendahara', nav: 'Beranda', render: (view, p, q, id) => renderHome(view, id) });
  route('#/catat', { roles, title: 'Catat Belanja', nav: 'Catat Belanja', render: (view, p, q, id) => renderCatat(view, id) });
  route('#/setor-pajak', { roles, title: 'Setor Pajak', nav: 'Setor Pajak', render: (view, p, q, id) => renderTaxDeposit(view, id) });
  route('#/entri', { roles, title: 'Entri OPD', nav: 'Entri', render: (view, p, q, id) => renderList(view, q, id) });
  route('#/entri/:seq', { roles, title: 'Rincian Entri', nav: null, render: (view, p, q, id) => renderEntry(view, p.seq, id) });
}

function onAuthError(error) {
  if (error.status === 401) { signOut(authMessage(error)); return true; }
  return false;
}

// ---- Home ------------------------------------------------------------------------------

async function renderHome(view, id) {
  setStatus('Memuat data OPD…');
  const [budget, latest] = await Promise.all([
    budgetLines(session.year),
    api('/v1/entries?fiscal_year=' + session.year + '&order=desc&limit=' + HOME_LATEST).catch((error) => {
      if (error.status === 401) throw error;
      return { error };
    }),
  ]);
  if (!stillCurrent(id)) return;
  const name = budget.name || session.claims.opd;
  $('region').textContent = name + ' · Tahun Anggaran ' + session.year;
  const actions = [
    ['#/catat', 'Catat belanja', 'Satu pembayaran dengan pajak dan dokumennya', 'action-catat'],
    ['#/setor-pajak', 'Setor pajak', 'NTPN untuk pajak yang sudah dipotong', 'action-setor'],
    ['#/entri', 'Cari entri', 'Menurut bulan, rekening, ref. bank atau SP2D', 'action-entri'],
    ['#/impor', 'Impor CSV/XLSX', 'Register SP2D atau buku kas sekaligus', 'action-impor'],
  ];
  view.replaceChildren(
    h('div', { class: 'page-title' },
      h('h1', { 'data-testid': 'officer-home-title', text: name }),
      h('p', { class: 'as-of', text: 'Bendahara · ' + session.claims.opd + ' · Tahun Anggaran ' + session.year })),
    h('nav', { class: 'quick-actions', 'aria-label': 'Tindakan cepat', 'data-testid': 'quick-actions' },
      actions.map(([href, title, sub, testid]) => h('a', { class: 'quick-action', href, 'data-testid': testid },
        h('strong', { text: title }), h('span', { text: sub })))),
    latestPanel(latest),
    budgetPanel(budget));
  setStatus('');
}

function latestPanel(latest) {
  const body = latest.error
    ? h('p', { class: 'error', text: 'Entri terakhir tidak dapat dimuat: ' + latest.error.message + '.' })
    : entriesTable(latest.entries || [], 'officer-latest');
  return h('section', { class: 'panel', 'data-testid': 'officer-latest-panel' },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Entri terakhir' }),
      h('p', { class: 'panel-sub' }, 'Yang terbaru lebih dulu · ', h('a', { href: '#/entri', text: 'semua entri' }))),
    body);
}

function budgetPanel(budget) {
  let body;
  if (!budget.lines) body = h('p', { class: 'error', text: 'Pagu tidak dapat dimuat: ' + budget.error.message + '.' });
  else if (budget.lines.length === 0) body = h('p', { class: 'muted', text: 'Belum ada pagu yang berlaku untuk tahun ini.' });
  else {
    body = h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'budget-lines' },
      h('thead', {}, h('tr', {}, ['Sub-kegiatan', 'Rekening', 'Pagu', 'Realisasi', 'Sisa'].map((t, i) =>
        h('th', { scope: 'col', class: i >= 2 ? 'num' : null, text: t })))),
      h('tbody', {}, budget.lines.map((l) => h('tr', {},
        h('td', { 'data-label': 'Sub-kegiatan', class: 'code', text: l.sub_activity }),
        h('td', { 'data-label': 'Rekening', class: 'code', text: l.account }),
        h('td', { 'data-label': 'Pagu', class: 'num money', text: rupiah(l.pagu) }),
        h('td', { 'data-label': 'Realisasi', class: 'num money', text: rupiah(l.realisation) }),
        h('td', { 'data-label': 'Sisa', class: 'num money', text: rupiah(l.remaining) }))))));
  }
  return h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Pagu yang berlaku' }),
      h('p', { class: 'panel-sub', text: budget.as_of ? 'Posisi per ' + date(budget.as_of) : '' })),
    body);
}

// ---- Entries ---------------------------------------------------------------------------

function entrySummary(e) {
  if (e.kind === 'expenditure') return (e.payee && e.payee.name) + (e.description ? ' — ' + e.description : '');
  if (e.kind === 'tax_deposit') return e.tax_type + ' · NTPN ' + e.ntpn;
  if (e.kind === 'reversal') return 'membatalkan #' + e.reverses + ': ' + e.reason;
  if (e.kind === 'refund') return 'pengembalian #' + e.refunds + ' · ' + e.sts_no;
  if (e.kind === 'budget') return e.sub_activity + ' · ' + e.account + ' (' + e.stage + ')';
  if (e.kind === 'opd') return e.name;
  return '';
}

function entryAmount(e) { return e.gross || e.amount || e.pagu || null; }
function entryDate(e) { return e.value_date || e.deposit_date || e.effective_date || (e.recorded_at || '').slice(0, 10); }

function entriesTable(items, testid) {
  if (items.length === 0) return h('p', { class: 'muted', 'data-testid': testid + '-empty', text: 'Tidak ada entri.' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ['Seq', 'Tanggal', 'Jenis', 'Uraian', 'Rekening', 'Nilai', 'Ref. bank'].map((t, i) =>
      h('th', { scope: 'col', class: i === 5 ? 'num' : null, text: t })))),
    h('tbody', {}, items.map(({ entry: e }) => h('tr', { 'data-seq': e.seq },
      h('td', { 'data-label': 'Seq' }, h('a', { href: '#/entri/' + e.seq, 'data-testid': 'entry-link-' + e.seq, text: '#' + e.seq })),
      h('td', { 'data-label': 'Tanggal', class: 'nowrap', text: date(entryDate(e)) }),
      h('td', { 'data-label': 'Jenis', text: KIND_LABEL[e.kind] + (e.instrument ? ' · ' + INSTRUMENTS[e.instrument] : '') }),
      h('td', { 'data-label': 'Uraian', class: 'wrap', text: entrySummary(e) }),
      h('td', { 'data-label': 'Rekening', class: 'code' + (e.account ? '' : ' empty'), text: e.account || '—' }),
      h('td', { 'data-label': 'Nilai', class: 'num money' + (entryAmount(e) ? '' : ' empty'), text: rupiah(entryAmount(e)) }),
      h('td', { 'data-label': 'Ref. bank', class: 'code' + (e.bank_ref ? '' : ' empty'), text: e.bank_ref || '—' }))))));
}

// The list's filters as API query parameters, from the page's hash query.
function listQuery(q) {
  const params = new URLSearchParams({ fiscal_year: String(session.year), order: 'desc', limit: String(PAGE_SIZE) });
  const month = Number(q.get('bulan'));
  if (month >= 1 && month <= 12) {
    const mm = String(month).padStart(2, '0');
    const last = new Date(Date.UTC(session.year, month, 0)).getUTCDate();
    params.set('from', session.year + '-' + mm + '-01');
    params.set('to', session.year + '-' + mm + '-' + last);
  }
  if (q.get('rekening')) params.set('account', q.get('rekening'));
  if (INSTRUMENTS[q.get('instrumen')]) params.set('instrument', q.get('instrumen'));
  if (KIND_LABEL[q.get('jenis')]) params.set('kind', q.get('jenis'));
  if (q.get('jenis') === 'reversal') {
    for (const name of ['fiscal_year', 'from', 'to']) params.delete(name);  // A reversal has neither.
  }
  const by = q.get('cari_menurut');
  const text = (q.get('cari') || '').trim();
  if (text && SEARCH_BY.some(([k]) => k === by)) params.set(by, by === 'payee_npwp' ? text.replace(/\D/g, '') : text);
  return params;
}

async function renderList(view, q, id) {
  const params = listQuery(q);
  setStatus('Memuat entri…');
  const first = await api('/v1/entries?' + params);
  if (!stillCurrent(id)) return;
  const filters = filterForm(q);
  const holder = h('div', { 'data-testid': 'entries-holder' });
  const more = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': 'entries-more', text: 'Muat lebih banyak' });
  const count = h('p', { class: 'panel-sub', 'data-testid': 'entries-count' });
  const items = [];
  let next = null;
  const show = (page) => {
    items.push(...(page.entries || []));
    next = page.next_before_seq ?? null;
    holder.replaceChildren(entriesTable(items, 'entries-table'));
    more.hidden = next === null;
    count.textContent = items.length + ' entri ditampilkan' + (next === null ? '' : ', masih ada lagi');
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      params.set('before_seq', String(next));
      show(await api('/v1/entries?' + params));
    } catch (error) {
      if (!onAuthError(error)) count.textContent = 'Gagal memuat: ' + error.message + '.';
    } finally {
      more.disabled = false;
    }
  });
  view.replaceChildren(
    h('div', { class: 'page-title' }, h('h1', { text: 'Entri OPD' }),
      h('p', { class: 'as-of', text: 'Tahun Anggaran ' + session.year + ' · ' + session.claims.opd })),
    h('section', { class: 'panel', 'data-testid': 'entries-page' }, filters,
      h('div', { class: 'panel-head' }, h('h2', { text: 'Hasil' }), count), holder, h('div', { class: 'actions' }, more)));
  show(first);
  setStatus('');
}

function filterForm(q) {
  const fs = new FieldSet('filter');
  const form = h('form', { class: 'filters entries-filters', 'data-testid': 'entries-filter', role: 'search' },
    fs.field('bulan', 'Bulan', { kind: 'select', options: [['', 'Semua bulan'], ...MONTHS.map((m, i) => [String(i + 1), m])] }),
    fs.field('jenis', 'Jenis', { kind: 'select', options: [['', 'Semua jenis'], ...['expenditure', 'tax_deposit', 'reversal', 'refund', 'budget'].map((k) => [k, KIND_LABEL[k]])] }),
    fs.field('instrumen', 'Instrumen', { kind: 'select', options: [['', 'Semua instrumen'], ...Object.entries(INSTRUMENTS)] }),
    fs.field('rekening', 'Rekening (awalan)', { attrs: { placeholder: '5.1.02' },
      validate: (v) => (v === '' || /^5(\.[0-9]+)*\.?$/.test(v) ? null : 'awalan kode rekening, mis. 5.1.02') }),
    fs.field('cari_menurut', 'Cari menurut', { kind: 'select', options: SEARCH_BY }),
    fs.field('cari', 'Kata cari', { attrs: { type: 'search', placeholder: 'CMS20260304-000421' } }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'entries-search', text: 'Terapkan' }),
      h('a', { class: 'btn btn-outline', href: '#/entri', text: 'Hapus saring' })));
  for (const [name, f] of fs.fields) f.input.value = q.get(name) || f.input.value;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (fs.checkAll()) return;
    const out = new URLSearchParams();
    for (const [name, f] of fs.fields) {
      const value = f.input.value.trim();
      if (value && !(name === 'cari_menurut' && !fs.value('cari').trim())) out.set(name, value);
    }
    navigate('#/entri' + (out.toString() ? '?' + out : ''));
  });
  return form;
}

// ---- One entry -------------------------------------------------------------------------

const FIELD_LABEL = {
  seq: 'Seq', kind: 'Jenis', v: 'Versi', region: 'Daerah', fiscal_year: 'Tahun anggaran', opd: 'OPD',
  sub_activity: 'Sub-kegiatan', account: 'Rekening', mechanism: 'Mekanisme', instrument: 'Instrumen',
  cash_reason: 'Alasan tunai', value_date: 'Tanggal bayar', gross: 'Bruto', taxes: 'Pajak', net: 'Bersih',
  payee: 'Penerima', 'payee.name': 'Nama penerima', 'payee.npwp': 'NPWP', 'payee.pkp': 'PKP',
  'payee.bank': 'Bank', 'payee.account_no': 'Nomor rekening', 'payee.account_name': 'Nama rekening',
  bank_ref: 'Referensi bank', 'documents.spp': 'SPP', 'documents.spm': 'SPM', 'documents.sp2d': 'SP2D',
  'documents.evidence_no': 'Nomor bukti', 'documents.evidence_date': 'Tanggal bukti',
  'procurement.method': 'Metode pengadaan', 'procurement.type': 'Jenis pengadaan',
  'procurement.contract_no': 'Nomor kontrak', 'procurement.contract_value': 'Nilai kontrak',
  description: 'Uraian', reverses: 'Membatalkan seq', reason: 'Alasan', tax_type: 'Jenis pajak',
  amount: 'Jumlah', billing_code: 'Kode billing', ntpn: 'NTPN', deposit_date: 'Tanggal setor',
  covers: 'Menutup pajak entri', refunds: 'Mengembalikan seq', sts_no: 'Nomor STS', pagu: 'Pagu',
  stage: 'Tahap', effective_date: 'Tanggal berlaku', note: 'Catatan', code: 'Kode', name: 'Nama',
  recorded_at: 'Dicatat pada', recorded_by: 'Dicatat oleh',
};
const MONEY_FIELDS = new Set(['gross', 'net', 'amount', 'pagu', 'procurement.contract_value']);
const DATE_FIELDS = new Set(['value_date', 'deposit_date', 'documents.evidence_date', 'effective_date']);

// Every field of `e` as [path, label, shown value] rows, nested objects flattened.
function entryRows(e) {
  const rows = [];
  const walk = (obj, prefix) => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? prefix + '.' + key : key;
      if (key === 'taxes') {
        rows.push([path, 'Pajak', value.length === 0 ? 'tidak ada' : value.map((t) => t.type + ' ' + rupiah(t.amount)).join('; ')]);
      } else if (key === 'monthly_plan') {
        rows.push([path, 'RAK bulanan', value.map((m, i) => MONTHS[i] + ' ' + rupiah(m)).join('; ')]);
      } else if (value && typeof value === 'object' && !Array.isArray(value)) {
        walk(value, path);
      } else {
        let shown = Array.isArray(value) ? value.map((s) => '#' + s).join(', ') : String(value);
        if (MONEY_FIELDS.has(path)) shown = rupiah(value);
        else if (DATE_FIELDS.has(path)) shown = date(value) + ' (' + value + ')';
        else if (path === 'recorded_at') shown = dateTime(value);
        else if (path === 'instrument') shown = INSTRUMENTS[value] + ' (' + value + ')';
        else if (path === 'kind') shown = KIND_LABEL[value] || value;
        rows.push([path, FIELD_LABEL[path] || path, shown]);
      }
    }
  };
  walk(e, '');
  const order = Object.keys(FIELD_LABEL);
  const rank = (path) => (order.includes(path) ? order.indexOf(path) : order.length);
  return rows.sort((a, b) => rank(a[0]) - rank(b[0]));
}

async function renderEntry(view, seqText, id) {
  if (!/^\d{1,18}$/.test(seqText)) throw new Error('nomor entri tidak sah');
  const [item, reversals] = await Promise.all([
    api('/v1/entries/' + seqText),
    api('/v1/entries?kind=reversal&limit=1000').catch((error) => {
      if (error.status === 401) throw error;
      return null;
    }),
  ]);
  if (!stillCurrent(id)) return;
  const e = item.entry;
  const reversedBy = reversals ? (reversals.entries || []).find((r) => r.entry.reverses === e.seq) : null;
  view.replaceChildren(...[
    h('div', { class: 'page-title' },
      h('h1', { 'data-testid': 'entry-title', text: KIND_LABEL[e.kind] + ' #' + e.seq }),
      reversedBy ? h('p', { class: 'badge-reversed', 'data-testid': 'entry-reversed' }, 'Dibatalkan oleh ',
        h('a', { href: '#/entri/' + reversedBy.entry.seq, text: '#' + reversedBy.entry.seq })) : null),
    h('section', { class: 'panel', 'data-testid': 'entry-page' },
      h('dl', { class: 'entry-fields officer-fields', 'data-testid': 'entry-fields' }, entryRows(e).map(([path, label, shown]) =>
        h('div', { 'data-field': path }, h('dt', { text: label }), h('dd', { 'data-testid': 'field-' + path.replace(/\./g, '-'), text: shown })))),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', { text: 'Hash daun' }), h('dd', { class: 'hash', text: item.leaf_hash })),
        h('div', {}, h('dt', { text: 'Hash rantai' }), h('dd', { class: 'hash', text: item.chain_hash })))),
    e.kind === 'expenditure' && !reversedBy && e.opd === session.claims.opd ? reversalPanel(e) : null,
    h('p', {}, h('a', { href: '#/entri', text: '← Kembali ke daftar entri' })),
  ].filter(Boolean));
}

// The reversal of expenditure `e`, with a reason; exported for any page that shows one.
export function reversalPanel(e) {
  const fs = new FieldSet('reversal');
  const key = newIdempotencyKey();
  const result = h('div', { 'data-testid': 'reversal-result' });
  const submit = h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'reversal-submit', text: 'Batalkan belanja ini' });
  let busy = false;
  const form = h('form', { novalidate: true, 'data-testid': 'reversal-form' },
    fs.field('reason', 'Alasan pembatalan', { kind: 'textarea', validate: check.text,
      hint: 'Entri tidak dihapus: pembatalan dicatat sebagai entri baru yang menunjuk belanja ini.' }),
    fs.general, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy || fs.checkAll()) return;
    busy = true;
    submit.disabled = true;
    try {
      const appended = await api('/v1/entries/' + e.seq + '/reversal', {
        method: 'POST', body: { reason: fs.value('reason').trim() }, headers: { 'Idempotency-Key': key },
      });
      form.remove();
      result.replaceChildren(appendConfirmation('Belanja #' + e.seq + ' dibatalkan', appended));
    } catch (error) {
      if (!onAuthError(error)) fs.showServerErrors(error.errors, 'Gagal membatalkan: ' + error.message + '.');
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  return h('section', { class: 'panel danger-zone', 'data-testid': 'reversal-panel' },
    h('details', {}, h('summary', { 'data-testid': 'reversal-open', text: 'Batalkan belanja (koreksi)' }), form), result);
}

// ---- Tax deposit -----------------------------------------------------------------------

async function renderTaxDeposit(view, id) {
  let open;
  try {
    open = await api('/v1/tax/open-withholdings?fiscal_year=' + session.year);
  } catch (error) {
    if (error.status === 401) throw error;
    open = { withholdings: null, error };
  }
  if (!stillCurrent(id)) return;
  const fs = new FieldSet('setor');
  let key = newIdempotencyKey();
  let busy = false;
  const list = h('div', { class: 'withholdings', 'data-testid': 'withholdings' });
  const sumOut = h('output', { 'data-testid': 'setor-sum', text: rupiah('0') });
  const chosen = new Set();
  const amountField = fs.field('amount', 'Jumlah disetor (Rp)', { attrs: { inputmode: 'decimal' }, validate: check.positiveMoney,
    hint: 'Terisi dari jumlah terbuka yang dipilih; ubah hanya untuk setoran sebagian (selisih lebih menjadi kelebihan setor).' });
  const coversError = h('p', { class: 'field-error', 'data-testid': 'setor-covers-error', hidden: true });
  fs.fields.set('covers', { input: list, error: coversError, validate: null, touched: false });
  const openOf = (type) => (open.withholdings || []).filter((w) => w.tax_type === type);
  const sumChosen = () => {
    let sen = 0n;
    for (const w of openOf(fs.value('tax_type'))) if (chosen.has(w.seq)) sen += parseMoney(w.open).sen;
    return sen;
  };
  const refreshSum = () => {
    const sen = sumChosen();
    sumOut.textContent = senRupiah(sen);
    fs.fields.get('amount').input.value = sen > 0n ? senText(sen) : '';
    if (fs.fields.get('amount').touched) fs.checkOne('amount');
  };
  const drawList = () => {
    chosen.clear();
    const rows = openOf(fs.value('tax_type'));
    if (open.withholdings === null) {
      list.replaceChildren(h('p', { class: 'error', text: 'Pajak terbuka tidak dapat dimuat: ' + open.error.message + '.' }));
    } else if (rows.length === 0) {
      list.replaceChildren(h('p', { class: 'muted', 'data-testid': 'withholdings-empty', text: 'Tidak ada pajak jenis ini yang belum disetor.' }));
    } else {
      list.replaceChildren(...rows.map((w, i) => {
        const boxId = 'wh-' + w.seq + '-' + i;
        const box = h('input', { type: 'checkbox', id: boxId, value: String(w.seq), 'data-testid': 'withholding-' + w.seq });
        box.addEventListener('change', () => {
          if (box.checked) chosen.add(w.seq); else chosen.delete(w.seq);
          coversError.hidden = true;
          refreshSum();
        });
        return h('label', { class: 'withholding', for: boxId }, box,
          h('span', { class: 'wh-main' }, h('strong', { text: '#' + w.seq + ' · ' + (w.payee || '') }),
            h('span', { class: 'muted', text: date(w.value_date) + (w.bank_ref ? ' · ' + w.bank_ref : '') + (w.evidence_no ? ' · ' + w.evidence_no : '') })),
          h('span', { class: 'wh-amount' }, h('strong', { text: rupiah(w.open) }),
            h('span', { class: 'muted', text: 'dipotong ' + rupiah(w.withheld) + ', disetor ' + rupiah(w.deposited) })));
      }));
    }
    refreshSum();
  };
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'setor-submit', text: 'Catat setoran' });
  const result = h('div', { 'data-testid': 'setor-result' });
  const form = h('form', { class: 'entry-form', novalidate: true, 'data-testid': 'setor-form' },
    h('fieldset', {}, h('legend', { text: 'Pajak yang disetor' }),
      h('div', { class: 'form-grid' },
        fs.field('tax_type', 'Jenis pajak', { kind: 'select', options: TAX_TYPES, validate: check.required })),
      h('p', { class: 'field-hint', text: 'Pilih pemotongan yang ditutup setoran ini:' }), list, coversError,
      h('p', { class: 'net-line' }, 'Jumlah terbuka yang dipilih: ', sumOut)),
    h('fieldset', {}, h('legend', { text: 'Bukti setor' }),
      h('div', { class: 'form-grid' },
        fs.field('ntpn', 'NTPN', { attrs: { maxlength: 16, autocapitalize: 'characters' }, validate: check.ntpn }),
        fs.field('billing_code', 'Kode billing', { attrs: { inputmode: 'numeric', maxlength: 15 }, validate: check.billing }),
        fs.field('deposit_date', 'Tanggal setor', { attrs: { type: 'date' }, validate: check.date }),
        amountField)),
    fs.general, h('div', { class: 'actions' }, submit));
  fs.fields.get('tax_type').input.addEventListener('change', drawList);
  fs.fields.get('ntpn').input.addEventListener('input', (event) => { event.target.value = event.target.value.toUpperCase(); });
  fs.fields.get('deposit_date').input.value = defaultDate();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const bad = fs.checkAll();
    if (chosen.size === 0) {
      coversError.textContent = 'pilih paling sedikit satu pemotongan pajak';
      coversError.hidden = false;
      const box = list.querySelector('input');
      if (!bad && box) box.focus();
      return;
    }
    if (bad) return;
    busy = true;
    submit.disabled = true;
    try {
      const body = {
        kind: 'tax_deposit', fiscal_year: session.year, opd: session.claims.opd, tax_type: fs.value('tax_type'),
        amount: senText(parseMoney(fs.value('amount')).sen), billing_code: fs.value('billing_code').trim(),
        ntpn: fs.value('ntpn').trim(), deposit_date: fs.value('deposit_date'), covers: [...chosen].sort((a, b) => a - b),
      };
      const appended = await api('/v1/entries', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      key = newIdempotencyKey();
      result.replaceChildren(appendConfirmation('Setoran pajak tercatat', appended,
        h('p', {}, body.tax_type + ' ' + rupiah(body.amount) + ' dengan NTPN ' + body.ntpn + ' menutup ' +
          body.covers.map((s) => '#' + s).join(', ') + '.')));
      form.hidden = true;
      result.scrollIntoView({ block: 'start' });
    } catch (error) {
      if (onAuthError(error)) return;
      const covers = (error.errors || []).filter((x) => x.field && x.field.startsWith('covers'));
      fs.showServerErrors((error.errors || []).filter((x) => !covers.includes(x)), 'Gagal mencatat setoran: ' + error.message + '.');
      if (covers.length > 0) {
        coversError.textContent = covers.map((x) => x.field + ': ' + x.message).join('; ');
        coversError.hidden = false;
      }
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  view.replaceChildren(
    h('div', { class: 'page-title' }, h('h1', { text: 'Setor Pajak' }),
      h('p', { class: 'as-of', text: 'Tahun Anggaran ' + session.year + ' · ' + session.claims.opd })),
    result,
    h('section', { class: 'panel', 'data-testid': 'setor-page' }, form));
  drawList();
}
