// Jejak web app — the page of one OPD (#/opd/CODE), opened from the Bupati's dashboard:
// its headline figures, its curve against the RAK, spending by account group (belanja
// modal always shown), payment instruments with the cash payments counted, and its
// findings (counts and amounts; only an auditor reads the findings themselves).
'use strict';

import {
  MONTHS, session, rupiah, percent, integer, num, date, h, section, setStatus, api, route, stillCurrent, labels,
  rupiahCompact,
} from './core.js';
import {
  kpi, nonCashNote, chartHost, drawCharts, lineChart, bandOf, bandLabel, compareMoney, legendBands,
} from './bupati.js';

const GROUPS = ['pegawai', 'barang_jasa', 'modal', 'lainnya'];
const INSTRUMENT_ORDER = ['cms_transfer', 'sp2d_ls', 'kkpd', 'qris', 'cash'];

// Registers the OPD page for the roles that read summaries.
export function register() {
  route('#/opd/:code', { roles: ['executive', 'auditor'], title: 'Halaman OPD', nav: null, render: opdPage });
}

async function opdPage(view, params, query, id) {
  const year = session.year;
  const code = params.code;
  setStatus('Memuat data OPD ' + code + '…');
  const [abs, findings, names] = await Promise.all([
    api('/v1/summary/absorption?fiscal_year=' + year + '&opd=' + encodeURIComponent(code)),
    api('/v1/audit/findings?fiscal_year=' + year + '&opd=' + encodeURIComponent(code)).catch((error) => {
      if (error.status === 401) throw error;
      return { error };
    }),
    labels(),
  ]);
  if (!stillCurrent(id)) return;
  const row = (abs.opds || []).find((o) => o.opd === code);
  const back = h('p', { class: 'crumbs' }, h('a', { href: session.claims.role === 'auditor' ? '#/serapan' : '#/', text: '← Dasbor' }));
  if (!row) {
    view.replaceChildren(back, section('opd-kosong', 'OPD ' + code, null,
      h('p', { class: 'no-data', 'data-testid': 'no-data', text: 'OPD ini tidak terdaftar atau tidak ada data untuk tahun ' + year + '.' })));
    setStatus('');
    return;
  }
  const empty = row.pagu === '0.00' && row.realisation === '0.00' && !(findings.counts && findings.counts.length);
  view.replaceChildren(
    back,
    h('div', { class: 'page-title' },
      h('h1', { 'data-testid': 'opd-title', text: row.name }),
      h('p', { class: 'as-of' }, h('span', { class: 'opd-code', text: row.opd }), ' Tahun Anggaran ' + abs.fiscal_year +
        ' · posisi per ', h('strong', { text: date(abs.as_of) }))),
    ...(empty
      ? [section('opd-kosong', 'Tahun Anggaran ' + year, null,
        h('p', { class: 'no-data', 'data-testid': 'no-data', text: 'Tidak ada data untuk tahun ini' }))]
      : [
        headline(row),
        h('div', { class: 'grid-2' }, curve(row), groups(row, names)),
        instruments(row, names),
        findingsPanel(findings, names, code),
      ]));
  drawCharts();
  setStatus('Data ' + row.name + ' tahun ' + year + ' dimuat.');
}

function headline(row) {
  return h('section', { class: 'panel totals', 'aria-labelledby': 'opd-totals-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'opd-totals-title', text: 'Serapan Anggaran OPD' })),
    h('div', { class: 'kpis' },
      kpi('Pagu', { money: row.pagu }, 'opd-pagu'),
      kpi('Realisasi', { money: row.realisation }, 'opd-realisasi'),
      kpi('Serapan', percent(row.percent), 'opd-persen', null, 'kpi-accent'),
      kpi('Sisa Pagu', { money: row.remaining }, 'opd-sisa'),
      kpi('Deviasi terhadap RAK', percent(row.deviation_percent), 'opd-deviasi',
        h('span', { class: 'band-chip band-' + bandOf(row), text: bandLabel(bandOf(row)) })),
      kpi('Pembayaran Non-Tunai', percent(row.non_cash.share_percent), 'opd-nontunai', nonCashNote(row.non_cash))));
}

function curve(row) {
  const at = row.monthly.reduce((last, m, i) => (m.realisation !== null ? i : last), -1);
  const summary = h('p', { class: 'chart-summary', 'data-testid': 'opd-curve-summary' }, 'Realisasi ',
    h('strong', { text: rupiah(row.realisation) }),
    at >= 0 && row.monthly[at].plan !== null
      ? [' · Rencana (RAK) s.d. ' + MONTHS[at] + ' ', h('strong', { text: rupiah(row.monthly[at].plan) })]
      : ' · RAK tidak tersedia');
  return section('opd-kurva', 'Kurva Serapan Kumulatif', 'Realisasi kumulatif per bulan dibandingkan Rencana (RAK)',
    summary,
    chartHost((width) => lineChart(row, width), 'Kurva realisasi kumulatif ' + row.name + ' dibandingkan RAK'),
    h('ul', { class: 'legend' },
      h('li', {}, h('span', { class: 'swatch swatch-line-real' }), 'Realisasi kumulatif'),
      h('li', {}, h('span', { class: 'swatch swatch-line-plan' }), 'Rencana (RAK) kumulatif'),
      h('li', {}, h('span', { class: 'swatch swatch-line-pagu' }), 'Pagu')),
    legendBands());
}

// Pagu and realisation per account group, belanja modal (5.2) always listed and marked.
function groups(row, names) {
  const items = GROUPS.map((g) => {
    const v = (row.account_groups || {})[g] || { pagu: '0.00', realisation: '0.00' };
    const pagu = num(v.pagu) || 0;
    const real = num(v.realisation) || 0;
    const pct = pagu > 0 ? (100 * real) / pagu : null;
    const fill = h('span', { class: 'share-fill' + (g === 'modal' ? ' fill-modal' : '') });
    fill.style.width = (pct === null ? 0 : Math.max(0, Math.min(100, pct))) + '%';
    return h('li', { class: 'group-row' + (g === 'modal' ? ' group-modal' : ''), 'data-testid': 'group-' + g },
      h('div', { class: 'share-head' },
        h('span', { class: 'opd-name', text: names.account_groups[g] || g }),
        h('span', { class: 'share-value', text: pct === null ? 'tanpa pagu' : pct.toLocaleString('id-ID', { maximumFractionDigits: 2 }) + '%' })),
      h('span', { class: 'share-bar' }, fill),
      h('p', { class: 'share-note' }, 'Realisasi ', h('span', { class: 'money', 'data-testid': 'group-' + g + '-realisasi', title: rupiah(v.realisation),
        text: rupiahCompact(v.realisation) }), ' dari pagu ', h('span', { class: 'money', title: rupiah(v.pagu), text: rupiahCompact(v.pagu) })));
  });
  return section('opd-kelompok', 'Belanja per Kelompok Rekening', 'Pegawai (5.1.01), barang dan jasa (5.1.02), modal (5.2), lainnya',
    h('ul', { class: 'share-list one-col', 'data-testid': 'account-groups' }, items));
}

function instruments(row, names) {
  const by = row.non_cash.by_instrument || {};
  return section('opd-instrumen', 'Instrumen Pembayaran', 'Jumlah dan nilai realisasi per instrumen; tunai ditandai',
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'instruments-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Instrumen' }), h('th', { scope: 'col', class: 'num', text: 'Transaksi' }),
        h('th', { scope: 'col', class: 'num', text: 'Nilai' }))),
      h('tbody', {}, INSTRUMENT_ORDER.map((k) => {
        const v = by[k] || { amount: '0.00', count: 0 };
        return h('tr', { 'data-instrument': k, class: k === 'cash' && v.count > 0 ? 'row-cash' : null },
          h('td', { 'data-label': 'Instrumen', text: names.instruments[k] || k }),
          h('td', { class: 'num', 'data-label': 'Transaksi', text: integer(v.count) }),
          h('td', { class: 'num money', 'data-label': 'Nilai', text: rupiah(v.amount) }));
      })))));
}

function findingsPanel(findings, names, code) {
  if (findings.error) {
    return section('opd-temuan', 'Temuan', null, h('p', { class: 'muted', text: findings.error.status === 403
      ? 'Temuan tidak tersedia untuk peran token ini.' : 'Temuan tidak dapat dimuat: ' + findings.error.message + '.' }));
  }
  const counts = (findings.counts || []).filter((c) => c.opd === code)
    .sort((a, b) => compareMoney(b.amount, a.amount) || a.rule.localeCompare(b.rule));
  const total = counts.reduce((n, c) => n + c.count, 0);
  const auditor = session.claims.role === 'auditor';
  return section('opd-temuan', 'Temuan (' + integer(total) + ')',
    auditor ? 'Hasil aturan audit otomatis atas entri OPD ini' : 'Jumlah dan nilai temuan; rinciannya dibaca auditor',
    counts.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'opd-no-findings', text: 'Tidak ada temuan untuk OPD ini pada tahun ini.' })
      : h('ul', { class: 'opd-findings', 'data-testid': 'opd-findings' }, counts.map((c) =>
        h('li', { 'data-rule': c.rule },
          h('span', { class: 'rule-count', text: integer(c.count) }),
          h('span', { class: 'rule-name', text: names.rules[c.rule] || c.rule }),
          h('span', { class: 'money', title: rupiah(c.amount), text: rupiahCompact(c.amount) })))),
    auditor ? h('p', {}, h('a', { href: '#/temuan?opd=' + encodeURIComponent(code), text: 'Baca temuan OPD ini' })) : null);
}
