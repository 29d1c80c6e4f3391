// Jejak web app — the bendahara's form kit: exact money in sen (BigInt, never floating
// point), checks of codes, dates and identifiers with Indonesian messages, labelled fields
// that show their own error (typed or from the server's problem `errors`), idempotency keys
// and the downloadable receipt of an append. Used by officer.js, catat.js and import.js.
'use strict';

import { h, rupiah, download } from './core.js';

// ---- Money -----------------------------------------------------------------------------

const MONEY_MAX_SEN = 10n ** 18n - 1n;  // 16 integer digits and 2 sen digits, as the server takes.

// Reads money as a bendahara types it: "12500000", "12500000.5", "12.500.000", "12.500.000,50"
// or "12500000,50" (a dot followed by three digits groups thousands; a comma or a dot
// followed by one or two digits starts the sen). Answers { sen: BigInt } or { error }.
export function parseMoney(text) {
  const t = String(text || '').trim().replace(/^Rp\.?\s*/i, '').replace(/\s/g, '');
  if (t === '') return { error: 'wajib diisi' };
  let whole;
  let fraction = '';
  let m;
  if ((m = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$/.exec(t))) {
    whole = m[1].replace(/\./g, '');
    fraction = m[2] || '';
  } else if ((m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(t))) {
    whole = m[1];
    fraction = m[2] || '';
  } else {
    return { error: 'format uang tidak dikenali: tulis angka saja, mis. 12500000 atau 12.500.000,50 (sen paling banyak dua angka)' };
  }
  const sen = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  if (sen > MONEY_MAX_SEN) return { error: 'nilai terlalu besar (paling banyak 16 angka rupiah)' };
  return { sen };
}

// Sen as the API's decimal string: 1250000050n -> "12500000.50"; negative with "-".
export function senText(sen) {
  const negative = sen < 0n;
  const abs = negative ? -sen : sen;
  return (negative ? '-' : '') + (abs / 100n).toString() + '.' + (abs % 100n).toString().padStart(2, '0');
}

// Sen shown to people: "Rp 12.500.000,50".
export function senRupiah(sen) { return rupiah(senText(sen)); }

// ---- Checks ----------------------------------------------------------------------------

const encoder = new TextEncoder();
const CONTROL = /[\u0000-\u001f\u007f]/;
const TEXT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

// Each answers an Indonesian message, or null when `value` is acceptable.
export const check = {
  required: (v) => (String(v || '').trim() === '' ? 'wajib diisi' : null),
  identifier: (v) => {
    if (String(v || '').trim() === '') return 'wajib diisi';
    if (encoder.encode(v).length > 64) return 'paling banyak 64 byte';
    if (CONTROL.test(v)) return 'tidak boleh memuat karakter kendali';
    return null;
  },
  text: (v) => {
    if (String(v || '').trim() === '') return 'wajib diisi';
    if (encoder.encode(v).length > 1024) return 'paling banyak 1024 byte';
    if (TEXT_CONTROL.test(v)) return 'tidak boleh memuat karakter kendali';
    return null;
  },
  date: (v) => {
    if (String(v || '') === '') return 'wajib diisi';
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return 'tanggal harus berbentuk TTTT-BB-HH';
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
      return 'bukan tanggal kalender yang sah';
    }
    return null;
  },
  money: (v) => parseMoney(v).error || null,
  positiveMoney: (v) => {
    const m = parseMoney(v);
    if (m.error) return m.error;
    return m.sen === 0n ? 'harus lebih dari nol' : null;
  },
  npwp: (v) => (/^\d{15,16}$/.test(npwpDigits(v)) ? null : 'NPWP terdiri dari 15 atau 16 angka'),
  subActivity: (v) => (/^[0-9X]\.(\d{2}|XX)\.\d{2}\.\d\.\d{2}\.\d{4}$/.test(v || '') ? null
    : 'kode sub-kegiatan berbentuk 1.02.02.2.01.0014'),
  account: (v) => (/^5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(v || '') ? null : 'kode rekening belanja berbentuk 5.1.02.01.01.0024'),
  ntpn: (v) => (/^[0-9A-Z]{16}$/.test(v || '') ? null : 'NTPN terdiri dari 16 huruf besar atau angka'),
  billing: (v) => (/^\d{15}$/.test(v || '') ? null : 'kode billing terdiri dari 15 angka'),
};

// "01.234.567.8-901.000" -> "012345678901000".
export function npwpDigits(v) { return String(v || '').replace(/[\s.\-]/g, ''); }

// ---- Fields ----------------------------------------------------------------------------

let fieldCounter = 0;

// A form whose fields show their own messages. `fields` maps an API field path
// ("payee.account_no", "taxes[0].amount") to { input, error, validate }.
export class FieldSet {
  constructor(testPrefix) {
    this.fields = new Map();
    this.prefix = testPrefix;
    this.general = h('div', { class: 'form-errors', role: 'alert', 'data-testid': testPrefix + '-errors', hidden: true });
  }

  // A labelled control for `path`: kind 'input' (attrs: type, inputmode, placeholder…),
  // 'select' (options: [[value, label]]) or 'textarea'. `validate(value)` answers a
  // message or null; it runs as the user types and on submit.
  field(path, label, { kind = 'input', attrs = {}, options = [], validate = null, hint = null } = {}) {
    const id = 'f' + (++fieldCounter);
    const testid = this.prefix + '-' + path.replace(/[^A-Za-z0-9_]+/g, '-').replace(/-$/, '');
    let input;
    if (kind === 'select') {
      input = h('select', { id, name: path, 'data-testid': testid, ...attrs },
        options.map(([value, text]) => h('option', { value, text })));
    } else if (kind === 'textarea') {
      input = h('textarea', { id, name: path, rows: 2, 'data-testid': testid, ...attrs });
    } else {
      input = h('input', { id, name: path, type: 'text', 'data-testid': testid, autocomplete: 'off', ...attrs });
    }
    const error = h('p', { class: 'field-error', id: id + '-error', 'data-testid': testid + '-error', hidden: true });
    input.setAttribute('aria-describedby', id + '-error');
    const entry = { input, error, validate, touched: false };
    this.fields.set(path, entry);
    const run = () => { entry.touched = true; this.checkOne(path); };
    input.addEventListener(kind === 'select' ? 'change' : 'input', run);
    input.addEventListener('blur', run);
    return h('div', { class: 'field' },
      h('label', { for: id, text: label }),
      input,
      hint ? h('p', { class: 'field-hint', text: hint }) : null,
      error);
  }

  // Forgets a field (a removed tax line).
  drop(path) { this.fields.delete(path); }

  value(path) {
    const f = this.fields.get(path);
    return f ? f.input.value : '';
  }

  setError(path, message) {
    const f = this.fields.get(path);
    if (!f) return false;
    f.error.textContent = message || '';
    f.error.hidden = !message;
    f.input.classList.toggle('invalid', Boolean(message));
    if (message) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
    return true;
  }

  // Runs one field's check unless it is hidden (a bank field of a cash payment).
  checkOne(path) {
    const f = this.fields.get(path);
    if (!f || !f.validate) return null;
    const message = f.input.closest('[hidden]') ? null : f.validate(f.input.value);
    this.setError(path, message);
    return message;
  }

  // Checks every field; answers the first invalid field's input (focused), or null.
  checkAll() {
    let first = null;
    for (const [path, f] of this.fields) {
      f.touched = true;
      if (this.checkOne(path) && !first) first = f.input;
    }
    this.showGeneral([]);
    if (first) first.focus();
    return first;
  }

  clearErrors() {
    for (const path of this.fields.keys()) this.setError(path, null);
    this.showGeneral([]);
  }

  // Shows the server's errors ([{field, message}]) next to their fields; those of fields
  // the form does not have, and `detail`, in the list above the buttons.
  showServerErrors(errors, detail) {
    this.clearErrors();
    const rest = [];
    let first = null;
    for (const e of errors || []) {
      if (this.setError(e.field, e.message)) {
        if (!first) first = this.fields.get(e.field).input;
      } else {
        rest.push((e.field ? e.field + ': ' : '') + e.message);
      }
    }
    if (rest.length === 0 && !first && detail) rest.push(detail);
    this.showGeneral(rest);
    if (first) first.focus();
  }

  showGeneral(lines) {
    this.general.replaceChildren(...lines.map((line) => h('p', { text: line })));
    this.general.hidden = lines.length === 0;
  }
}

// ---- Submission ------------------------------------------------------------------------

// A fresh Idempotency-Key for one submission of a form.
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// The checkpoint note's tree size and root (hex) — "origin\nSIZE\nBASE64ROOT\n…".
export function checkpointFacts(note) {
  const lines = String(note || '').split('\n');
  let root = null;
  try {
    root = Array.from(atob(lines[2] || ''), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  } catch (_) { root = null; }
  return { origin: lines[0] || '', size: Number(lines[1]), root };
}

// The confirmation of a 201 append: seq, checkpoint and the receipt to download.
export function appendConfirmation(title, appended, ...extra) {
  const facts = checkpointFacts(appended.checkpoint);
  const seq = appended.entry.seq;
  const receipt = {
    entry: appended.entry,
    leaf_hash: appended.leaf_hash,
    chain_hash: appended.chain_hash,
    tree_size: appended.tree_size,
    inclusion_proof: appended.inclusion_proof,
    checkpoint: appended.checkpoint,
  };
  return h('section', { class: 'panel confirm', role: 'status', 'data-testid': 'confirmation' },
    h('h2', { text: title }),
    h('dl', { class: 'facts facts-2' },
      h('div', {}, h('dt', { text: 'Nomor urut (seq)' }), h('dd', { 'data-testid': 'confirm-seq', text: String(seq) })),
      h('div', {}, h('dt', { text: 'Titik periksa (ukuran pohon)' }),
        h('dd', { 'data-testid': 'confirm-tree-size', text: String(appended.tree_size || facts.size) })),
      h('div', {}, h('dt', { text: 'Akar pohon Merkle' }), h('dd', { class: 'hash', 'data-testid': 'confirm-root', text: facts.root || '—' })),
      h('div', {}, h('dt', { text: 'Hash entri (leaf)' }), h('dd', { class: 'hash', text: appended.leaf_hash }))),
    ...extra,
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'btn btn-primary', 'data-testid': 'receipt-download',
        onclick: () => download(new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' }),
          'tanda-terima-jejak-' + seq + '.json'),
        text: 'Unduh tanda terima',
      }),
      h('a', { class: 'btn btn-outline', href: '#/entri/' + seq, 'data-testid': 'confirm-open', text: 'Lihat entri' })),
    h('p', { class: 'field-hint', text: 'Tanda terima memuat entri, bukti inklusinya dan titik periksa yang ditandatangani: simpan bersama dokumen SPJ.' }));
}
