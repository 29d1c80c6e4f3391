// Jejak web app — the bendahara's bulk import of a CSV or XLSX file (#/impor): choose the
// file, choose or make the column mapping (saved per OPD on the server), a dry run that
// shows every row's errors in Indonesian before anything is written, then the
// all-or-nothing commit with its seqs and checkpoint.
'use strict';

import { session, h, api, rupiah, date, route, stillCurrent, setStatus, signOut, authMessage, integer } from './core.js';
import { checkpointFacts } from './form.js';

const CSV_TYPE = 'text/csv';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'DD-MM-YYYY', 'DD.MM.YYYY', 'MM/DD/YYYY', 'YYYY/MM/DD'];
const ERRORS_SHOWN_MAX = 500;

// Registers the import page.
export function register() {
  route('#/impor', { roles: ['officer'], title: 'Impor Berkas', nav: 'Impor', render: (view, p, q, id) => renderImport(view, id) });
}

// The header cells of a CSV text's first line (quotes honoured; ";" when the line has
// more of them than ",").
export function csvHeader(text) {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] || '';
  const delimiter = (line.match(/;/g) || []).length > (line.match(/,/g) || []).length ? ';' : ',';
  const cells = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { cells.push(cell.trim()); cell = ''; } else cell += c;
  }
  cells.push(cell.trim());
  return cells.filter((c) => c !== '');
}

async function renderImport(view, id) {
  const [fields, saved] = await Promise.all([api('/v1/imports/fields'), api('/v1/imports/mappings')]);
  if (!stillCurrent(id)) return;
  new ImportPage(view, fields.fields || [], saved.mappings || []).draw();
}

class ImportPage {
  constructor(view, fields, saved) {
    this.view = view;
    this.fields = fields;
    this.saved = saved;
    this.file = null;
    this.headers = null;   // The file's column headers when the page could read them (CSV).
    this.loaded = null;    // The saved mapping the editor started from (to save only changes).
    this.checked = null;   // { file, mapping } of the last clean dry run.
    this.busy = false;
  }

  draw() {
    this.fileInput = h('input', { type: 'file', id: 'impor-file', accept: '.csv,.xlsx,' + CSV_TYPE + ',' + XLSX_TYPE, 'data-testid': 'impor-file' });
    this.fileInput.addEventListener('change', () => this.fileChosen());
    this.fileNote = h('p', { class: 'field-hint', 'data-testid': 'impor-file-note', text: 'CSV (koma atau titik koma) atau XLSX; baris pertama berisi judul kolom.' });
    this.savedSelect = h('select', { id: 'impor-saved', 'data-testid': 'impor-saved' },
      h('option', { value: '', text: '— pemetaan baru —' }),
      this.saved.map((m) => h('option', { value: m.name, text: m.name + ' (disimpan ' + date((m.saved_at || '').slice(0, 10)) + ')' })));
    this.savedSelect.addEventListener('change', () => this.pickSaved());
    this.nameInput = h('input', { id: 'impor-name', type: 'text', 'data-testid': 'impor-name', value: 'register-sp2d', maxlength: 64 });
    this.dateFormat = h('select', { id: 'impor-date-format', 'data-testid': 'impor-date-format' }, DATE_FORMATS.map((f) => h('option', { value: f, text: f })));
    this.decimal = h('select', { id: 'impor-decimal', 'data-testid': 'impor-decimal' },
      h('option', { value: ',', text: 'koma (1.234.567,89)' }), h('option', { value: '.', text: 'titik (1,234,567.89)' }));
    this.columnList = h('datalist', { id: 'impor-columns' });
    this.rows = new Map();
    const tbody = h('tbody', {}, this.fields.map((f) => {
      const column = h('input', { type: 'text', list: 'impor-columns', 'data-testid': 'map-col-' + f.path, 'aria-label': 'Kolom untuk ' + f.label });
      const fallback = h('input', { type: 'text', 'data-testid': 'map-def-' + f.path, 'aria-label': 'Nilai tetap untuk ' + f.label });
      this.rows.set(f.path, { column, fallback });
      return h('tr', {},
        h('th', { scope: 'row' }, h('span', { class: 'opd-name', text: f.label + (f.required ? ' *' : '') }), h('span', { class: 'opd-code', text: f.path })),
        h('td', { 'data-label': 'Kolom berkas' }, column),
        h('td', { 'data-label': 'Nilai tetap' }, fallback));
    }));
    if (this.rows.get('fiscal_year')) this.rows.get('fiscal_year').fallback.value = String(session.year);
    this.mapStatus = h('p', { class: 'field-hint', 'data-testid': 'impor-map-status', 'aria-live': 'polite' });
    this.checkButton = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'impor-check', onclick: () => this.run(true), text: 'Periksa (uji coba)' });
    this.commitButton = h('button', { type: 'button', class: 'btn btn-light', 'data-testid': 'impor-commit', disabled: true, onclick: () => this.run(false), text: 'Catat semua baris' });
    this.result = h('div', { 'data-testid': 'impor-result', 'aria-live': 'polite' });
    this.view.replaceChildren(
      h('div', { class: 'page-title' }, h('h1', { text: 'Impor Berkas' }),
        h('p', { class: 'as-of', text: 'Tahun Anggaran ' + session.year + ' · ' + session.claims.opd })),
      h('section', { class: 'panel', 'data-testid': 'impor-page' },
        h('div', { class: 'panel-head' }, h('h2', { text: '1. Pilih berkas' }),
          h('p', { class: 'panel-sub', text: 'Mis. register SP2D dari SIPD atau buku kas bendahara.' })),
        h('div', { class: 'field' }, h('label', { for: 'impor-file', text: 'Berkas CSV atau XLSX' }), this.fileInput, this.fileNote)),
      h('section', { class: 'panel' },
        h('div', { class: 'panel-head' }, h('h2', { text: '2. Pemetaan kolom' }),
          h('p', { class: 'panel-sub', text: 'Tiap isian entri diambil dari satu kolom berkas atau diberi nilai tetap. Pemetaan disimpan untuk OPD ini.' })),
        h('div', { class: 'form-grid' },
          h('div', { class: 'field' }, h('label', { for: 'impor-saved', text: 'Pemetaan tersimpan' }), this.savedSelect),
          h('div', { class: 'field' }, h('label', { for: 'impor-name', text: 'Nama pemetaan' }), this.nameInput),
          h('div', { class: 'field' }, h('label', { for: 'impor-date-format', text: 'Format tanggal' }), this.dateFormat),
          h('div', { class: 'field' }, h('label', { for: 'impor-decimal', text: 'Pemisah desimal' }), this.decimal)),
        this.columnList,
        h('details', { class: 'table-details', open: this.saved.length === 0 }, h('summary', { text: 'Kolom per isian' }),
          h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack mapping-table', 'data-testid': 'impor-mapping' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Isian entri' }), h('th', { scope: 'col', text: 'Kolom berkas' }),
              h('th', { scope: 'col', text: 'Nilai tetap' }))), tbody))),
        this.mapStatus),
      h('section', { class: 'panel' },
        h('div', { class: 'panel-head' }, h('h2', { text: '3. Periksa, lalu catat' }),
          h('p', { class: 'panel-sub', text: 'Uji coba memeriksa setiap baris tanpa menulis apa pun. Pencatatan bersifat semua-atau-tidak-sama-sekali.' })),
        h('div', { class: 'actions' }, this.checkButton, this.commitButton),
        this.result));
    for (const el of [this.dateFormat, this.decimal, this.nameInput]) el.addEventListener('input', () => this.changed());
    for (const { column, fallback } of this.rows.values()) {
      column.addEventListener('input', () => this.changed());
      fallback.addEventListener('input', () => this.changed());
    }
    if (this.saved.length > 0) {
      this.savedSelect.value = this.saved[0].name;
      this.pickSaved();
    }
  }

  changed() {
    this.checked = null;
    this.commitButton.disabled = true;
  }

  async fileChosen() {
    this.changed();
    this.file = this.fileInput.files[0] || null;
    this.headers = null;
    this.result.replaceChildren();
    if (!this.file) return;
    const type = this.fileType();
    if (!type) {
      this.fileNote.textContent = 'Jenis berkas tidak dikenali: pilih berkas .csv atau .xlsx.';
      return;
    }
    if (type === CSV_TYPE) {
      this.headers = csvHeader(await this.file.slice(0, 65536).text());
      this.columnList.replaceChildren(...this.headers.map((c) => h('option', { value: c })));
      this.autoMap();
    }
    this.fileNote.textContent = this.file.name + ' · ' + integer(this.file.size) + ' byte' +
      (this.headers ? ' · ' + this.headers.length + ' kolom: ' + this.headers.join(', ') : ' · judul kolom dibaca server saat uji coba');
  }

  fileType() {
    if (!this.file) return null;
    const name = this.file.name.toLowerCase();
    if (name.endsWith('.csv') || this.file.type === CSV_TYPE) return CSV_TYPE;
    if (name.endsWith('.xlsx') || this.file.type === XLSX_TYPE) return XLSX_TYPE;
    return null;
  }

  // Fills empty column choices whose field label or path names a header of the file.
  autoMap() {
    const byName = new Map(this.headers.map((c) => [c.toLowerCase(), c]));
    for (const f of this.fields) {
      const row = this.rows.get(f.path);
      if (row.column.value) continue;
      const hit = byName.get(f.label.toLowerCase()) || byName.get(f.path.toLowerCase());
      if (hit) row.column.value = hit;
    }
  }

  pickSaved() {
    this.changed();
    const m = this.saved.find((s) => s.name === this.savedSelect.value);
    for (const { column, fallback } of this.rows.values()) { column.value = ''; fallback.value = ''; }
    if (!m) {
      this.loaded = null;
      if (this.rows.get('fiscal_year')) this.rows.get('fiscal_year').fallback.value = String(session.year);
      if (this.headers) this.autoMap();
      return;
    }
    this.loaded = m;
    this.nameInput.value = m.name;
    const mapping = m.mapping || {};
    for (const [path, column] of Object.entries(mapping.columns || {})) if (this.rows.get(path)) this.rows.get(path).column.value = column;
    for (const [path, value] of Object.entries(mapping.defaults || {})) if (this.rows.get(path)) this.rows.get(path).fallback.value = value;
    if (mapping.date_format) this.dateFormat.value = mapping.date_format;
    if (mapping.decimal) this.decimal.value = mapping.decimal;
    this.mapStatus.textContent = 'Pemetaan "' + m.name + '" dimuat.';
  }

  mapping() {
    const columns = {};
    const defaults = {};
    for (const [path, { column, fallback }] of this.rows) {
      if (column.value.trim()) columns[path] = column.value.trim();
      if (fallback.value.trim()) defaults[path] = fallback.value.trim();
    }
    return { columns, defaults, date_format: this.dateFormat.value, decimal: this.decimal.value };
  }

  // Saves the mapping unless it is the saved one unchanged; answers its name, or null
  // (the reason shown).
  async saveMapping() {
    const name = this.nameInput.value.trim();
    if (!name) { this.mapStatus.textContent = 'Beri nama pemetaan.'; this.nameInput.focus(); return null; }
    const mapping = this.mapping();
    if (this.loaded && this.loaded.name === name && sameMapping(this.loaded.mapping, mapping)) return name;
    try {
      const saved = await api('/v1/imports/mappings', { method: 'POST', body: { name, mapping } });
      this.loaded = saved;
      this.saved = [saved, ...this.saved.filter((s) => s.name !== name)];
      this.mapStatus.textContent = 'Pemetaan "' + name + '" disimpan untuk OPD ini.';
      return name;
    } catch (error) {
      if (error.status === 401) { signOut(authMessage(error)); return null; }
      const lines = error.errors.length > 0 ? error.errors.map((e) => e.field + ': ' + e.message) : [error.message];
      this.mapStatus.replaceChildren(h('span', { class: 'error', 'data-testid': 'impor-map-error', text: 'Pemetaan tidak dapat disimpan: ' + lines.join('; ') }));
      return null;
    }
  }

  // A dry run (`dry`) or the commit of the chosen file with the mapping.
  async run(dry) {
    if (this.busy) return;
    const type = this.fileType();
    if (!type) {
      this.result.replaceChildren(h('p', { class: 'error', role: 'alert', text: 'Pilih berkas .csv atau .xlsx lebih dulu.' }));
      this.fileInput.focus();
      return;
    }
    this.busy = true;
    this.checkButton.disabled = true;
    this.commitButton.disabled = true;
    setStatus(dry ? 'Memeriksa berkas…' : 'Mencatat…');
    try {
      const name = await this.saveMapping();
      if (!name) return;
      const query = '?dry_run=' + dry + '&mapping=' + encodeURIComponent(name);
      const started = performance.now();
      let answer;
      try {
        answer = await api('/v1/imports' + query, { method: 'POST', body: this.file, type, timeout: 300000 });
      } catch (error) {
        if (error.status === 401) { signOut(authMessage(error)); return; }
        if (error.status === 422 && error.body && Array.isArray(error.body.rows_errors || error.body.errors)) {
          answer = { ...error.body, errors: error.body.rows_errors || error.body.errors, refused: true };
        } else {
          // A commit without a clear refusal (no answer, a 5xx) may have been written:
          // the page does not offer it again until a fresh dry run, which would show the
          // rows' bank references as already recorded.
          const unknown = !dry && (error.status === 0 || error.status >= 500);
          if (unknown) this.checked = null;
          this.result.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'impor-error',
            text: 'Gagal: ' + error.message + (error.errors.length ? ' — ' + error.errors.map((e) => e.field + ': ' + e.message).join('; ') : '') + '.' +
              (unknown ? ' Hasil pencatatan tidak diketahui: periksa daftar entri, lalu jalankan uji coba lagi sebelum mencatat.' : '') }));
          return;
        }
      }
      this.show(answer, dry, performance.now() - started);
      if (dry && answer.errors.length === 0 && answer.valid > 0) {
        this.checked = { file: this.file, name };
      }
    } finally {
      this.busy = false;
      this.checkButton.disabled = false;
      this.commitButton.disabled = !this.checked || this.checked.file !== this.file;
      setStatus('');
    }
  }

  show(answer, dry, ms) {
    const errors = answer.errors || [];
    const parts = [];
    if (!dry && !answer.refused) {
      const facts = checkpointFacts(answer.checkpoint);
      parts.push(h('div', { class: 'confirm', role: 'status', 'data-testid': 'impor-committed' },
        h('h3', { text: integer(answer.valid) + ' entri tercatat' }),
        h('p', {}, 'Seq ', h('a', { href: '#/entri/' + answer.first_seq, 'data-testid': 'impor-first-seq', text: '#' + answer.first_seq }),
          ' s.d. ', h('a', { href: '#/entri/' + answer.last_seq, 'data-testid': 'impor-last-seq', text: '#' + answer.last_seq }),
          ' · titik periksa ukuran ', h('strong', { 'data-testid': 'impor-tree-size', text: String(answer.tree_size || facts.size) })),
        h('p', { class: 'hash', text: 'Akar: ' + (facts.root || '—') })));
      this.checked = null;
    } else {
      const verdict = errors.length === 0
        ? h('p', { class: 'ok-note', 'data-testid': 'impor-verdict' }, integer(answer.rows) + ' baris, semuanya sah. Tekan "Catat semua baris" untuk mencatat.')
        : h('p', { class: 'error', role: 'alert', 'data-testid': 'impor-verdict' },
          (answer.refused ? 'Tidak ada yang dicatat: ' : 'Uji coba: ') + integer(answer.rows) + ' baris, ' + integer(answer.valid) +
          ' sah, ' + integer(errors.length) + ' kesalahan. Perbaiki berkas atau pemetaan lalu periksa lagi.');
      parts.push(verdict);
    }
    parts.push(h('p', { class: 'field-hint', text: 'Dijawab server dalam ' + Math.round(ms) + ' ms.' }));
    if (errors.length > 0) {
      parts.push(h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'impor-errors' },
        h('caption', { text: errors.length > ERRORS_SHOWN_MAX ? ERRORS_SHOWN_MAX + ' kesalahan pertama dari ' + errors.length : 'Kesalahan per baris' }),
        h('thead', {}, h('tr', {}, ['Baris', 'Kolom', 'Isian', 'Pesan'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, errors.slice(0, ERRORS_SHOWN_MAX).map((e) => h('tr', { 'data-row': e.row },
          h('td', { 'data-label': 'Baris', text: String(e.row) }),
          h('td', { 'data-label': 'Kolom', class: e.column ? '' : 'empty', text: e.column || '—' }),
          h('td', { 'data-label': 'Isian', class: 'code' + (e.field ? '' : ' empty'), text: e.field || '—' }),
          h('td', { 'data-label': 'Pesan', class: 'wrap', text: e.message })))))));
    }
    const previews = answer.entries || [];
    if (dry && previews.length > 0) {
      parts.push(h('details', { class: 'table-details' }, h('summary', { text: 'Pratinjau ' + previews.length + ' entri pertama' }),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data-table stack', 'data-testid': 'impor-previews' },
          h('thead', {}, h('tr', {}, ['Tanggal', 'Rekening', 'Penerima', 'Bruto', 'Bersih', 'Ref. bank'].map((t) => h('th', { scope: 'col', text: t })))),
          h('tbody', {}, previews.map((e) => h('tr', {},
            h('td', { 'data-label': 'Tanggal', class: 'nowrap', text: date(e.value_date) }),
            h('td', { 'data-label': 'Rekening', class: 'code', text: e.account || '—' }),
            h('td', { 'data-label': 'Penerima', text: (e.payee && e.payee.name) || '—' }),
            h('td', { 'data-label': 'Bruto', class: 'num money', text: rupiah(e.gross) }),
            h('td', { 'data-label': 'Bersih', class: 'num money', text: rupiah(e.net) }),
            h('td', { 'data-label': 'Ref. bank', class: 'code', text: e.bank_ref || '—' }))))))));
    }
    this.result.replaceChildren(...parts);
  }
}

function sameMapping(a, b) {
  const norm = (m) => JSON.stringify({
    columns: Object.fromEntries(Object.entries((m && m.columns) || {}).sort()),
    defaults: Object.fromEntries(Object.entries((m && m.defaults) || {}).sort()),
    date_format: m && m.date_format, decimal: m && m.decimal,
  });
  return norm(a) === norm(b);
}
