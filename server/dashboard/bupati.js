// Jejak web app — the Bupati's pages: budget absorption of every OPD (totals, curve
// against the RAK, ranking by TEPRA band, non-cash share), findings counts and the ledger's
// integrity; each OPD opens its own page (opd.js). Registered as the home page of every
// reading role that has none of its own (a role's own home is registered first), and as
// #/serapan for the auditor.
'use strict';

import {
  $, MONTHS, RULES, INSTRUMENTS, session, rupiah, percent, integer, compactRupiah, num,
  dateTime, date, h, s, section, setStatus, api, fetchIntegrity, route, stillCurrent, signOut, authMessage,
  isEmptyYear, labels, moneyCompact, rupiahCompact,
} from './core.js';

const BANDS = [
  ['blue', 'Biru', 'deviasi di atas −10% dari RAK'],
  ['green', 'Hijau', 'deviasi −10% s.d. −20%'],
  ['yellow', 'Kuning', 'deviasi −20% s.d. −30%'],
  ['red', 'Merah', 'deviasi di bawah −30%'],
  ['none', 'Abu-abu', 'tanpa RAK'],
];
const DRILL_MAX = 50;

// This page's data: what was loaded for the year on screen.
const state = {
  year: null,
  absorption: null,
  findings: null,
  findingsError: null,
  integrity: null,
  region: null,
  curveOpd: '',
  drill: null,
  labels: null,
};

// Loads the year's absorption, findings counts, integrity and the region's name, then draws.
async function load(view, id) {
  const year = session.year;
  setStatus('Memuat data tahun anggaran ' + year + '…');
  const [abs, findings, integrity, region, names] = await Promise.all([
    api('/v1/summary/absorption?fiscal_year=' + year),
    api('/v1/audit/findings?fiscal_year=' + year).catch((error) => {
      if (error.status === 401) throw error;
      return { error };
    }),
    fetchIntegrity().catch((error) => {
      if (error.status === 401) throw error;
      return { error };
    }),
    session.region ? Promise.resolve(session.region)
      : api('/v1/entries/0').then((e) => (e.entry && e.entry.region) || null).catch(() => null),
    labels(),
  ]);
  if (!stillCurrent(id)) return;
  state.year = year;
  state.absorption = abs;
  state.findings = findings.error ? null : findings;
  state.findingsError = findings.error || null;
  state.integrity = integrity;
  state.region = session.region = region;
  state.drill = null;
  state.labels = names;
  if (state.curveOpd && !abs.opds.some((o) => o.opd === state.curveOpd)) state.curveOpd = '';
  render();
  setStatus('Data tahun anggaran ' + year + ' dimuat, posisi per ' + date(abs.as_of) + '.');
}

// Registers the Bupati's pages.
export function register() {
  route('#/', {
    roles: ['executive', 'auditor', 'officer'],
    title: 'Dasbor Serapan Anggaran',
    nav: 'Dasbor',
    render: (view, params, query, id) => load(view, id),
  });
  route('#/serapan', {
    roles: ['auditor'],
    title: 'Dasbor Serapan Anggaran',
    nav: 'Serapan anggaran',
    render: (view, params, query, id) => load(view, id),
  });
}

// The rule labels: GET /v1/labels when loaded, else the built-in table.
function ruleLabel(rule) {
  return (state.labels && state.labels.rules[rule]) || (RULES.find((r) => r[0] === rule) || [rule, rule])[1];
}

function render() {
  const root = $('dashboard');
  const abs = state.absorption;
  $('region').textContent = (state.region ? state.region + ' · ' : '') + 'Tahun Anggaran ' + abs.fiscal_year;
  const title = h('div', { class: 'page-title' },
    h('h1', { text: 'Serapan Anggaran Tahun ' + abs.fiscal_year }),
    h('p', { class: 'as-of' }, 'Posisi per ', h('strong', { 'data-testid': 'as-of', text: date(abs.as_of) }),
      ' · ', integer(abs.opds.length), ' OPD'));
  if (isEmptyYear(abs) && !(state.findings && state.findings.counts.length > 0)) {
    // Nothing was budgeted or spent: no axis, no ranking and no "no findings" to show.
    root.replaceChildren(title,
      section('kosong', 'Tahun Anggaran ' + abs.fiscal_year, null,
        h('p', { class: 'no-data', 'data-testid': 'no-data', text: 'Tidak ada data untuk tahun ini' }),
        h('p', { class: 'muted', text: 'Belum ada pagu maupun belanja yang dicatat untuk tahun anggaran ' + abs.fiscal_year +
          '. Pilih tahun lain di kolom Tahun Anggaran.' })),
      renderIntegrity(state.integrity));
    root.hidden = false;
    return;
  }
  root.replaceChildren(
    title,
    renderTotals(abs),
    h('div', { class: 'grid-2' }, renderCurve(abs), renderIntegrity(state.integrity)),
    renderRanking(abs),
    renderNonCash(abs),
    renderFindings(abs),
  );
  root.hidden = false;
  drawCharts();
}

// A headline figure. `value` is text, or { money } for an amount shown compactly (Rp 1,10 T)
// with the exact amount as its title and below it.
export function kpi(label, value, testid, note, extraClass) {
  const money = value && typeof value === 'object' && 'money' in value;
  return h('div', { class: 'kpi' + (extraClass ? ' ' + extraClass : '') },
    h('p', { class: 'kpi-label', text: label }),
    money ? moneyCompact('p', { class: 'kpi-value', 'data-testid': testid }, value.money)
      : h('p', { class: 'kpi-value', 'data-testid': testid, text: value }),
    money && rupiahCompact(value.money) !== rupiah(value.money)
      ? h('p', { class: 'kpi-exact', 'data-testid': testid + '-exact', text: rupiah(value.money) }) : null,
    note ? h('p', { class: 'kpi-note' }, note) : null);
}

function currentMonthIndex(row) {
  let at = -1;
  row.monthly.forEach((m, i) => { if (m.realisation !== null) at = i; });
  return at;
}

export function bandOf(row) { return row.band || 'none'; }
export function bandLabel(band) { return (BANDS.find((b) => b[0] === band) || BANDS[4])[1]; }

// "Jan 2026" of the band's month "2026-01", or a dash before the first month has ended.
function bandMonthName(month) {
  return month ? MONTHS[Number(month.slice(5, 7)) - 1] + ' ' + month.slice(0, 4) : '—';
}

function renderTotals(abs) {
  const t = abs.total;
  const band = bandOf(t);
  const pct = Math.max(0, Math.min(100, num(t.percent) || 0));
  const meter = h('div', { class: 'meter', role: 'img', 'aria-label': 'Serapan ' + percent(t.percent) + ' dari pagu' },
    h('div', { class: 'meter-fill band-' + band }));
  meter.firstChild.style.width = pct + '%';
  // The TEPRA band compares at the end of the last month that has ended; inside a month
  // its realisation so far is shown beside it.
  const bandNote = [h('span', { class: 'band-chip band-' + band, text: bandLabel(band) })];
  if (t.month_to_date !== null && t.month_to_date !== undefined) {
    bandNote.push(' · bulan berjalan ' + rupiah(t.month_to_date));
  }
  const refunds = t.refunds || { amount: '0.00', count: 0 };
  const corrections = t.corrections || { amount: '0.00', count: 0 };
  const other = t.other_revenue || { amount: '0.00', count: 0 };
  return h('section', { class: 'panel totals', 'aria-labelledby': 'totals-title' },
    h('div', { class: 'panel-head' },
      h('h2', { id: 'totals-title', text: 'Serapan Anggaran Daerah' }),
      h('p', { class: 'panel-sub', text: 'Seluruh OPD, realisasi belanja terhadap pagu yang berlaku' })),
    h('div', { class: 'kpis' },
      kpi('Pagu', { money: t.pagu }, 'total-pagu'),
      kpi('Realisasi', { money: t.realisation }, 'total-realisasi',
        'setelah pengembalian belanja ' + rupiah(refunds.amount)),
      kpi('Serapan', percent(t.percent), 'total-persen', meter, 'kpi-accent'),
      kpi('Sisa Pagu', { money: t.remaining }, 'total-sisa'),
      kpi('Rencana (RAK) s.d. akhir ' + bandMonthName(t.band_month), t.band_plan === null ? '—' : { money: t.band_plan }, 'total-rencana',
        'realisasi rekening ber-RAK ' + rupiah(t.band_realisation)),
      kpi('Deviasi terhadap RAK', percent(t.deviation_percent), 'total-deviasi', bandNote),
      kpi('Pembayaran Non-Tunai', percent(t.non_cash.share_percent), 'total-nontunai', nonCashNote(t.non_cash)),
      kpi('Pengembalian Belanja', { money: refunds.amount }, 'total-pengembalian',
        integer(refunds.count) + ' setoran STS; koreksi ' + integer(corrections.count) + ' transaksi (' +
        rupiah(corrections.amount) + ')'),
      kpi('Pendapatan Lain-lain', { money: other.amount }, 'total-pendapatan-lain',
        integer(other.count) + ' pengembalian belanja tahun lalu'),
    ));
}

// "Rp 12,50 jt non-tunai dari 20 transaksi · 8 pembayaran tunai (Rp 3,20 jt)": the share
// alone would hide the cash payments behind it.
export function nonCashNote(nc) {
  return [rupiahCompact(nc.amount) + ' dari ' + integer(nc.count + nc.cash.count) + ' transaksi · ',
    h('span', { class: nc.cash.count > 0 ? 'cash-count has-cash' : 'cash-count', 'data-testid': 'cash-count',
      text: integer(nc.cash.count) + ' pembayaran tunai' + (nc.cash.count > 0 ? ' (' + rupiahCompact(nc.cash.amount) + ')' : '') })];
}

// Charts are drawn at the container's pixel width so text stays legible on a phone.
const charts = [];
export function chartHost(draw, label) {
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  charts.push({ host, draw });
  return host;
}

export function drawCharts() {
  for (let i = charts.length - 1; i >= 0; i--) {
    const { host, draw } = charts[i];
    if (!host.isConnected) { charts.splice(i, 1); continue; }
    const width = Math.max(260, Math.floor(host.clientWidth || 600));
    host.replaceChildren(draw(width));
  }
}

let resizeTimer = null;
let lastWidth = window.innerWidth;
window.addEventListener('resize', () => {
  if (window.innerWidth === lastWidth) return;
  lastWidth = window.innerWidth;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawCharts, 120);
});

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function renderCurve(abs) {
  const select = h('select', { id: 'curve-opd', 'data-testid': 'curve-opd' },
    h('option', { value: '', text: 'Seluruh daerah (total)' }),
    abs.opds.map((o) => h('option', { value: o.opd, text: o.name + ' (' + o.opd + ')' })));
  select.value = state.curveOpd;
  const row = () => (state.curveOpd ? abs.opds.find((o) => o.opd === state.curveOpd) : abs.total) || abs.total;
  const summary = h('p', { class: 'chart-summary', 'data-testid': 'curve-summary' });
  const updateSummary = () => {
    const r = row();
    const at = currentMonthIndex(r);
    const parts = ['Realisasi ', h('strong', { text: rupiah(r.realisation) })];
    if (at >= 0 && r.monthly[at].plan !== null) {
      parts.push(' · Rencana (RAK) s.d. ' + MONTHS[at] + ' ', h('strong', { text: rupiah(r.monthly[at].plan) }),
        ' · Deviasi ', h('strong', { text: percent(r.deviation_percent) }));
    } else {
      parts.push(' · RAK tidak tersedia');
    }
    summary.replaceChildren(...parts);
  };
  updateSummary();
  const host = chartHost((width) => lineChart(row(), width),
    'Kurva realisasi kumulatif bulanan dibandingkan rencana kas (RAK)');
  select.addEventListener('change', () => {
    state.curveOpd = select.value;
    updateSummary();
    drawCharts();
  });
  return section('kurva', 'Kurva Serapan Kumulatif', 'Realisasi kumulatif per bulan dibandingkan Rencana (RAK)',
    h('div', { class: 'field-inline' }, h('label', { for: 'curve-opd', text: 'Wilayah / OPD' }), select),
    summary,
    host,
    h('ul', { class: 'legend' },
      h('li', {}, h('span', { class: 'swatch swatch-line-real' }), 'Realisasi kumulatif'),
      h('li', {}, h('span', { class: 'swatch swatch-line-plan' }), 'Rencana (RAK) kumulatif'),
      h('li', {}, h('span', { class: 'swatch swatch-line-pagu' }), 'Pagu')));
}

export function lineChart(row, width) {
  const height = width < 480 ? 240 : 280;
  const pad = { left: width < 480 ? 64 : 84, right: 14, top: 14, bottom: 30 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const real = row.monthly.map((m) => num(m.realisation));
  const plan = row.monthly.map((m) => num(m.plan));
  const pagu = num(row.pagu) || 0;
  const top = niceMax(Math.max(pagu, ...real.filter((v) => v !== null), ...plan.filter((v) => v !== null)));
  const x = (i) => pad.left + (plotW * (i + 0.5)) / 12;
  const y = (v) => pad.top + plotH - (plotH * v) / top;
  const svg = s('svg', { viewBox: '0 0 ' + width + ' ' + height, width, height, class: 'svg-chart', 'aria-hidden': 'true' });
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis', text: compactRupiah(v) }));
  }
  MONTHS.forEach((m, i) => {
    if (width < 420 && i % 2 === 1) return;
    svg.append(s('text', { x: x(i), y: height - 10, 'text-anchor': 'middle', class: 'axis', text: m }));
  });
  if (pagu > 0) {
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(pagu), y2: y(pagu), class: 'line-pagu' }));
  }
  const path = (values) => {
    let d = '';
    values.forEach((v, i) => { if (v !== null) d += (d ? ' L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1); });
    return d;
  };
  if (plan.some((v) => v !== null)) svg.append(s('path', { d: path(plan), class: 'line-plan' }));
  svg.append(s('path', { d: path(real), class: 'line-real' }));
  real.forEach((v, i) => {
    if (v === null) return;
    svg.append(s('circle', { cx: x(i), cy: y(v), r: 3.5, class: 'dot-real' },
      s('title', { text: MONTHS[i] + ': realisasi ' + rupiah(row.monthly[i].realisation) +
        (row.monthly[i].plan !== null ? ', rencana ' + rupiah(row.monthly[i].plan) : '') })));
  });
  return svg;
}

export function legendBands() {
  return h('ul', { class: 'legend', 'aria-label': 'Keterangan warna' },
    BANDS.map(([band, name, meaning]) =>
      h('li', {}, h('span', { class: 'swatch band-' + band }), h('strong', { text: name }), ' — ' + meaning)),
    h('li', {}, h('span', { class: 'swatch swatch-tick' }), 'Rencana (RAK) s.d. bulan berjalan'));
}

function renderRanking(abs) {
  const ranked = abs.opds.slice().sort((a, b) => (num(b.percent) ?? -1) - (num(a.percent) ?? -1) ||
    a.opd.localeCompare(b.opd));
  const host = chartHost((width) => rankingChart(ranked, width), 'Peringkat OPD menurut persentase serapan');
  const table = h('table', { class: 'data-table stack', 'data-testid': 'ranking-table' },
    h('caption', { class: 'sr-only', text: 'Peringkat serapan per OPD' }),
    h('thead', {}, h('tr', {},
      ['No', 'OPD', 'Pagu', 'Realisasi', 'Serapan', 'Deviasi RAK', 'Warna'].map((t, i) =>
        h('th', { scope: 'col', class: i >= 2 && i <= 5 ? 'num' : null, text: t })))),
    h('tbody', {}, ranked.map((o, i) => h('tr', { 'data-opd': o.opd },
      h('td', { class: 'num', 'data-label': 'No', text: String(i + 1) }),
      h('td', { 'data-label': 'OPD' }, h('a', { class: 'opd-name', href: opdHref(o.opd), 'data-testid': 'opd-link', text: o.name }),
        h('span', { class: 'opd-code', text: o.opd })),
      h('td', { class: 'num money', 'data-label': 'Pagu', text: rupiah(o.pagu) }),
      h('td', { class: 'num money', 'data-label': 'Realisasi', text: rupiah(o.realisation) }),
      h('td', { class: 'num', 'data-label': 'Serapan', text: percent(o.percent) }),
      h('td', { class: 'num', 'data-label': 'Deviasi RAK', text: percent(o.deviation_percent) }),
      h('td', { 'data-label': 'Warna' }, h('span', { class: 'band-chip band-' + bandOf(o), text: bandLabel(bandOf(o)) }))))));
  return section('peringkat', 'Peringkat Serapan per OPD',
    'Diurutkan menurut persentase realisasi terhadap pagu; warna menurut deviasi terhadap Rencana (RAK) bulan berjalan; ' +
    'pilih OPD untuk membuka halamannya',
    legendBands(), host,
    h('details', { class: 'table-details' }, h('summary', { text: 'Tabel rincian per OPD' }),
      h('div', { class: 'table-wrap' }, table)));
}

function rankingChart(rows, width) {
  const rowH = 46;
  const pad = { left: 8, right: 70, top: 6 };
  const barW = width - pad.left - pad.right;
  const maxPct = Math.max(100, ...rows.map((o) => num(o.percent) || 0));
  const height = pad.top + rows.length * rowH + 8;
  const svg = s('svg', { viewBox: '0 0 ' + width + ' ' + height, width, height, class: 'svg-chart', 'aria-hidden': 'true' });
  const maxChars = Math.floor(barW / 7);
  rows.forEach((o, i) => {
    const y0 = pad.top + i * rowH;
    const pct = num(o.percent) || 0;
    const w = Math.max(pct > 0 ? 2 : 0, (barW * pct) / maxPct);
    const name = (i + 1) + '. ' + o.name;
    const link = s('a', { href: opdHref(o.opd), class: 'bar-link', 'data-testid': 'ranking-bar', 'data-opd': o.opd,
      tabindex: '-1' });  // A pointer shortcut; the table's links serve the keyboard and screen readers.
    svg.append(link);
    link.append(
      s('text', { x: pad.left, y: y0 + 14, class: 'bar-label', text: name.length > maxChars ? name.slice(0, maxChars - 1) + '…' : name },
        s('title', { text: o.name + ' (' + o.opd + ')' })),
      s('rect', { x: pad.left, y: y0 + 20, width: barW, height: 16, rx: 3, class: 'bar-track' }),
      s('rect', { x: pad.left, y: y0 + 20, width: w, height: 16, rx: 3, class: 'bar band-' + bandOf(o) },
        s('title', { text: o.name + ': serapan ' + percent(o.percent) + ', realisasi ' + rupiah(o.realisation) +
          ' dari pagu ' + rupiah(o.pagu) + ', deviasi RAK ' + percent(o.deviation_percent) })),
      s('text', { x: width - pad.right + 8, y: y0 + 33, class: 'bar-value', text: percent(o.percent) }));
    const at = currentMonthIndex(o);
    const plan = at >= 0 ? num(o.monthly[at].plan) : null;
    const pagu = num(o.pagu);
    if (plan !== null && pagu > 0) {
      const px = pad.left + (barW * Math.min(maxPct, (100 * plan) / pagu)) / maxPct;
      link.append(s('line', { x1: px, x2: px, y1: y0 + 17, y2: y0 + 39, class: 'plan-tick' },
        s('title', { text: 'Rencana (RAK) s.d. ' + MONTHS[at] + ': ' + rupiah(o.monthly[at].plan) })));
    }
  });
  return svg;
}

function renderNonCash(abs) {
  const rows = abs.opds.slice().sort((a, b) => (num(b.non_cash.share_percent) ?? -1) - (num(a.non_cash.share_percent) ?? -1) ||
    a.opd.localeCompare(b.opd));
  const list = h('ul', { class: 'share-list', 'data-testid': 'noncash-list' }, rows.map((o) => {
    const share = num(o.non_cash.share_percent);
    const fill = h('span', { class: 'share-fill' + (share !== null && share < 100 ? ' share-warn' : '') });
    fill.style.width = (share === null ? 0 : Math.max(0, Math.min(100, share))) + '%';
    const instruments = Object.entries(o.non_cash.by_instrument || {})
      .filter(([, v]) => v.count > 0)
      .map(([k, v]) => (INSTRUMENTS[k] || k) + ' ' + integer(v.count) + '×');
    return h('li', { class: 'share-row', 'data-opd': o.opd },
      h('div', { class: 'share-head' },
        h('a', { class: 'opd-name', href: opdHref(o.opd), text: o.name }),
        h('span', { class: 'share-value', text: share === null ? 'belum ada pembayaran' : percent(o.non_cash.share_percent) })),
      h('span', { class: 'share-bar', role: 'img', 'aria-label': 'Non-tunai ' + percent(o.non_cash.share_percent) }, fill),
      h('p', { class: 'share-note' },
        'Non-tunai ' + rupiah(o.non_cash.amount) + ' · Tunai ' + rupiah(o.non_cash.cash.amount) + ' (' +
        integer(o.non_cash.cash.count) + ' pembayaran)' + (instruments.length ? ' · ' + instruments.join(', ') : '')));
  }));
  return section('nontunai', 'Pembayaran Non-Tunai per OPD',
    'Bagian nilai belanja yang dibayar non-tunai (CMS, SP2D-LS, KKPD, QRIS); sasaran 100%', list);
}

// Orders two money strings ("-12.50", "3.00") exactly: negative, zero or positive.
export function compareMoney(a, b) {
  const cents = (t) => {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(t));
    if (!m) return 0n;
    const v = BigInt(m[2] + ((m[3] || '') + '00').slice(0, 2));
    return m[1] ? -v : v;
  };
  const d = cents(a) - cents(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function opdHref(code) { return '#/opd/' + encodeURIComponent(code); }

function renderFindings(abs) {
  const names = Object.fromEntries(abs.opds.map((o) => [o.opd, o.name]));
  if (!state.findings) {
    const why = state.findingsError && state.findingsError.status === 403
      ? 'Temuan tidak tersedia untuk peran token ini.'
      : 'Temuan tidak dapat dimuat' + (state.findingsError ? ': ' + state.findingsError.message : '') + '.';
    return section('temuan', 'Temuan', null, h('p', { class: 'muted', text: why }));
  }
  const counts = state.findings.counts || [];
  const perRule = {};
  for (const c of counts) perRule[c.rule] = (perRule[c.rule] || 0) + c.count;
  const total = counts.reduce((n, c) => n + c.count, 0);
  const ruleCards = h('ul', { class: 'rule-cards' }, RULES.map(([rule]) =>
    h('li', { class: 'rule-card' + (perRule[rule] ? ' has-findings' : '') },
      h('span', { class: 'rule-count', 'data-testid': 'rule-count-' + rule, text: integer(perRule[rule] || 0) }),
      h('span', { class: 'rule-name', text: ruleLabel(rule) }),
      h('span', { class: 'rule-code', text: rule }))));
  let matrix;
  if (counts.length === 0) {
    matrix = h('p', { class: 'ok-note', 'data-testid': 'no-findings', text: 'Tidak ada temuan untuk tahun anggaran ini.' });
  } else {
    // One row per rule and OPD, the largest amount first: nothing scrolls out of the box,
    // and the finding that matters most is at the top.
    const rows = counts.slice().sort((a, b) => compareMoney(b.amount, a.amount) || b.count - a.count ||
      a.rule.localeCompare(b.rule) || a.opd.localeCompare(b.opd));
    matrix = h('div', { class: 'table-wrap' }, h('table', { class: 'data-table findings-table stack', 'data-testid': 'findings-table' },
      h('caption', { text: 'Temuan per aturan dan OPD, nilai terbesar di atas — pilih angka untuk melihat entri di baliknya' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Aturan' }), h('th', { scope: 'col', text: 'OPD' }),
        h('th', { scope: 'col', class: 'num', text: 'Temuan dan nilai' }))),
      h('tbody', {}, rows.map((c) => {
        const label = ruleLabel(c.rule);
        const opdName = names[c.opd] || c.opd;
        return h('tr', { 'data-testid': 'findings-row', 'data-rule': c.rule, 'data-opd': c.opd },
          h('td', { 'data-label': 'Aturan' }, h('span', { class: 'rule-name', text: label }), h('span', { class: 'rule-code', text: c.rule })),
          h('td', { 'data-label': 'OPD' }, h('a', { class: 'opd-name', href: opdHref(c.opd), text: opdName }),
            h('span', { class: 'opd-code', text: c.opd })),
          h('td', { class: 'num', 'data-label': 'Temuan' }, h('button', {
            type: 'button', class: 'count-btn', 'data-testid': 'finding-count-' + c.rule + '-' + c.opd,
            'data-rule': c.rule, 'data-opd': c.opd,
            'aria-label': label + ' di ' + opdName + ': ' + c.count + ' temuan, lihat entri',
            'aria-controls': 'drilldown-host',
            onclick: (event) => {
              for (const b of document.querySelectorAll('.count-btn.is-active')) b.classList.remove('is-active');
              event.currentTarget.classList.add('is-active');
              openDrill(c, opdName);
            },
          }, h('span', { text: integer(c.count) }), h('span', { class: 'count-amount', text: rupiah(c.amount) }))));
      }))));
  }
  const drill = h('div', { id: 'drilldown-host' });
  return section('temuan', 'Temuan', 'Hasil aturan audit otomatis atas entri tahun ini (' + integer(total) + ' temuan)',
    ruleCards, matrix, drill);
}

async function openDrill(count, opdName) {
  const host = $('drilldown-host');
  if (!host) return;
  const id = {};
  state.drill = id;
  const title = h('h3', { id: 'drilldown-title', tabindex: '-1', text: 'Rincian: ' + ruleLabel(count.rule) + ' — ' + opdName });
  const close = h('button', { type: 'button', class: 'btn btn-outline btn-small', text: 'Tutup', onclick: () => {
    state.drill = null;
    host.replaceChildren();
    for (const b of document.querySelectorAll('.count-btn.is-active')) b.classList.remove('is-active');
  } });
  const body = h('div', { class: 'drill-body' }, h('p', { class: 'muted', text: 'Memuat entri…' }));
  host.replaceChildren(h('div', { class: 'drilldown', 'data-testid': 'drilldown', role: 'region', 'aria-labelledby': 'drilldown-title' },
    h('div', { class: 'drill-head' }, title, close), body));
  title.focus();
  try {
    let entries;
    let note = null;
    if (Array.isArray(count.seqs)) {
      const seqs = count.seqs.slice(0, DRILL_MAX);
      entries = [];
      for (let i = 0; i < seqs.length; i += 6) {
        const batch = await Promise.all(seqs.slice(i, i + 6).map((seq) => api('/v1/entries/' + seq)));
        entries.push(...batch.map((b) => b.entry));
      }
      // seq_count is the total behind the count; the list carries at most its first 500.
      const total = Number.isInteger(count.seq_count) ? count.seq_count : count.seqs.length;
      if (total > seqs.length) note = 'Menampilkan ' + integer(seqs.length) + ' dari ' + integer(total) + ' entri.';
    } else {
      const page = await api('/v1/entries?opd=' + encodeURIComponent(count.opd) + '&fiscal_year=' + state.year +
        '&kind=expenditure&limit=' + DRILL_MAX);
      entries = page.entries.map((e) => e.entry);
      note = 'Server ini belum menyertakan nomor entri per temuan; ditampilkan entri belanja OPD ini.';
    }
    if (state.drill !== id) return;
    body.replaceChildren(...[note ? h('p', { class: 'muted', text: note }) : null, entriesTable(entries)].filter(Boolean));
  } catch (error) {
    if (state.drill !== id) return;
    if (error.status === 401) return signOut(authMessage(error));
    body.replaceChildren(h('p', { class: 'error', text: 'Gagal memuat entri: ' + error.message + '.' }));
  }
}

function entriesTable(entries) {
  const names = Object.fromEntries((state.absorption ? state.absorption.opds : []).map((o) => [o.opd, o.name]));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data-table drill-table stack' },
    h('caption', { class: 'sr-only', text: 'Entri buku besar di balik temuan' }),
    h('thead', {}, h('tr', {}, ['Seq', 'Tanggal', 'OPD', 'Uraian', 'Penerima', 'Instrumen', 'Bruto'].map((t) =>
      h('th', { scope: 'col', class: t === 'Bruto' || t === 'Seq' ? 'num' : null, text: t })))),
    h('tbody', {}, entries.map((e) => {
      const kind = e.kind;
      const when = e.value_date || e.deposit_date || (e.recorded_at || '').slice(0, 10);
      let what = e.description || e.reason || '';
      if (kind === 'reversal') what = 'Pembatalan entri #' + e.reverses + (e.reason ? ': ' + e.reason : '');
      if (kind === 'tax_deposit') what = 'Setoran ' + e.tax_type + ' (NTPN ' + e.ntpn + ')';
      return h('tr', { 'data-testid': 'drilldown-row', 'data-seq': e.seq },
        h('td', { class: 'num seq', 'data-label': 'Seq' }, h('a', { href: '#/entri/' + e.seq, text: '#' + e.seq })),
        h('td', { class: 'nowrap', 'data-label': 'Tanggal', text: date(when) }),
        h('td', { 'data-label': 'OPD' }, h('span', { class: 'opd-name', text: names[e.opd] || e.opd || '—' })),
        h('td', { 'data-label': 'Uraian', text: what }),
        h('td', { 'data-label': 'Penerima', text: e.payee ? e.payee.name : '—' }),
        h('td', { 'data-label': 'Instrumen', text: e.instrument ? (INSTRUMENTS[e.instrument] || e.instrument) : '—' }),
        h('td', { class: 'num money', 'data-label': 'Bruto', text: rupiah(e.gross || e.amount || null) }));
    }))));
}

function renderIntegrity(integrity) {
  if (!integrity || integrity.error) {
    return section('integritas', 'Integritas Buku Besar', null,
      h('p', { class: 'muted', text: 'Status integritas tidak dapat dimuat' +
        (integrity && integrity.error ? ': ' + integrity.error.message : '') + '.' }));
  }
  const v = integrity.verification;
  let badge;
  let detail = null;
  if (!v) {
    badge = h('span', { class: 'state state-pending', 'data-testid': 'integrity-state', 'data-state': 'unknown', text: 'Belum ada laporan verifikasi' });
  } else if (v.state === 'ok') {
    badge = h('span', { class: 'state state-ok', 'data-testid': 'integrity-state', 'data-state': 'ok', text: '✓ Terverifikasi utuh' });
    detail = 'Verifikasi terakhir ' + dateTime(v.at) + ' atas ' + integer(v.entries) + ' entri' +
      (Number.isInteger(v.tree_size) ? ' (pohon ' + integer(v.tree_size) + ')' : '') + ': tidak ada perubahan yang terdeteksi.';
  } else if (v.state === 'failed') {
    badge = h('span', { class: 'state state-failed', 'data-testid': 'integrity-state', 'data-state': 'failed', text: '✗ Verifikasi GAGAL' });
    detail = 'Verifikasi ' + dateTime(v.at) + ' menemukan masalah' +
      (v.problem ? ' pada entri #' + v.problem.seq + ': ' + v.problem.what : '') + '. Segera laporkan kepada Inspektorat dan BPK.';
  } else {
    badge = h('span', { class: 'state state-pending', 'data-testid': 'integrity-state', 'data-state': 'pending', text: 'Verifikasi sedang berjalan' });
    detail = v.at ? 'Verifikasi terakhir ' + dateTime(v.at) + '.' : 'Belum ada verifikasi yang selesai sejak server dijalankan.';
  }
  const root = integrity.root_hash || '';
  return section('integritas', 'Integritas Buku Besar', 'Checkpoint bertanda tangan terbaru dan hasil verifikasi rantai hash',
    h('div', { class: 'integrity-state' }, badge),
    detail ? h('p', { class: 'integrity-detail', text: detail }) : null,
    renderStale(integrity),
    renderWitnessAlert(integrity.alert),
    renderWitnesses(integrity.witnesses),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', { text: 'Ukuran pohon (checkpoint terbaru)' }),
        h('dd', { 'data-testid': 'integrity-size', text: integer(integrity.tree_size) + ' entri' })),
      h('div', {}, h('dt', { text: 'Waktu checkpoint' }), h('dd', { 'data-testid': 'integrity-time', text: dateTime(integrity.checkpoint_time) })),
      h('div', {}, h('dt', { text: 'Akar Merkle' }), h('dd', { class: 'hash', title: root, text: root ? root.slice(0, 16) + '…' + root.slice(-8) : '—' })),
      h('div', {}, h('dt', { text: 'Asal (origin)' }), h('dd', { class: 'hash', text: integrity.origin || '—' }))));
}

// The newest checkpoint is older than the server's configured age (checkpoint_stale): the
// ledger has not been signed lately, so the figures may not be covered by a signature.
function renderStale(integrity) {
  if (integrity.checkpoint_stale !== true) return null;
  const age = Number(integrity.checkpoint_age_seconds);
  let ageText = 'lama';
  if (Number.isFinite(age)) {
    ageText = age >= 172800 ? integer(Math.floor(age / 86400)) + ' hari'
      : age >= 7200 ? integer(Math.floor(age / 3600)) + ' jam' : integer(Math.max(1, Math.floor(age / 60))) + ' menit';
  }
  return h('div', { class: 'stale-alert', role: 'alert', 'data-testid': 'checkpoint-stale' },
    h('strong', { text: '⚠ Checkpoint terbaru sudah berumur ' + ageText }),
    h('p', { text: 'Buku besar belum menandatangani checkpoint baru melebihi batas umur yang ditetapkan. Catatan sejak ' +
      dateTime(integrity.checkpoint_time) + ' belum tercakup tanda tangan; laporkan kepada pengelola Jejak di BPKAD.' }));
}

// A witness refused a checkpoint the ledger signed: the ledger was rolled back or forked,
// and appends are stopped. Shown in red above everything else in the panel.
function renderWitnessAlert(alert) {
  if (!alert) return null;
  return h('div', { class: 'witness-alert', role: 'alert', 'data-testid': 'witness-alert' },
    h('strong', { text: '✗ PERINGATAN: saksi ' + alert.witness + ' menolak checkpoint buku besar' }),
    h('p', { text: 'Buku besar mungkin telah dikembalikan ke salinan lama atau bercabang. Pencatatan ' +
      'dihentikan sejak ' + dateTime(alert.at) + '. Segera laporkan kepada Inspektorat dan BPK.' }),
    h('p', { class: 'hash', text: alert.what }));
}

const WITNESS_STATES = {
  ok: ['state-ok', 'Mutakhir'],
  pending: ['state-pending', 'Menunggu'],
  unreachable: ['state-pending', 'Tidak terjangkau'],
  refused: ['state-failed', 'MENOLAK'],
};

// Each witness the ledger pushes its checkpoints to: its latest cosigned size, how far
// behind the ledger it is, and its state.
function renderWitnesses(witnesses) {
  if (!Array.isArray(witnesses) || witnesses.length === 0) return null;
  return h('div', { class: 'witnesses' },
    h('h3', { text: 'Saksi (witness) checkpoint' }),
    h('table', { class: 'data-table witness-table', 'data-testid': 'witnesses' },
      h('thead', {}, h('tr', {},
        h('th', { text: 'Saksi' }), h('th', { class: 'num', text: 'Ukuran ditandatangani' }),
        h('th', { class: 'num', text: 'Tertinggal' }), h('th', { text: 'Status' }))),
      h('tbody', {}, witnesses.map((w) => {
        const [cls, label] = WITNESS_STATES[w.state] || ['state-pending', w.state];
        return h('tr', { 'data-testid': 'witness-row', 'data-state': w.state, title: w.detail || '' },
          h('td', { 'data-label': 'Saksi', class: 'hash', text: w.name }),
          h('td', { class: 'num', 'data-label': 'Ukuran ditandatangani', text: integer(w.cosigned_size) }),
          h('td', { class: 'num', 'data-label': 'Tertinggal', text: integer(w.lag) + ' entri' }),
          h('td', { 'data-label': 'Status' }, h('span', { class: 'state state-small ' + cls, text: label })));
      }))));
}
