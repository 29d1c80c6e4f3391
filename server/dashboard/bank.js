// Jejak web app — the bank reconciliation page ("Rekonsiliasi Bank") of the auditor and the
// Bupati's office: how much of what left the RKUD and the treasurers' accounts is matched
// to the ledger, the unmatched totals both ways, by month and by account, and the lists
// behind them (GET /v1/reconciliation): an unmatched bank debit opens its statement line,
// an unmatched payment its entry page, and the bank rules' findings are one link away.
'use strict';

import {
  MONTHS, session, rupiah, percent, integer, date, h, section, setStatus, api, route, navigate, stillCurrent,
  labels,
} from './core.js';
import { kpi } from './bupati.js';

export const BANK_RULES = ['BANK_DEBIT_WITHOUT_ENTRY', 'ENTRY_WITHOUT_BANK_DEBIT', 'AMOUNT_MISMATCH', 'STATEMENT_GAP',
  'CASH_WITHDRAWAL'];
const LIST_PAGE = 25;  // Rows of a list shown before "tampilkan lagi".
const ROLE_NAMES = { rkud: 'RKUD (Kas Daerah)', bendahara_pengeluaran: 'Bendahara Pengeluaran' };
const LINE_TYPES = {
  transfer: 'Transfer', cash_withdrawal: 'Tarik tunai', fee: 'Biaya bank', interest: 'Jasa giro', other: 'Lainnya',
};
const BREAK_KINDS = { gap: 'Periode hilang', balance: 'Saldo tidak bersambung' };

export function register() {
  route('#/rekonsiliasi', {
    roles: ['auditor', 'executive'], title: 'Rekonsiliasi Bank', nav: 'Rekonsiliasi bank', render: reconciliationPage,
  });
}

// "2025-03" -> "Mar 2025".
function monthName(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text || '');
  return m ? MONTHS[Number(m[2]) - 1] + ' ' + m[1] : text || '—';
}

// "12.34" of a total, from two money strings, as the API writes percentages ("99.12").
function share(part, whole) {
  const cents = (t) => BigInt(String(t).replace('.', ''));
  const w = cents(whole);
  if (w === 0n) return null;
  const basis = (cents(part) * 10000n + w / 2n) / w;
  return String(basis / 100n) + '.' + String(basis % 100n).padStart(2, '0');
}

function findingsHref(rule) {
  return session.claims && session.claims.role === 'auditor' ? '#/temuan?aturan=' + rule : '#/';
}

async function reconciliationPage(view, params, query, id) {
  const year = session.year;
  const account = query.get('rekening') || '';
  const opd = query.get('opd') || '';
  setStatus('Memuat rekonsiliasi bank tahun anggaran ' + year + '…');
  let path = '/v1/reconciliation?fiscal_year=' + year;
  if (account) path += '&account=' + encodeURIComponent(account);
  if (opd) path += '&opd=' + encodeURIComponent(opd);
  const [r, names, findings] = await Promise.all([
    api(path),
    labels(),
    api('/v1/audit/findings?fiscal_year=' + year).catch(() => null),
  ]);
  if (!stillCurrent(id)) return;
  const accounts = r.accounts || [];
  const title = h('div', { class: 'page-title' },
    h('h1', { text: 'Rekonsiliasi Bank Tahun ' + year }),
    h('p', { class: 'as-of' }, 'Posisi per ', h('strong', { 'data-testid': 'recon-as-of', text: date(r.as_of) }), ' · pohon ',
      h('span', { 'data-testid': 'recon-tree-size', text: integer(r.tree_size) }), ' entri'));
  if (accounts.length === 0 && !account && !opd) {
    view.replaceChildren(title, section('rekon-kosong', 'Belum ada rekening koran', null,
      h('p', { class: 'muted', 'data-testid': 'recon-empty', text: 'Belum ada rekening koran tahun anggaran ' + year +
        ' yang diunggah BPKAD; rekonsiliasi muncul setelah rekening koran RKUD atau bendahara diimpor.' })));
    setStatus('');
    return;
  }
  const panels = [title,
    filterPanel(r, account, opd),
    totalsPanel(r),
    rulesPanel(findings, names),
    monthsPanel(r),
    accountsPanel(r, account),
    debitsPanel('rekon-debit', 'Debit Bank Tanpa Entri', 'Uang keluar dari rekening yang tidak cocok dengan belanja atau setoran pajak mana pun — pilih baris untuk melihat mutasinya',
      r.unmatched_debits || [], 'unmatched-debit'),
    paymentsPanel(r),
    mismatchPanel(r),
    debitsPanel('rekon-tunai', 'Penarikan Tunai di Teller', 'Penarikan tunai dari rekening bendahara; tidak dicocokkan dengan entri',
      r.cash_withdrawals || [], 'cash-withdrawal'),
    breaksPanel(r),
    r.lists_truncated ? h('p', { class: 'muted', 'data-testid': 'recon-truncated',
      text: 'Daftar dipotong pada 1.000 baris; saring per rekening atau OPD untuk melihat sisanya.' }) : null];
  view.replaceChildren(...panels.filter(Boolean));
  setStatus('');
}

function filterPanel(r, account, opd) {
  const accounts = r.accounts || [];
  const opds = new Map();
  for (const a of accounts) if (a.opd) opds.set(a.opd, a.opd_name || a.opd);
  const apply = () => {
    const q = new URLSearchParams();
    const a = document.getElementById('recon-account').value;
    const o = document.getElementById('recon-opd').value;
    if (a) q.set('rekening', a);
    if (o) q.set('opd', o);
    navigate('#/rekonsiliasi' + (q.toString() ? '?' + q : ''));
  };
  const select = (idName, label, options, value) => h('div', { class: 'field' },
    h('label', { for: idName, text: label }),
    h('select', { id: idName, 'data-testid': idName + '-filter', onchange: apply },
      h('option', { value: '', text: 'Semua' }),
      options.map(([v, t]) => h('option', { value: v, text: t, selected: v === value }))));
  return h('form', { class: 'filters recon-filters', 'data-testid': 'recon-filters', onsubmit: (e) => e.preventDefault() },
    select('recon-account', 'Rekening', accounts.map((a) => [a.account_no, a.account_no + ' · ' +
      (a.role === 'rkud' ? 'RKUD' : (a.opd_name || a.opd))]), account),
    select('recon-opd', 'OPD', Array.from(opds).sort((a, b) => a[1].localeCompare(b[1], 'id')), opd));
}

function totalsPanel(r) {
  const t = r.totals;
  return section('rekon-ringkasan', 'Ringkasan', 'Mutasi debit rekening koran dicocokkan dengan entri buku besar (jendela ' +
    integer(r.params.window_days) + ' hari; pembayaran tanpa debit dihitung setelah ' + integer(r.params.debit_due_days) + ' hari)',
  h('div', { class: 'kpis' },
    kpi('Debit cocok', percent(t.matched_percent), 'recon-matched-percent',
      integer(t.matched_lines) + ' dari ' + integer(t.debit_lines) + ' baris debit', 'kpi-accent'),
    kpi('Nilai debit cocok', { money: t.matched_amount }, 'recon-matched-amount', 'dari ' + rupiah(t.debit_amount)),
    kpi('Debit bank tanpa entri', { money: t.unmatched_debit_amount }, 'recon-unmatched-debit-amount',
      integer(t.unmatched_debit_lines) + ' baris'),
    kpi('Pembayaran tanpa debit bank', { money: t.unmatched_payment_amount }, 'recon-unmatched-payment-amount',
      integer(t.unmatched_payments) + ' entri')),
  h('ul', { class: 'recon-facts' },
    h('li', {}, 'Penarikan tunai: ', h('strong', { 'data-testid': 'recon-cash-count', text: integer(t.cash_withdrawals) }),
      ' (', rupiah(t.cash_withdrawal_amount), ')'),
    h('li', {}, 'Selisih nilai: ', h('strong', { 'data-testid': 'recon-mismatch-count', text: integer(t.amount_mismatches) })),
    h('li', {}, 'Rantai saldo/periode terputus: ', h('strong', { 'data-testid': 'recon-break-count', text: integer(t.breaks) }))));
}

function rulesPanel(findings, names) {
  const counts = {};
  for (const c of (findings && findings.counts) || []) counts[c.rule] = (counts[c.rule] || 0) + c.count;
  for (const f of (findings && findings.findings) || []) if (!findings.counts) counts[f.rule] = (counts[f.rule] || 0) + 1;
  const auditor = session.claims && session.claims.role === 'auditor';
  return section('rekon-temuan', 'Temuan Aturan Bank', auditor ? 'Pilih aturan untuk membaca temuannya'
    : 'Rincian temuan ada di Dasbor, bagian Temuan',
  h('ul', { class: 'rule-cards' }, BANK_RULES.map((rule) =>
    h('li', { class: 'rule-card' + (counts[rule] ? ' has-findings' : '') },
      h('span', { class: 'rule-count', 'data-testid': 'recon-rule-count-' + rule, text: findings ? integer(counts[rule] || 0) : '—' }),
      h('a', { class: 'rule-name', href: findingsHref(rule), 'data-testid': 'recon-rule-link-' + rule,
        text: names.rules[rule] || rule }),
      h('span', { class: 'rule-code', text: rule })))));
}

function monthsPanel(r) {
  const months = r.months || [];
  return section('rekon-bulan', 'Per Bulan', null, months.length === 0 ? h('p', { class: 'muted', text: 'Tidak ada mutasi.' })
    : h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'recon-months' },
      h('caption', { class: 'sr-only', text: 'Rekonsiliasi per bulan' }),
      h('thead', {}, h('tr', {}, ['Bulan', 'Debit', 'Cocok (nilai)', 'Debit tanpa entri', 'Pembayaran tanpa debit'].map((t, i) =>
        h('th', { scope: 'col', class: i > 0 ? 'num' : null, text: t })))),
      h('tbody', {}, months.map((m) => h('tr', { 'data-testid': 'recon-month', 'data-month': m.month },
        h('th', { scope: 'row', text: monthName(m.month) }),
        h('td', { class: 'num', 'data-label': 'Debit' }, h('div', {}, integer(m.debit_lines) + ' baris', h('br'),
          h('span', { class: 'money', text: rupiah(m.debit_amount) }))),
        h('td', { class: 'num', 'data-label': 'Cocok' }, h('div', {}, h('strong', { 'data-testid': 'recon-month-percent',
          text: percent(share(m.matched_amount, m.debit_amount)) }), h('br'),
        h('span', { class: 'muted', text: integer(m.matched_lines) + ' baris' }))),
        h('td', { class: 'num', 'data-label': 'Debit tanpa entri' }, h('div', {}, integer(m.unmatched_debit_lines) + ' baris', h('br'),
          h('span', { class: 'money', text: rupiah(m.unmatched_debit_amount) }))),
        h('td', { class: 'num', 'data-label': 'Pembayaran tanpa debit' }, h('div', {}, integer(m.unmatched_payments) + ' entri',
          h('br'), h('span', { class: 'money', text: rupiah(m.unmatched_payment_amount) })))))))));
}

function accountsPanel(r, current) {
  const accounts = r.accounts || [];
  return section('rekon-rekening', 'Per Rekening', 'Pilih rekening untuk menyaring halaman ini',
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'recon-accounts' },
      h('caption', { class: 'sr-only', text: 'Rekonsiliasi per rekening' }),
      h('thead', {}, h('tr', {}, ['Rekening', 'Pemegang', 'Periode', 'Debit cocok', 'Putus'].map((t, i) =>
        h('th', { scope: 'col', class: i > 2 ? 'num' : null, text: t })))),
      h('tbody', {}, accounts.map((a) => h('tr', { 'data-testid': 'recon-account', 'data-account': a.account_no,
        class: a.account_no === current ? 'is-current' : null },
        h('td', { 'data-label': 'Rekening' }, h('div', {}, h('a', { class: 'mono nowrap',
          href: '#/rekonsiliasi?rekening=' + encodeURIComponent(a.account_no), text: a.account_no }),
        h('span', { class: 'opd-code', text: a.bank }))),
        h('td', { 'data-label': 'Pemegang' }, h('div', {}, h('span', { class: 'opd-name', text: a.role === 'rkud' ? ROLE_NAMES.rkud
          : (a.opd_name || a.opd) }), a.role === 'rkud' ? null : h('span', { class: 'opd-code', text: ROLE_NAMES[a.role] || a.role }))),
        h('td', { 'data-label': 'Periode' }, h('div', {}, integer(a.statements) + ' rekening koran', h('br'),
          h('span', { class: 'muted', text: date(a.period_start) + ' s.d. ' + date(a.period_end) }))),
        h('td', { class: 'num', 'data-label': 'Debit cocok', text: integer(a.matched_lines) + ' / ' + integer(a.debit_lines) }),
        h('td', { class: 'num', 'data-label': 'Putus', text: integer(a.breaks) })))))));
}

// A list drawn LIST_PAGE rows at a time.
function pagedList(rows, draw, testid) {
  const list = h('ol', { class: 'recon-list', 'data-testid': testid + '-list' });
  const more = h('button', { type: 'button', class: 'btn btn-outline', 'data-testid': testid + '-more' });
  let drawn = 0;
  const next = () => {
    const slice = rows.slice(drawn, drawn + LIST_PAGE);
    list.append(...slice.map(draw));
    drawn += slice.length;
    more.textContent = 'Tampilkan ' + integer(Math.min(LIST_PAGE, rows.length - drawn)) + ' berikutnya';
    more.hidden = drawn >= rows.length;
  };
  more.addEventListener('click', next);
  next();
  return [list, more];
}

// The detail of one statement line: everything the bank said about it.
function lineDetail(d) {
  const row = (label, value, testid) => [h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value || '—' })];
  return h('dl', { class: 'recon-detail', 'data-testid': 'recon-line-detail' },
    row('Tanggal buku', date(d.date), 'line-date'),
    row('Tanggal valuta', date(d.value_date), 'line-value-date'),
    row('Nilai', rupiah(d.amount), 'line-amount'),
    row('Referensi bank', d.bank_ref, 'line-bank-ref'),
    row('Rekening lawan', d.counter_account, 'line-counter-account'),
    row('Nama lawan', d.counter_name, 'line-counter-name'),
    row('Keterangan', d.description, 'line-description'),
    row('Jenis', LINE_TYPES[d.type] || d.type, 'line-type'),
    row('Rekening', d.account_no + (d.opd ? ' · ' + d.opd : ''), 'line-account'),
    row('Baris di berkas', d.source_line ? integer(d.source_line) : '', 'line-source-line'),
    [h('dt', { text: 'Rekening koran' }), h('dd', {}, h('a', { href: '#/entri/' + d.statement_seq, 'data-testid': 'line-statement',
      text: 'entri #' + d.statement_seq + ', baris ' + integer(d.line_index + 1) }))]);
}

function debitsPanel(idName, title, subtitle, rows, testid) {
  if (rows.length === 0) {
    return section(idName, title, null, h('p', { class: 'ok-note', 'data-testid': testid + '-none', text: 'Tidak ada.' }));
  }
  const draw = (d) => {
    const detail = h('div', { class: 'recon-detail-host' });
    const button = h('button', {
      type: 'button', class: 'recon-row', 'aria-expanded': 'false', 'data-testid': testid,
      'data-statement-seq': d.statement_seq, 'data-line-index': d.line_index,
      onclick: () => {
        const open = button.getAttribute('aria-expanded') === 'true';
        button.setAttribute('aria-expanded', open ? 'false' : 'true');
        detail.replaceChildren(...(open ? [] : [lineDetail(d)]));
      },
    },
    h('span', { class: 'recon-when nowrap', text: date(d.date) }),
    h('span', { class: 'recon-what', text: d.counter_name || d.description || d.bank_ref || '—' }),
    h('span', { class: 'recon-amount money', text: rupiah(d.amount) }));
    return h('li', {}, button, detail);
  };
  return section(idName, title, subtitle, ...pagedList(rows, draw, testid));
}

function paymentsPanel(r) {
  const rows = r.unmatched_payments || [];
  const names = new Map((r.accounts || []).filter((a) => a.opd).map((a) => [a.opd, a.opd_name || a.opd]));
  const kinds = { expenditure: 'Belanja', tax_deposit: 'Setoran pajak' };
  if (rows.length === 0) {
    return section('rekon-bayar', 'Pembayaran Tanpa Debit Bank', null,
      h('p', { class: 'ok-note', 'data-testid': 'unmatched-payment-none', text: 'Setiap pembayaran tercatat sudah terdebit.' }));
  }
  const draw = (p) => h('li', {}, h('a', { class: 'recon-row', href: '#/entri/' + p.seq, 'data-testid': 'unmatched-payment',
    'data-seq': p.seq },
  h('span', { class: 'recon-when nowrap', text: date(p.date) }),
  h('span', { class: 'recon-what', text: '#' + p.seq + ' · ' + (kinds[p.kind] || p.kind) + ' · ' + (names.get(p.opd) || p.opd) +
    (p.bank_ref ? ' · ' + p.bank_ref : '') }),
  h('span', { class: 'recon-amount money', text: rupiah(p.amount) })));
  return section('rekon-bayar', 'Pembayaran Tanpa Debit Bank',
    'Belanja dan setoran pajak yang tercatat tetapi tidak ditemukan di rekening koran — pilih untuk membuka entrinya',
    ...pagedList(rows, draw, 'unmatched-payment'));
}

function mismatchPanel(r) {
  const rows = r.amount_mismatches || [];
  if (rows.length === 0) return null;
  return section('rekon-selisih', 'Selisih Nilai', 'Referensi bank sama, nilai berbeda',
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'recon-mismatches' },
      h('thead', {}, h('tr', {}, ['Entri', 'Referensi', 'Nilai entri', 'Nilai bank'].map((t, i) =>
        h('th', { scope: 'col', class: i > 1 ? 'num' : null, text: t })))),
      h('tbody', {}, rows.map((m) => h('tr', { 'data-testid': 'recon-mismatch', 'data-seq': m.entry_seq },
        h('td', { 'data-label': 'Entri' }, h('a', { href: '#/entri/' + m.entry_seq, text: '#' + m.entry_seq })),
        h('td', { class: 'wrap', 'data-label': 'Referensi', text: m.bank_ref || '—' }),
        h('td', { class: 'num money', 'data-label': 'Nilai entri', text: rupiah(m.entry_amount) }),
        h('td', { class: 'num money', 'data-label': 'Nilai bank', text: rupiah(m.line_amount) })))))));
}

function breaksPanel(r) {
  const rows = r.breaks || [];
  if (rows.length === 0) return null;
  return section('rekon-putus', 'Rantai Rekening Koran Terputus', 'Periode yang tidak tercakup atau saldo awal yang tidak sama dengan saldo akhir sebelumnya',
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'recon-breaks' },
      h('thead', {}, h('tr', {}, ['Rekening', 'Jenis', 'Rincian'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, rows.map((b) => h('tr', { 'data-testid': 'recon-break', 'data-account': b.account_no, 'data-kind': b.kind },
        h('td', { class: 'mono nowrap', 'data-label': 'Rekening', text: b.account_no }),
        h('td', { 'data-label': 'Jenis', text: BREAK_KINDS[b.kind] || b.kind }),
        h('td', { 'data-label': 'Rincian' }, b.kind === 'gap'
          ? date(b.missing_from) + ' s.d. ' + date(b.missing_to)
          : 'saldo akhir ' + rupiah(b.expected) + ', saldo awal berikutnya ' + rupiah(b.actual), h('br'),
        h('a', { href: '#/entri/' + b.previous_seq, text: '#' + b.previous_seq }), ' → ',
        h('a', { href: '#/entri/' + b.next_seq, text: '#' + b.next_seq }))))))));
}
