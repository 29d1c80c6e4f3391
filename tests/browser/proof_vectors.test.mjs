// The browser's proof checker (server/dashboard/proof.js) against public test vectors,
// under node's WebCrypto (which has SHA-256 and Ed25519 as Chromium does): RFC 8785
// canonical JSON, RFC 9162 inclusion proofs, C2SP signed notes and checkpoints, and a
// whole entry proof over a small ledger-shaped tree built here, with each step tampered.
// No server, no browser.
//
//   node --test tests/browser/proof_vectors.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repo } from './lib.mjs';
import {
  canonicalJson, ledgerCanonicalBytes, entryCanonicalBytes, leafHash, rootFromInclusionProof, verifyInclusion, parseVerifierKey,
  openNote, parseCheckpoint, verifyEntryProof, bytesToHex, bytesToBase64, keyId, ProofError,
} from '../../server/dashboard/proof.js';

const vectors = process.env.JEJAK_TESTDATA || '/work/shared/testdata';
const haveVectors = fs.existsSync(path.join(vectors, 'rfc9162'));
const skip = haveVectors ? false : 'no test vectors at ' + vectors + ' (set JEJAK_TESTDATA)';
const b64 = (text) => new Uint8Array(Buffer.from(text || '', 'base64'));
const hex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

function filesUnder(dir) {
  const out = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (name.endsWith('.json')) out.push(full);
  }
  return out;
}

// ---- A reference Merkle tree (RFC 9162 §2.1.1, §2.1.3.1), written here independently ----

function sha(...parts) { return new Uint8Array(crypto.createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest()); }
function largestPowerOfTwoBelow(n) { let k = 1; while (k * 2 < n) k *= 2; return k; }
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = largestPowerOfTwoBelow(leaves.length);
  return sha([1], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function auditPath(m, leaves) {
  if (leaves.length <= 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

// An Ed25519 signer from a 32-byte seed (PKCS #8 wrapping of RFC 8410).
function signer(seed) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  const privateKey = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32));
  return { privateKey, publicKey };
}

describe('proof.js against the test vectors', { skip }, () => {
  test('RFC 8785: every case canonicalizes byte for byte; the entry subset takes exactly arrays and unicode', () => {
    const dir = path.join(vectors, 'rfc8785');
    const names = fs.readdirSync(path.join(dir, 'input')).map((n) => n.replace(/\.json$/, '')).sort();
    assert.deepEqual(names, ['arrays', 'french', 'structures', 'unicode', 'values', 'weird']);
    for (const name of names) {
      const input = JSON.parse(fs.readFileSync(path.join(dir, 'input', name + '.json'), 'utf8'));
      const want = fs.readFileSync(path.join(dir, 'output', name + '.json'));
      assert.equal(Buffer.from(canonicalJson(input), 'utf8').toString('hex'), want.toString('hex'), name);
      const hexWant = fs.readFileSync(path.join(dir, 'outhex', name + '.txt'), 'utf8').trim().split(/\s+/).join('');
      assert.equal(want.toString('hex'), hexWant, name + ' output and outhex agree');
      if (name === 'arrays' || name === 'unicode') {
        assert.equal(Buffer.from(ledgerCanonicalBytes(input)).toString('hex'), want.toString('hex'), name);
      } else {
        assert.throws(() => ledgerCanonicalBytes(input), (e) => e instanceof ProofError && e.step === 'kanonik', name);
      }
    }
  });

  test('RFC 9162 inclusion: every vector verifies exactly when it should', async () => {
    const files = filesUnder(path.join(vectors, 'rfc9162/inclusion'));
    assert.ok(files.length >= 90, files.length + ' inclusion vectors');
    let happy = 0;
    for (const file of files) {
      const v = JSON.parse(fs.readFileSync(file, 'utf8'));
      const got = await verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof || []).map(b64), b64(v.root));
      assert.equal(got, !v.wantErr, path.relative(vectors, file) + ': ' + v.desc);
      if (!v.wantErr) happy++;
    }
    assert.equal(happy, 6);
  });

  test('RFC 9162: the 8-leaf reference tree gives the vectors roots, and a computed path leads to them', async () => {
    const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const leaves = await Promise.all(inputs.map((i) => leafHash(hex(i))));
    assert.equal(bytesToHex(mth(leaves)), '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    for (let size = 1; size <= 8; size++) {
      for (let m = 0; m < size; m++) {
        const root = await rootFromInclusionProof(m, size, leaves[m], auditPath(m, leaves.slice(0, size)));
        assert.equal(bytesToHex(root), bytesToHex(mth(leaves.slice(0, size))), m + ' in ' + size);
      }
    }
    // Sizes beyond 2^32 take BigInt arithmetic, not 32-bit bit operations.
    await assert.rejects(rootFromInclusionProof(2 ** 40, 2 ** 40 + 1, leaves[0], []), (e) => e.step === 'jalur');
  });

  test('C2SP signed notes: each opens exactly when it should, and the checkpoint parses', async () => {
    const cases = JSON.parse(fs.readFileSync(path.join(vectors, 'signed-note/examples.json'), 'utf8'));
    assert.equal(cases.length, 22);
    for (const c of cases) {
      let text = null;
      let error = null;
      try {
        text = await openNote(c.note, await parseVerifierKey(c.vkey));
      } catch (e) {
        error = e;
      }
      if (c.valid) {
        assert.equal(error, null, c.id + ': ' + (error && error.message));
        assert.equal(text, c.note.slice(0, c.note.lastIndexOf('\n\n') + 1), c.id);
      } else {
        assert.ok(error instanceof ProofError, c.id + ' must fail cleanly, got ' + error);
        assert.ok(['kunci', 'checkpoint', 'tanda-tangan'].includes(error.step), c.id + ': ' + error.step);
      }
      if (c.id.startsWith('derived-checkpoint') && c.valid) {
        const cp = parseCheckpoint(text);
        assert.equal(cp.origin, 'example.com/rfc8032-test1');
        assert.equal(cp.size, 8n);
        assert.equal(cp.rootHex, '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
      }
    }
    const wrongName = cases.find((c) => c.id === 'go-wrong-vkey-name');
    await assert.rejects(parseVerifierKey(wrongName.vkey), (e) => e.step === 'kunci' && /ID kunci/.test(e.message));
  });

  test('checkpoint parsing refuses malformed bodies', () => {
    const root = bytesToBase64(new Uint8Array(32));
    assert.equal(parseCheckpoint('o\n5\n' + root + '\nchain ab\n').size, 5n);
    for (const bad of ['o\n5\n' + root, '\n5\n' + root + '\n', 'o\n05\n' + root + '\n', 'o\n-1\n' + root + '\n',
      'o\n5\n' + bytesToBase64(new Uint8Array(31)) + '\n', 'o\n5\n' + root + '\n\nx\n', 'o\n5\nnot base64!\n']) {
      assert.throws(() => parseCheckpoint(bad), (e) => e.step === 'checkpoint', JSON.stringify(bad));
    }
  });
});

describe('verifyEntryProof over a ledger-shaped tree', () => {
  // Entries as the API returns them, a tree over their canonical bytes, a checkpoint
  // signed like the ledger's, and the GET /v1/entries/{seq} answer for one of them.
  async function fixture() {
    const entries = [
      { kind: 'genesis', origin: 'jejak.test/uji', region: 'Kab Uji', seq: 0, v: 1 },
      { kind: 'opd', code: '1.02.0.00.0.00.01.0000', name: 'Dinas Kesehatan — RSUD "Sehat"', seq: 1, v: 1 },
      { kind: 'expenditure', seq: 2, v: 1, gross: '12500000.00', taxes: [{ type: 'PPN', amount: '1126126.13' }],
        payee: { name: 'CV Sinar Rejang', account_no: '0012034567' }, description: 'Belanja ATK\ttriwulan I ü €' },
      { kind: 'expenditure', seq: 3, v: 1, gross: '5.00', payee: { name: 'Toko' } },
      { kind: 'reversal', seq: 4, v: 1, reverses: 3, reason: 'salah rekening' },
    ];
    const leaves = await Promise.all(entries.map((e) => leafHash(entryCanonicalBytes(e))));
    const { privateKey, publicKey } = signer(new Uint8Array(32).fill(7));
    const name = 'jejak.test/uji';
    const id = await keyId(name, publicKey);
    const vkey = name + '+' + bytesToHex(id) + '+' + bytesToBase64(Uint8Array.of(1, ...publicKey));
    const text = name + '\n' + entries.length + '\n' + bytesToBase64(mth(leaves)) + '\nchain 00\ntime 2026-11-30T00:00:00.000Z\n';
    const signature = crypto.sign(null, Buffer.from(text), privateKey);
    const note = text + '\n\u2014 ' + name + ' ' + bytesToBase64(Uint8Array.of(...id, ...signature)) + '\n' +
      '\u2014 bpk.go.id/auditor-1 ' + bytesToBase64(new Uint8Array(76)) + '\n';
    const at = 2;
    const response = {
      entry: entries[at], leaf_hash: bytesToHex(leaves[at]), tree_size: entries.length, checkpoint: note,
      inclusion_proof: auditPath(at, leaves).map(bytesToHex),
    };
    return { response, vkey, entries, leaves };
  }

  const failedStep = async (response, vkey) => {
    const result = await verifyEntryProof(response, vkey);
    assert.equal(result.ok, false);
    return result.failed.step;
  };

  test('a good proof verifies in every step', async () => {
    const { response, vkey } = await fixture();
    const result = await verifyEntryProof(response, vkey);
    assert.deepEqual(result.steps.map((s) => s.state), Array(7).fill('ok'), JSON.stringify(result.steps));
    assert.equal(result.ok, true);
    assert.equal(result.checkpoint.size, 5n);
  });

  test('each tampering fails at its own step', async () => {
    const { response, vkey } = await fixture();
    const clone = () => JSON.parse(JSON.stringify(response));
    let r = clone();
    r.entry.gross = '12500001.00';
    assert.equal(await failedStep(r, vkey), 'daun');
    r = clone();
    r.entry.gross = 12500000.5;
    assert.equal(await failedStep(r, vkey), 'kanonik');
    r = clone();
    r.inclusion_proof[1] = (r.inclusion_proof[1][0] === '0' ? '1' : '0') + r.inclusion_proof[1].slice(1);
    const flipped = await verifyEntryProof(r, vkey);
    assert.equal(flipped.failed.step, 'akar');
    assert.equal(flipped.steps.find((s) => s.step === 'tanda-tangan').state, 'ok');
    r = clone();
    r.inclusion_proof.pop();
    assert.equal(await failedStep(r, vkey), 'jalur');
    r = clone();
    const lines = r.checkpoint.split('\n');
    const sig = Buffer.from(lines[6].split(' ')[2], 'base64');
    sig[20] ^= 1;
    lines[6] = lines[6].split(' ').slice(0, 2).join(' ') + ' ' + sig.toString('base64');
    r.checkpoint = lines.join('\n');
    assert.equal(await failedStep(r, vkey), 'tanda-tangan');
    r = clone();
    r.tree_size = 4;
    assert.equal(await failedStep(r, vkey), 'jalur');
    assert.equal(await failedStep(clone(), null), 'kunci');
    const other = signer(new Uint8Array(32).fill(9));
    const otherName = 'jejak.test/uji';
    const otherId = await keyId(otherName, other.publicKey);
    const otherKey = otherName + '+' + bytesToHex(otherId) + '+' + bytesToBase64(Uint8Array.of(1, ...other.publicKey));
    const wrongKey = await verifyEntryProof(clone(), otherKey);
    assert.equal(wrongKey.failed.step, 'tanda-tangan');
    assert.match(wrongKey.failed.detail, /tidak ditandatangani oleh kunci yang disematkan/);
    // The parts that do not depend on the key still hold, and the page can say so.
    assert.equal(wrongKey.steps.find((s) => s.step === 'daun').state, 'ok');
    assert.equal(wrongKey.steps.find((s) => s.step === 'akar').state, 'ok');
  });

  test('the canonical bytes of an entry are what the server hashes (the demo file round trip)', () => {
    // Keys sorted by UTF-16 code units, no whitespace, strings as JSON.stringify writes them.
    const line = fs.readFileSync(path.join(repo, 'ops/demo/expenditures.ndjson'), 'utf8').split('\n')[0];
    const entry = JSON.parse(line);
    const text = Buffer.from(entryCanonicalBytes(entry)).toString('utf8');
    assert.ok(text.startsWith('{"account":"5.1.02.01.01.0024","bank_ref":"CMS20260203-000117","description":'), text.slice(0, 80));
    assert.doesNotMatch(text, /": |, "/);
    assert.deepEqual(JSON.parse(text), entry);
  });
});
