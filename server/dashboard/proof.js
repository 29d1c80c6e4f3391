// Jejak web app — checks an entry's inclusion proof in the browser: RFC 8785 canonical
// bytes, SHA-256 leaf and audit path (RFC 9162) to a checkpoint root, and the checkpoint's
// Ed25519 signature (C2SP signed note) against the verifier key the auditor pinned.
// Pure functions over WebCrypto (crypto.subtle), no DOM: the same file runs under node for
// the test vectors (tests/browser/proof_vectors.test.mjs).
'use strict';

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

// A check that failed: `step` names it ('kunci', 'kanonik', 'daun', 'jalur', 'checkpoint',
// 'tanda-tangan', 'akar'), the message says why in Indonesian.
export class ProofError extends Error {
  constructor(step, message) {
    super(message);
    this.step = step;
  }
}

// ---- Bytes -----------------------------------------------------------------------------

// Lowercase or uppercase hex to bytes; throws ProofError(step) on anything else.
export function hexToBytes(hex, step = 'jalur') {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ProofError(step, 'nilai hex tidak sah: ' + String(hex).slice(0, 20));
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Standard base64 with padding (RFC 4648 §4), strictly: no whitespace, no missing or extra
// padding, no non-zero bits after the last character. Throws ProofError(step).
export function base64ToBytes(text, step) {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new ProofError(step, 'base64 tidak sah');
  }
  let binary;
  try {
    binary = atob(text);
  } catch (_) {
    throw new ProofError(step, 'base64 tidak sah');
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (bytesToBase64(bytes) !== text) throw new ProofError(step, 'base64 tidak kanonik');
  return bytes;
}

export function bytesToBase64(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}

// ---- RFC 8785 --------------------------------------------------------------------------

// The RFC 8785 (JCS) canonical text of a JSON value: object keys sorted by their UTF-16
// code units, strings and numbers serialized as ECMAScript's JSON.stringify does (which
// is what RFC 8785 specifies), no whitespace. Throws ProofError('kanonik') on values JSON
// cannot hold (non-finite numbers, undefined, functions).
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ProofError('kanonik', 'angka tidak terhingga tidak ada dalam JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (typeof value === 'object') {
    // Array.prototype.sort without a comparator compares UTF-16 code units.
    const keys = Object.keys(value).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(value[k])).join(',') + '}';
  }
  throw new ProofError('kanonik', 'nilai ' + typeof value + ' tidak ada dalam JSON');
}

// Throws ProofError('kanonik') unless `value` is inside the ledger's subset of JSON: no
// fractional numbers (money is a decimal string), integers exactly representable, ASCII
// keys.
function checkEntrySubset(value, path) {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new ProofError('kanonik', 'angka ' + value + ' pada ' + path + ' bukan bilangan bulat yang tepat');
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkEntrySubset(v, path + '[' + i + ']'));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!/^[\x20-\x7e]*$/.test(k)) throw new ProofError('kanonik', 'kunci bukan ASCII pada ' + path);
      checkEntrySubset(v, path + '.' + k);
    }
  }
}

// UTF-8 of the RFC 8785 canonical form of `value`, a JSON value inside the ledger's subset
// (no fractional numbers, ASCII keys). Throws ProofError('kanonik') outside it.
export function ledgerCanonicalBytes(value) {
  checkEntrySubset(value, 'entri');
  return encoder.encode(canonicalJson(value));
}

// The bytes the ledger hashed for `entry` (an object as the API returned it).
export function entryCanonicalBytes(entry) {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ProofError('kanonik', 'entri bukan objek JSON');
  }
  return ledgerCanonicalBytes(entry);
}

// ---- RFC 9162 --------------------------------------------------------------------------

// SHA-256(0x00 || bytes).
export async function leafHash(bytes) {
  return sha256(concat(Uint8Array.of(0), bytes));
}

async function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

function toBigInt(n, what) {
  if (typeof n === 'bigint') return n;
  if (Number.isSafeInteger(n)) return BigInt(n);
  throw new ProofError('jalur', what + ' bukan bilangan bulat');
}

// The root an RFC 9162 §2.1.3.2 audit path leads to from leaf `index` (0-based) of a tree
// of `size` leaves; `leaf` and every element of `path` are 32-byte Uint8Arrays. Throws
// ProofError('jalur') when index >= size, a hash is not 32 bytes, or the path is too long
// or too short for the tree.
export async function rootFromInclusionProof(index, size, leaf, path) {
  let fn = toBigInt(index, 'nomor daun');
  let sn = toBigInt(size, 'ukuran pohon');
  if (fn < 0n || sn <= 0n || fn >= sn) {
    throw new ProofError('jalur', 'nomor daun ' + fn + ' di luar pohon berukuran ' + sn);
  }
  if (!(leaf instanceof Uint8Array) || leaf.length !== 32) throw new ProofError('jalur', 'hash daun bukan 32 byte');
  sn -= 1n;
  let r = leaf;
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== 32) throw new ProofError('jalur', 'hash jalur bukan 32 byte');
    if (sn === 0n) throw new ProofError('jalur', 'jalur audit terlalu panjang untuk ukuran pohon');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofError('jalur', 'jalur audit terlalu pendek untuk ukuran pohon');
  return r;
}

// True when `path` proves leaf `index` with hash `leaf` in the tree of `size` leaves whose
// root is `root`; false (never throws) for any malformed or wrong input.
export async function verifyInclusion(index, size, leaf, path, root) {
  try {
    if (!(root instanceof Uint8Array) || root.length !== 32) return false;
    return equalBytes(await rootFromInclusionProof(index, size, leaf, path), root);
  } catch (error) {
    if (error instanceof ProofError) return false;
    throw error;
  }
}

// ---- C2SP signed notes -----------------------------------------------------------------

const SIG_PREFIX = '\u2014 ';  // EM DASH and a space.

function validKeyName(name) {
  return name.length > 0 && !/[\s+]/u.test(name);
}

// The key ID of an Ed25519 signed-note key: the first 4 bytes of SHA-256(name || 0x0A ||
// 0x01 || public key).
export async function keyId(name, publicKey) {
  return (await sha256(concat(encoder.encode(name), Uint8Array.of(0x0a, 0x01), publicKey))).slice(0, 4);
}

// Parses a C2SP verifier key `name+keyid+base64(0x01 || 32-byte Ed25519 public key)` (split
// at its first two '+': the base64 may hold more) and checks the key ID against the name
// and key. Answers { name, id (4 bytes), idHex, publicKey (32 bytes), text }. Throws
// ProofError('kunci') saying what is wrong, in Indonesian.
export async function parseVerifierKey(text) {
  const line = String(text || '').trim();
  const first = line.indexOf('+');
  const second = first < 0 ? -1 : line.indexOf('+', first + 1);
  if (first < 0 || second < 0) {
    throw new ProofError('kunci', 'format kunci harus nama+idkunci+base64 (isi berkas checkpoint.vkey)');
  }
  const name = line.slice(0, first);
  const idHex = line.slice(first + 1, second);
  const b64 = line.slice(second + 1);
  if (!validKeyName(name)) throw new ProofError('kunci', 'nama kunci tidak sah');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new ProofError('kunci', 'ID kunci harus 8 digit hex');
  const raw = base64ToBytes(b64, 'kunci');
  if (raw.length !== 33 || raw[0] !== 0x01) {
    throw new ProofError('kunci', 'bukan kunci Ed25519 (diharapkan 0x01 diikuti 32 byte)');
  }
  const publicKey = raw.slice(1);
  const id = await keyId(name, publicKey);
  if (bytesToHex(id) !== idHex) {
    throw new ProofError('kunci', 'ID kunci ' + idHex + ' tidak cocok dengan nama dan kunci publiknya (seharusnya ' +
      bytesToHex(id) + ')');
  }
  return { name, id, idHex, publicKey, text: line };
}

async function ed25519Verify(publicKey, message, signature) {
  let key;
  try {
    key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (_) {
    throw new ProofError('tanda-tangan', 'peramban ini tidak dapat memakai kunci Ed25519 (WebCrypto)');
  }
  try {
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch (_) {
    return false;
  }
}

// Opens a C2SP signed note trusting only `key` (from parseVerifierKey), as golang.org/x/mod
// sumdb/note does: the note must be UTF-8 without control characters but newline, its
// signature block (after the last blank line) made only of newline-terminated lines
// "— <name> <base64(key ID || signature)>"; lines by other keys are ignored; a line by
// `key` (same name and key ID) must verify; at least one must. Answers the signed text
// (up to and including the newline before the blank line). Throws ProofError: step
// 'checkpoint' for a malformed note, 'tanda-tangan' for a missing or bad signature.
export async function openNote(note, key) {
  if (typeof note !== 'string') throw new ProofError('checkpoint', 'checkpoint bukan teks');
  if (/[\x00-\x09\x0b-\x1f]/.test(note)) {
    throw new ProofError('checkpoint', 'catatan bertanda tangan memuat karakter kendali');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new ProofError('checkpoint', 'catatan tanpa blok tanda tangan');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    throw new ProofError('checkpoint', 'blok tanda tangan kosong atau tidak diakhiri baris baru');
  }
  const message = encoder.encode(text);
  let verified = 0;
  let lines = 0;
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIG_PREFIX)) throw new ProofError('checkpoint', 'baris bukan tanda tangan di blok tanda tangan');
    if (++lines > 100) throw new ProofError('checkpoint', 'terlalu banyak tanda tangan');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    let sig;
    try {
      sig = base64ToBytes(b64, 'checkpoint');
    } catch (_) {
      throw new ProofError('checkpoint', 'tanda tangan ' + name + ' bukan base64 yang sah');
    }
    if (!validKeyName(name) || b64 === '' || sig.length < 5) {
      throw new ProofError('checkpoint', 'baris tanda tangan tidak sah');
    }
    if (name !== key.name || !equalBytes(sig.slice(0, 4), key.id)) continue;  // Another key's.
    if (!(await ed25519Verify(key.publicKey, message, sig.slice(4)))) {
      throw new ProofError('tanda-tangan', 'tanda tangan ' + name + ' tidak sah untuk kunci yang disematkan');
    }
    verified++;
  }
  if (verified === 0) {
    throw new ProofError('tanda-tangan', 'checkpoint tidak ditandatangani oleh kunci yang disematkan (' +
      key.name + '+' + key.idHex + ')');
  }
  return text;
}

// Parses a C2SP tlog-checkpoint body (the signed text): origin line, decimal tree size,
// base64 32-byte root hash, then extension lines. Answers { origin, size (BigInt), root
// (32 bytes), rootHex, extensions: [line] }. Throws ProofError('checkpoint').
export function parseCheckpoint(text) {
  const lines = String(text).split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new ProofError('checkpoint', 'checkpoint harus memuat asal, ukuran dan akar, masing-masing satu baris');
  }
  const [origin, sizeText, rootText] = lines;
  if (origin === '') throw new ProofError('checkpoint', 'checkpoint tanpa asal (origin)');
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText) || BigInt(sizeText) > 0xffffffffffffffffn) {
    throw new ProofError('checkpoint', 'ukuran pohon checkpoint tidak sah');
  }
  let root;
  try {
    root = base64ToBytes(rootText, 'checkpoint');
  } catch (_) {
    throw new ProofError('checkpoint', 'akar checkpoint bukan base64 yang sah');
  }
  if (root.length !== 32) throw new ProofError('checkpoint', 'akar checkpoint bukan 32 byte');
  const extensions = lines.slice(3, -1);
  if (extensions.some((l) => l === '')) throw new ProofError('checkpoint', 'baris kosong di dalam checkpoint');
  return { origin, size: BigInt(sizeText), root, rootHex: bytesToHex(root), extensions };
}

// ---- The whole check -------------------------------------------------------------------

// The steps of verifyEntryProof, in order, with their Indonesian names.
export const STEPS = [
  ['kunci', 'Kunci verifikasi yang disematkan'],
  ['kanonik', 'Bentuk kanonik entri (RFC 8785)'],
  ['daun', 'Hash daun SHA-256 sama dengan leaf_hash'],
  ['jalur', 'Jalur audit RFC 9162 sampai akar'],
  ['checkpoint', 'Checkpoint terbaca (asal, ukuran, akar)'],
  ['tanda-tangan', 'Tanda tangan Ed25519 checkpoint'],
  ['akar', 'Akar jalur sama dengan akar checkpoint'],
];

// Checks that `response` (GET /v1/entries/{seq}: { entry, leaf_hash, tree_size, checkpoint,
// inclusion_proof }) proves its entry in a checkpoint signed by `vkeyText` (the pinned
// verifier key line). Never throws for bad input: answers { ok, steps: [{ step, label,
// state: 'ok'|'failed'|'skipped', detail }], failed (the first failed step or null),
// checkpoint (parsed, when readable) }. Every step runs that its inputs allow, so the page
// can show what held even when one step failed.
export async function verifyEntryProof(response, vkeyText) {
  const results = Object.fromEntries(STEPS.map(([step, label]) => [step, { step, label, state: 'skipped', detail: '' }]));
  const attempt = async (step, fn) => {
    try {
      const value = await fn();
      results[step].state = 'ok';
      return value;
    } catch (error) {
      results[step].state = 'failed';
      results[step].detail = error instanceof ProofError ? error.message : String(error && error.message || error);
      return undefined;
    }
  };
  const r = response || {};
  const key = await attempt('kunci', () => {
    if (!vkeyText) throw new ProofError('kunci', 'belum ada kunci verifikasi yang disematkan di peramban ini');
    return parseVerifierKey(vkeyText);
  });
  const bytes = await attempt('kanonik', () => entryCanonicalBytes(r.entry));
  let leaf;
  if (bytes) {
    leaf = await attempt('daun', async () => {
      const computed = await leafHash(bytes);
      const given = hexToBytes(String(r.leaf_hash || ''), 'daun');
      if (!equalBytes(computed, given)) {
        throw new ProofError('daun', 'hash daun dihitung ' + bytesToHex(computed).slice(0, 16) + '…, server menyebut ' +
          String(r.leaf_hash).slice(0, 16) + '…');
      }
      results.daun.detail = bytesToHex(computed);
      return computed;
    });
  }
  let computedRoot;
  if (leaf) {
    computedRoot = await attempt('jalur', async () => {
      if (!r.entry || !Number.isSafeInteger(r.entry.seq)) throw new ProofError('jalur', 'entri tanpa seq');
      if (!Array.isArray(r.inclusion_proof)) throw new ProofError('jalur', 'jawaban tanpa jalur audit');
      const path = r.inclusion_proof.map((x) => hexToBytes(String(x), 'jalur'));
      const root = await rootFromInclusionProof(r.entry.seq, r.tree_size, leaf, path);
      results.jalur.detail = path.length + ' hash, akar ' + bytesToHex(root).slice(0, 16) + '…';
      return root;
    });
  }
  let signedText;
  if (key) signedText = await attempt('tanda-tangan', () => openNote(r.checkpoint, key));
  // The checkpoint's body is read from the verified text when the signature held, else
  // from the unverified note, so that the page can still say what it claims.
  const body = signedText !== undefined ? signedText
    : (typeof r.checkpoint === 'string' && r.checkpoint.includes('\n\n') ? r.checkpoint.slice(0, r.checkpoint.lastIndexOf('\n\n') + 1) : r.checkpoint);
  const checkpoint = await attempt('checkpoint', () => {
    const c = parseCheckpoint(body);
    if (Number.isSafeInteger(r.tree_size) && c.size !== BigInt(r.tree_size)) {
      throw new ProofError('checkpoint', 'checkpoint berukuran ' + c.size + ', jalur audit untuk pohon ' + r.tree_size);
    }
    results.checkpoint.detail = c.origin + ', ' + c.size + ' entri';
    return c;
  });
  if (computedRoot && checkpoint) {
    await attempt('akar', () => {
      if (!equalBytes(computedRoot, checkpoint.root)) {
        throw new ProofError('akar', 'akar dari jalur ' + bytesToHex(computedRoot).slice(0, 16) + '… berbeda dari akar checkpoint ' +
          checkpoint.rootHex.slice(0, 16) + '…');
      }
      results.akar.detail = checkpoint.rootHex;
    });
  }
  const steps = STEPS.map(([step]) => results[step]);
  const failed = steps.find((s) => s.state === 'failed') || null;
  return { ok: steps.every((s) => s.state === 'ok'), steps, failed, checkpoint: checkpoint || null };
}
