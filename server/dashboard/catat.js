// Jejak web app — the bendahara's form to record an expenditure (#/catat): the budget line
// chosen from the OPD's lines in force with the remaining pagu, instrument and mechanism,
// documents, tax lines with the net computed exactly in sen, the payee remembered from
// earlier payments, checks as the user types and the server's errors beside their fields.
'use strict';

import { INSTRUMENTS, session, h, api, rupiah, stillCurrent, signOut, authMessage } from './core.js';
import {
  FieldSet, check, parseMoney, senText, senRupiah, npwpDigits, newIdempotencyKey, appendConfirmation,
} from './form.js';

export const TAX_TYPES = [['PPN', 'PPN'], ['PPh21', 'PPh 21'], ['PPh22', 'PPh 22'], ['PPh23', 'PPh 23'], ['PPh4(2)', 'PPh 4(2)']];
export const MECHANISMS = [['LS', 'LS — langsung ke penerima'], ['GU', 'GU — ganti uang persediaan'],
  ['UP', 'UP — uang persediaan'], ['TU', 'TU — tambahan uang persediaan']];
const PAYEE_LOOKUP_MAX = 8;

// The OPD's budget lines in force ({lines, name}), or { lines: null, error } when the
// server cannot list them (the form then takes the codes as typed).
export async function budgetLines(year) {
  try {
    return await api('/v1/budget-lines?fiscal_year=' + year);
  } catch (error) {
    if (error.status === 401) throw error;
    return { lines: null, error };
  }
}

// Draws the form into `view`.
export async function renderCatat(view, id) {
  const budget = await budgetLines(session.year);
  if (!stillCurrent(id)) return;
  const form = new ExpenditureForm(view, budget);
  form.draw();
}

class ExpenditureForm {
  constructor(view, budget) {
    this.view = view;
    this.budget = budget;
    this.fs = new FieldSet('catat');
    this.taxRows = [];  // { row, key }
    this.taxCounter = 0;
    this.key = newIdempotencyKey();
    this.busy = false;
  }

  draw() {
    const fs = this.fs;
    const lines = this.budget.lines;
    const subs = lines ? [...new Set(lines.map((l) => l.sub_activity))] : [];
    const budgetBlock = lines && lines.length > 0
      ? [
        fs.field('sub_activity', 'Sub-kegiatan', {
          kind: 'select', options: [['', '— pilih sub-kegiatan —'], ...subs.map((s) => [s, s])], validate: check.required,
        }),
        fs.field('account', 'Rekening belanja', { kind: 'select', options: [['', '— pilih sub-kegiatan dulu —']], validate: check.required }),
        h('p', { class: 'pagu-note', 'data-testid': 'catat-remaining', 'aria-live': 'polite' }),
      ]
      : [
        h('p', { class: 'field-hint', 'data-testid': 'catat-no-lines' }, lines
          ? 'Belum ada pagu yang berlaku untuk OPD ini pada tahun ' + session.year + '; tulis kodenya.'
          : 'Daftar pagu tidak dapat dimuat (' + this.budget.error.message + '); tulis kodenya.'),
        fs.field('sub_activity', 'Kode sub-kegiatan', { attrs: { placeholder: '1.02.02.2.01.0014' }, validate: check.subActivity }),
        fs.field('account', 'Kode rekening belanja', { attrs: { placeholder: '5.1.02.01.01.0024' }, validate: check.account }),
      ];
    this.taxList = h('div', { class: 'tax-lines', 'data-testid': 'catat-taxes' });
    this.netOut = h('output', { class: 'net-value', 'data-testid': 'catat-net', text: '—' });
    this.payeePick = h('div', { class: 'payee-pick', 'data-testid': 'payee-pick', hidden: true });
    this.bankBlock = h('div', { class: 'form-grid', 'data-testid': 'catat-bank' },
      fs.field('bank_ref', 'Referensi bank (CMS/SP2D)', { validate: check.identifier, attrs: { placeholder: 'CMS20260304-000421' } }),
      fs.field('payee.bank', 'Bank penerima', { validate: check.text }),
      fs.field('payee.account_no', 'Nomor rekening penerima', { validate: check.identifier, attrs: { inputmode: 'numeric' } }),
      fs.field('payee.account_name', 'Nama pemilik rekening', { validate: check.text }));
    this.cashBlock = h('div', { class: 'form-grid', 'data-testid': 'catat-cash', hidden: true },
      fs.field('cash_reason', 'Alasan pembayaran tunai', { kind: 'textarea', validate: check.text,
        hint: 'Pembayaran tunai menjadi temuan CASH_PAYMENT; tulis mengapa tidak dapat non-tunai.' }));
    this.submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'catat-submit', text: 'Catat belanja' });
    this.form = h('form', { class: 'entry-form', novalidate: true, 'data-testid': 'catat-form', onsubmit: (e) => { e.preventDefault(); this.send(); } },
      h('fieldset', {}, h('legend', { text: 'Anggaran' }), h('div', { class: 'form-grid' }, ...budgetBlock)),
      h('fieldset', {}, h('legend', { text: 'Pembayaran' }),
        h('div', { class: 'form-grid' },
          fs.field('instrument', 'Instrumen', { kind: 'select', options: Object.entries(INSTRUMENTS), validate: check.required }),
          fs.field('mechanism', 'Mekanisme', { kind: 'select', options: MECHANISMS, validate: check.required }),
          fs.field('value_date', 'Tanggal bayar', { attrs: { type: 'date' }, validate: check.date }),
          fs.field('gross', 'Nilai bruto (Rp)', { attrs: { inputmode: 'decimal', placeholder: '12.500.000,00' }, validate: check.positiveMoney })),
        this.cashBlock),
      h('fieldset', {}, h('legend', { text: 'Pajak dipotong/dipungut' }),
        this.taxList,
        h('button', { type: 'button', class: 'btn btn-outline btn-small', 'data-testid': 'catat-add-tax', onclick: () => this.addTax(), text: '+ Tambah pajak' }),
        h('p', { class: 'net-line' }, 'Nilai bersih dibayar: ', this.netOut)),
      h('fieldset', {}, h('legend', { text: 'Penerima' }),
        h('div', { class: 'form-grid' },
          fs.field('payee.name', 'Nama penerima', { validate: check.text, hint: 'Ketik awal nama atau NPWP: penerima dari pembayaran sebelumnya ditawarkan.' }),
          fs.field('payee.npwp', 'NPWP (boleh kosong)', { attrs: { inputmode: 'numeric' }, validate: (v) => (v.trim() === '' ? null : check.npwp(v)) })),
        this.payeePick,
        this.bankBlock),
      h('fieldset', {}, h('legend', { text: 'Dokumen' }),
        h('div', { class: 'form-grid' },
          fs.field('documents.spp', 'Nomor SPP', { validate: optional(check.identifier) }),
          fs.field('documents.spm', 'Nomor SPM', { validate: optional(check.identifier) }),
          fs.field('documents.sp2d', 'Nomor SP2D', { validate: optional(check.identifier) }),
          fs.field('documents.evidence_no', 'Nomor bukti (kuitansi)', { validate: optional(check.identifier) }),
          fs.field('documents.evidence_date', 'Tanggal bukti', { attrs: { type: 'date' }, validate: optional(check.date) })),
        fs.field('description', 'Uraian', { kind: 'textarea', validate: check.text })),
      fs.general,
      h('div', { class: 'actions' }, this.submit));
    this.result = h('div', { 'data-testid': 'catat-result' });
    this.view.replaceChildren(
      h('div', { class: 'page-title' }, h('h1', { text: 'Catat Belanja' }),
        h('p', { class: 'as-of', text: 'Tahun Anggaran ' + session.year + ' · OPD ' + (session.claims.opd || '') })),
      this.result,
      h('section', { class: 'panel', 'data-testid': 'catat-page' }, this.form));
    this.wire();
  }

  wire() {
    const fs = this.fs;
    const input = (path) => fs.fields.get(path).input;
    if (this.budget.lines && this.budget.lines.length > 0) {
      input('sub_activity').addEventListener('change', () => this.fillAccounts());
      input('account').addEventListener('change', () => this.showRemaining());
    }
    input('instrument').addEventListener('change', () => this.instrumentChanged());
    input('gross').addEventListener('input', () => { this.updateNet(); this.showRemaining(); });
    let timer = null;
    const lookup = (param, valueOf) => () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.lookupPayee(param, valueOf()), 250);
    };
    input('payee.name').addEventListener('input', lookup('payee', () => input('payee.name').value.trim()));
    input('payee.npwp').addEventListener('input', lookup('payee_npwp', () => npwpDigits(input('payee.npwp').value)));
    input('value_date').value = defaultDate();
    this.updateNet();
  }

  fillAccounts() {
    const sub = this.fs.value('sub_activity');
    const select = this.fs.fields.get('account').input;
    const lines = this.budget.lines.filter((l) => l.sub_activity === sub);
    select.replaceChildren(h('option', { value: '', text: sub ? '— pilih rekening —' : '— pilih sub-kegiatan dulu —' }),
      ...lines.map((l) => h('option', { value: l.account, text: l.account + ' · sisa ' + rupiah(l.remaining) })));
    if (lines.length === 1) select.value = lines[0].account;
    this.showRemaining();
  }

  // The remaining pagu of the chosen line, and a warning when the gross exceeds it.
  showRemaining() {
    const note = this.view.querySelector('[data-testid="catat-remaining"]');
    if (!note) return;
    const line = this.budget.lines.find((l) => l.sub_activity === this.fs.value('sub_activity') && l.account === this.fs.value('account'));
    if (!line) { note.textContent = ''; return; }
    note.replaceChildren('Pagu ', h('strong', { text: rupiah(line.pagu) }), ' · realisasi ', rupiah(line.realisation),
      ' · sisa pagu ', h('strong', { 'data-testid': 'catat-remaining-value', text: rupiah(line.remaining) }),
      line.stage ? ' (' + line.stage + ')' : '');
    const gross = parseMoney(this.fs.value('gross'));
    const remaining = parseMoney(line.remaining);
    note.classList.toggle('warn', Boolean(gross.sen !== undefined && remaining.sen !== undefined && gross.sen > remaining.sen));
    if (note.classList.contains('warn')) {
      note.append(h('span', { class: 'warn-text', text: ' — nilai bruto melampaui sisa pagu (akan menjadi temuan OVER_PAGU)' }));
    }
  }

  instrumentChanged() {
    const cash = this.fs.value('instrument') === 'cash';
    this.bankBlock.hidden = cash;
    this.cashBlock.hidden = !cash;
    for (const path of ['bank_ref', 'payee.bank', 'payee.account_no', 'payee.account_name', 'cash_reason']) this.fs.setError(path, null);
  }

  addTax(type = 'PPN', amount = '') {
    const key = this.taxCounter++;
    const row = h('div', { class: 'tax-row', 'data-testid': 'tax-row' });
    const entry = { row, key };
    this.taxRows.push(entry);
    this.renumberTaxes();
    this.taxList.append(row);
    const typeInput = this.fs.fields.get(entry.typePath).input;
    typeInput.value = type;
    this.fs.fields.get(entry.amountPath).input.value = amount;
    this.fs.fields.get(entry.amountPath).input.focus();
    this.updateNet();
  }

  removeTax(entry) {
    this.taxRows = this.taxRows.filter((t) => t !== entry);
    entry.row.remove();
    this.renumberTaxes();
    this.updateNet();
  }

  // Tax rows are named taxes[i] in the order sent, so the server's errors land on them.
  renumberTaxes() {
    const kept = this.taxRows.map((t) => ({
      t, type: t.typePath ? this.fs.value(t.typePath) : 'PPN', amount: t.amountPath ? this.fs.value(t.amountPath) : '',
    }));
    for (const { t } of kept) {
      if (t.typePath) { this.fs.drop(t.typePath); this.fs.drop(t.amountPath); }
    }
    kept.forEach(({ t, type, amount }, i) => {
      t.typePath = 'taxes[' + i + '].type';
      t.amountPath = 'taxes[' + i + '].amount';
      t.row.replaceChildren(
        this.fs.field(t.typePath, 'Jenis pajak ' + (i + 1), { kind: 'select', options: TAX_TYPES, validate: check.required }),
        this.fs.field(t.amountPath, 'Jumlah (Rp)', { attrs: { inputmode: 'decimal' }, validate: check.positiveMoney }),
        h('button', { type: 'button', class: 'btn btn-outline btn-small tax-remove', 'aria-label': 'Hapus pajak ' + (i + 1),
          onclick: () => this.removeTax(t), text: 'Hapus' }));
      this.fs.fields.get(t.typePath).input.value = type;
      const amountInput = this.fs.fields.get(t.amountPath).input;
      amountInput.value = amount;
      amountInput.addEventListener('input', () => this.updateNet());
    });
  }

  // Net = gross − Σ taxes, exactly in sen; null (with the reason shown) when not computable.
  computeNet() {
    const gross = parseMoney(this.fs.value('gross'));
    if (gross.error) return { error: 'isi nilai bruto' };
    let sum = 0n;
    for (const t of this.taxRows) {
      const m = parseMoney(this.fs.value(t.amountPath));
      if (m.error) return { error: 'periksa jumlah pajak' };
      sum += m.sen;
    }
    const net = gross.sen - sum;
    if (net < 0n) return { error: 'potongan pajak (' + senRupiah(sum) + ') melebihi nilai bruto' };
    return { sen: net };
  }

  updateNet() {
    const net = this.computeNet();
    this.netOut.textContent = net.error ? '— (' + net.error + ')' : senRupiah(net.sen);
    this.netOut.classList.toggle('invalid-text', Boolean(net.error) && net.error.startsWith('potongan'));
  }

  async lookupPayee(param, value) {
    if (!value || (param === 'payee' && value.length < 2) || (param === 'payee_npwp' && !/^\d{15,16}$/.test(value))) {
      this.payeePick.hidden = true;
      return;
    }
    let page;
    try {
      page = await api('/v1/entries?kind=expenditure&order=desc&limit=50&' + param + '=' + encodeURIComponent(value));
    } catch (_) {
      this.payeePick.hidden = true;  // Remembering payees is a help; the form works without it.
      return;
    }
    const seen = new Map();
    for (const { entry } of page.entries || []) {
      const p = entry.payee;
      if (!p) continue;
      const k = [p.name, p.npwp || '', p.account_no || ''].join('|');
      if (!seen.has(k)) seen.set(k, p);
      if (seen.size >= PAYEE_LOOKUP_MAX) break;
    }
    if (seen.size === 0) { this.payeePick.hidden = true; return; }
    this.payeePick.replaceChildren(h('p', { class: 'field-hint', text: 'Penerima dari pembayaran sebelumnya:' }),
      ...[...seen.values()].map((p) => h('button', {
        type: 'button', class: 'payee-option', 'data-testid': 'payee-option', onclick: () => this.fillPayee(p),
      }, h('strong', { text: p.name }), h('span', { text: [p.npwp ? 'NPWP ' + p.npwp : null, p.bank, p.account_no].filter(Boolean).join(' · ') }))));
    this.payeePick.hidden = false;
  }

  fillPayee(p) {
    const set = (path, value) => {
      const f = this.fs.fields.get(path);
      f.input.value = value || '';
      if (f.touched || value) this.fs.checkOne(path);
    };
    set('payee.name', p.name);
    set('payee.npwp', p.npwp);
    set('payee.bank', p.bank);
    set('payee.account_no', p.account_no);
    set('payee.account_name', p.account_name);
    this.payeePick.hidden = true;
  }

  // The entry as the API takes it, from the checked fields.
  body() {
    const v = (path) => this.fs.value(path).trim();
    const cash = v('instrument') === 'cash';
    const body = {
      kind: 'expenditure',
      fiscal_year: session.year,
      opd: session.claims.opd,
      sub_activity: v('sub_activity'),
      account: v('account'),
      mechanism: v('mechanism'),
      instrument: v('instrument'),
      value_date: v('value_date'),
      gross: senText(parseMoney(v('gross')).sen),
      taxes: this.taxRows.map((t) => ({ type: v(t.typePath), amount: senText(parseMoney(v(t.amountPath)).sen) })),
      net: senText(this.computeNet().sen),
      payee: { name: v('payee.name') },
      documents: {},
      description: this.fs.value('description').trim(),
    };
    if (v('payee.npwp')) body.payee.npwp = npwpDigits(v('payee.npwp'));
    if (cash) {
      body.cash_reason = this.fs.value('cash_reason').trim();
    } else {
      body.bank_ref = v('bank_ref');
      body.payee.bank = v('payee.bank');
      body.payee.account_no = v('payee.account_no');
      body.payee.account_name = v('payee.account_name');
    }
    for (const d of ['spp', 'spm', 'sp2d', 'evidence_no', 'evidence_date']) {
      if (v('documents.' + d)) body.documents[d] = v('documents.' + d);
    }
    return body;
  }

  async send() {
    if (this.busy) return;  // A double click sends once; the Idempotency-Key covers retries.
    if (this.fs.checkAll()) return;
    const net = this.computeNet();
    if (net.error) {
      this.fs.showGeneral(['Nilai bersih tidak dapat dihitung: ' + net.error + '.']);
      return;
    }
    this.busy = true;
    this.submit.disabled = true;
    this.submit.textContent = 'Mencatat…';
    try {
      const appended = await api('/v1/entries', { method: 'POST', body: this.body(), headers: { 'Idempotency-Key': this.key } });
      this.key = newIdempotencyKey();
      this.fs.clearErrors();
      this.form.reset();
      if (this.budget.lines && this.budget.lines.length > 0) this.fillAccounts();
      for (const t of [...this.taxRows]) this.removeTax(t);
      this.instrumentChanged();
      this.fs.fields.get('value_date').input.value = defaultDate();
      this.updateNet();
      const e = appended.entry;
      this.result.replaceChildren(appendConfirmation('Belanja tercatat', appended,
        h('p', {}, 'Nilai bersih ', h('strong', { text: rupiah(e.net) }), ' kepada ', e.payee.name,
          e.bank_ref ? ' · ref. bank ' + e.bank_ref : '', '. Formulir dikosongkan untuk pembayaran berikutnya.')));
      this.result.scrollIntoView({ block: 'start' });
    } catch (error) {
      if (error.status === 401) { signOut(authMessage(error)); return; }
      this.fs.showServerErrors(error.errors, 'Gagal mencatat: ' + error.message + '.');
    } finally {
      this.busy = false;
      this.submit.disabled = false;
      this.submit.textContent = 'Catat belanja';
    }
  }
}

function optional(validate) { return (v) => (String(v || '').trim() === '' ? null : validate(v)); }

// Today in Jakarta (YYYY-MM-DD) when it lies in the chosen fiscal year, else its 31 December.
export function defaultDate() {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
  return today.startsWith(String(session.year)) ? today : session.year + '-12-31';
}
