// Browser tests of the auditor's pages in headless Chromium against a real `jejak serve`
// holding the demo regency (see lib.mjs): findings with their texts and filters, a
// finding's entries, an entry's inclusion proof checked in the browser against the pinned
// key (and its failure on a tampered proof, a tampered checkpoint signature and a wrong
// key), the downloads, and every page at laptop and phone widths.
//
//   JEJAK=build/jejak node --test tests/browser/auditor.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rupiah, LAPTOP, PHONE } from './lib.mjs';

let H;
let auditorToken;
let executiveToken;
let vkey;
let year;
let report;

before(async () => {
  H = await startServer('auditor');
  auditorToken = H.token('auditor', 'bpk.auditor');
  executiveToken = H.token('executive', 'bupati.uji');
  vkey = fs.readFileSync(path.join(H.data, 'keys/checkpoint.vkey'), 'utf8').trim();
  const now = new Date().getFullYear();
  for (const y of [now, now - 1]) {
    report = await H.getJson('/v1/audit/findings?fiscal_year=' + y, auditorToken);
    year = y;
    if (report.findings.length > 0) break;
  }
  assert.ok(report.findings.length > 0, 'the demo regency has findings');
});

after(async () => { if (H) await H.stop(); });

// A finding whose entries include an expenditure (with documents, payee account, taxes).
async function expenditureFinding() {
  for (const f of report.findings) {
    for (const seq of f.seqs) {
      const e = (await H.getJson('/v1/entries/' + seq, auditorToken)).entry;
      if (e.kind === 'expenditure' && e.taxes && e.taxes.length > 0) return { finding: f, entry: e };
    }
  }
  throw new Error('no finding over an expenditure with taxes');
}

// Signs in as the auditor at `hash` with the ledger's key pinned in this browser.
async function openPinned(page, hash, key = vkey) {
  await page.goto(H.baseUrl + '/', { waitUntil: 'load' });
  await page.evaluate((k) => localStorage.setItem('jejak.vkey', k), key);
  await H.signIn(page, auditorToken, hash);
}

// A valid verifier key line of the same name as the ledger's, for another Ed25519 key.
function otherKey() {
  const name = vkey.split('+')[0];
  const { publicKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const id = crypto.createHash('sha256').update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x01]), raw])).digest().subarray(0, 4);
  return name + '+' + id.toString('hex') + '+' + Buffer.concat([Buffer.from([1]), raw]).toString('base64');
}

const noJunk = /\bnull\b|undefined|NaN|\[object /;

describe('auditor', { timeout: 240000 }, () => {
  test('the auditor pins the key, reads the findings, filters them, and goes from a finding to a browser-verified proof', async () => {
    const { finding, entry } = await expenditureFinding();
    const { context, page, errors, external } = await H.newPage(LAPTOP);
    try {
      await H.signIn(page, auditorToken, '#/kunci');
      await page.getByTestId('vkey-current').getByText('Belum ada kunci').waitFor();
      // A key with a wrong key id is refused and not kept.
      const parts = vkey.split('+');
      await page.getByTestId('vkey-input').fill(parts[0] + '+00000000+' + parts.slice(2).join('+'));
      await page.getByTestId('vkey-save').click();
      await page.getByTestId('vkey-message').getByText(/Kunci ditolak: ID kunci 00000000 tidak cocok/).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('jejak.vkey')), null);
      await page.getByTestId('vkey-input').fill(vkey);
      await page.getByTestId('vkey-save').click();
      await page.getByTestId('vkey-name').getByText(parts[0], { exact: true }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem('jejak.vkey')), vkey);
      await H.assertFits(page);
      await H.shot(page, 'auditor-kunci-laptop.png');

      // The home page is the findings list, every finding with its texts and OPD name.
      await page.goto(H.baseUrl + '/#/', { waitUntil: 'load' });
      await page.getByTestId('finding').first().waitFor();
      assert.equal(await page.getByTestId('findings-count').innerText(), String(report.findings.length));
      const shown = Math.min(50, report.findings.length);
      assert.equal(await page.getByTestId('finding').count(), shown);
      for (const f of report.findings.slice(0, shown)) {
        const card = page.locator('[data-testid="finding"][data-id="' + f.id + '"]');
        const text = await card.innerText();
        assert.ok(text.includes(f.opd_name), f.id + ' names its OPD ' + f.opd_name);
        assert.equal(await card.getByTestId('finding-amount').innerText(), rupiah(f.amount));
        assert.equal(await card.getByTestId('finding-kondisi').innerText(), f.kondisi);
        assert.equal(await card.getByTestId('finding-kriteria').innerText(), f.kriteria);
        assert.equal(await card.getByTestId('finding-rekomendasi').textContent(), f.rekomendasi);
        assert.equal(await card.getByTestId('severity').getAttribute('data-severity'), f.severity);
      }
      assert.doesNotMatch(await page.locator('main').innerText(), noJunk);
      await H.assertFits(page);
      await H.shot(page, 'auditor-temuan-laptop.png');

      // Filters by rule, OPD and severity give exactly the API's findings.
      await page.getByTestId('filter-rule').selectOption(finding.rule);
      await page.waitForURL(/aturan=/);
      await page.getByTestId('finding').first().waitFor();
      assert.equal(await page.getByTestId('findings-count').innerText(), String(report.findings.filter((f) => f.rule === finding.rule).length));
      await page.getByTestId('filter-opd').selectOption(finding.opd);
      await page.waitForURL(/opd=/);
      await page.getByTestId('finding').first().waitFor();
      const both = report.findings.filter((f) => f.rule === finding.rule && f.opd === finding.opd);
      assert.deepEqual(await page.getByTestId('finding').evaluateAll((cards) => cards.map((c) => c.dataset.id)), both.map((f) => f.id));
      const other = ['high', 'medium', 'low'].find((s) => !both.some((f) => f.severity === s));
      if (other) {
        await page.getByTestId('filter-severity').selectOption(other);
        await page.getByTestId('no-findings').getByText('Tidak ada temuan yang cocok').waitFor();
        await page.getByTestId('filter-severity').selectOption('');
        await page.getByTestId('finding').first().waitFor();
      }

      // The finding's page lists its entries with every field, each proof verified.
      await page.locator('[data-testid="finding"][data-id="' + finding.id + '"]').getByTestId('finding-link').click();
      await page.getByTestId('finding-title').waitFor();
      const cards = page.getByTestId('entry-card');
      await cards.nth(Math.min(20, finding.seq_count) - 1).waitFor();
      assert.deepEqual(await cards.evaluateAll((c) => c.map((x) => Number(x.dataset.seq))), finding.seqs.slice(0, 20));
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="entry-card"] [data-testid="proof-badge"]')]
        .every((b) => b.dataset.state !== 'pending'));
      assert.deepEqual(await page.locator('[data-testid="entry-card"] [data-testid="proof-badge"]').evaluateAll((b) =>
        [...new Set(b.map((x) => x.dataset.state))]), ['ok']);
      const card = page.locator('[data-testid="entry-card"][data-seq="' + entry.seq + '"]');
      const cardText = await card.innerText();
      for (const value of [entry.bank_ref, entry.payee.account_no, entry.payee.name, entry.documents.sp2d, entry.documents.evidence_no,
        rupiah(entry.gross), rupiah(entry.net), ...entry.taxes.map((t) => rupiah(t.amount))]) {
        if (value) assert.ok(cardText.includes(value), 'the entry card shows ' + value);
      }
      assert.doesNotMatch(cardText, noJunk);
      await H.assertFits(page);
      await H.shot(page, 'auditor-temuan-rinci-laptop.png');

      // The entry's own page: every step of the proof checked in the browser.
      await card.getByTestId('entry-link').click();
      await page.getByTestId('entry-title').waitFor();
      const badge = page.locator('[data-testid="proof"] [data-testid="proof-badge"]');
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-state'), 'ok');
      assert.equal(await badge.innerText(), '✓ Terverifikasi di peramban');
      assert.deepEqual(await page.locator('[data-testid="proof-steps"] li').evaluateAll((l) => l.map((x) => x.dataset.state)),
        Array(7).fill('ok'));
      const fields = await page.getByTestId('entry-fields').first().innerText();
      assert.ok(fields.includes(entry.bank_ref) && fields.includes(entry.payee.account_no));
      assert.deepEqual(external, []);
      assert.deepEqual(errors, []);
      await H.assertFits(page);
      await H.shot(page, 'auditor-entri-laptop.png');
    } finally {
      await context.close();
    }
  });

  test('a tampered proof, a tampered checkpoint signature and a wrong pinned key each fail at their step', async () => {
    const seq = report.findings[0].seqs[0];
    const cases = [
      ['flipped proof hash', 'akar', (body) => {
        assert.ok(body.inclusion_proof.length > 0);
        const h = body.inclusion_proof[0];
        body.inclusion_proof[0] = (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
      }],
      ['flipped checkpoint signature', 'tanda-tangan', (body) => {
        const lines = body.checkpoint.split('\n');
        const at = lines.findIndex((l) => l.startsWith('\u2014 ' + vkey.split('+')[0] + ' '));
        const [dash, name, sig] = lines[at].split(' ');
        const bytes = Buffer.from(sig, 'base64');
        bytes[30] ^= 0x01;
        lines[at] = [dash, name, bytes.toString('base64')].join(' ');
        body.checkpoint = lines.join('\n');
      }],
      ['changed entry field', 'daun', (body) => { body.entry.recorded_by = body.entry.recorded_by + 'x'; }],
    ];
    for (const [what, step, tamper] of cases) {
      const { context, page, errors } = await H.newPage(LAPTOP);
      try {
        await page.route((url) => url.pathname === '/v1/entries/' + seq, async (route) => {
          const response = await route.fetch();
          const body = await response.json();
          tamper(body);
          await route.fulfill({ response, json: body });
        });
        await openPinned(page, '#/entri/' + seq);
        const badge = page.locator('[data-testid="proof"] [data-testid="proof-badge"]');
        await badge.waitFor();
        assert.equal(await badge.getAttribute('data-state'), 'failed', what);
        assert.equal(await badge.getAttribute('data-step'), step, what);
        assert.match(await badge.innerText(), /^✗ Verifikasi gagal pada langkah: /, what);
        assert.equal(await page.locator('[data-testid="proof-steps"] li[data-step="' + step + '"]').getAttribute('data-state'), 'failed');
        assert.deepEqual(errors, []);
        if (step === 'akar') await H.shot(page, 'auditor-entri-gagal-laptop.png');
      } finally {
        await context.close();
      }
    }
    // The right proof under a key the ledger never signed with.
    const { context, page } = await H.newPage(LAPTOP);
    try {
      await openPinned(page, '#/entri/' + seq, otherKey());
      const badge = page.locator('[data-testid="proof"] [data-testid="proof-badge"]');
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-step'), 'tanda-tangan');
      assert.match(await badge.innerText(), /tidak ditandatangani oleh kunci yang disematkan/);
      // What does not depend on the key still holds, and the page says so.
      assert.equal(await page.locator('[data-testid="proof-steps"] li[data-step="daun"]').getAttribute('data-state'), 'ok');
      assert.equal(await page.locator('[data-testid="proof-steps"] li[data-step="akar"]').getAttribute('data-state'), 'ok');
    } finally {
      await context.close();
    }
    // Without a pinned key nothing is called verified.
    const bare = await H.newPage(LAPTOP);
    try {
      await H.signIn(bare.page, auditorToken, '#/entri/' + seq);
      const badge = bare.page.locator('[data-testid="proof"] [data-testid="proof-badge"]');
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-step'), 'kunci');
    } finally {
      await bare.context.close();
    }
  });

  test('the downloads are real files: a workbook, a CSV sheet and the bundle', async () => {
    const { context, page, errors } = await H.newPage(LAPTOP);
    try {
      await H.signIn(page, auditorToken, '#/temuan');
      await page.getByTestId('download-xlsx').waitFor();
      const save = async (testid) => {
        const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.getByTestId(testid).click()]);
        const file = await download.path();
        return { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
      };
      const xlsx = await save('download-xlsx');
      assert.match(xlsx.name, new RegExp('^kertas-kerja-' + year + '-\\d+\\.xlsx$'));
      assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');
      assert.ok(xlsx.bytes.includes(Buffer.from('xl/workbook.xml')));
      await page.getByTestId('download-status').getByText('Terunduh: ' + xlsx.name).waitFor();
      await page.getByTestId('csv-sheet').selectOption('Temuan');
      const csv = await save('download-csv');
      assert.match(csv.name, /-Temuan\.csv$/);
      const records = csv.bytes.toString('utf8').split('\r\n');
      assert.match(records[1], /^No\.,Kode Aturan,/);
      assert.match(records[1], /,Kondisi,Kriteria,Sebab,Akibat,Rekomendasi,/);
      assert.equal(records.filter((r) => r !== '').length, 2 + report.findings.length);
      const bundle = await save('download-bundle');
      assert.match(bundle.name, /^jejak-bundle-\d+\.ndjson$/);
      const lines = bundle.bytes.toString('utf8').split('\n');
      const header = JSON.parse(lines[0]);
      assert.equal(header.format, 'jejak-bundle/1');
      assert.equal(header.key, vkey);
      assert.ok(JSON.parse(lines[lines.length - 2]).checkpoint.includes('\n\n\u2014 '));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('every auditor page fits a phone and a laptop', async () => {
    const f = report.findings[0];
    const pages = [
      ['temuan', '#/temuan', () => 'finding'],
      ['temuan-rinci', '#/temuan/' + f.id + '?ta=' + year + '&per=' + report.as_of + '&pohon=' + report.tree_size, () => 'entry-card'],
      ['entri', '#/entri/' + f.seqs[0], () => 'proof-steps'],
      ['kunci', '#/kunci', () => 'vkey-form'],
      ['serapan', '#/serapan', () => 'total-pagu'],
    ];
    for (const [viewport, size] of [[PHONE, 'phone'], [LAPTOP, 'laptop']]) {
      const { context, page, errors } = await H.newPage(viewport);
      try {
        await openPinned(page, pages[0][1]);
        for (const [name, hash, ready] of pages) {
          await page.goto(H.baseUrl + '/' + hash, { waitUntil: 'load' });
          await page.getByTestId(ready()).first().waitFor();
          if (name === 'entri' || name === 'temuan-rinci') {
            await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="proof-badge"]')].every((b) => b.dataset.state !== 'pending'));
          }
          assert.doesNotMatch(await page.locator('main').innerText(), noJunk, name);
          await H.assertFits(page);
          if (size === 'phone' || name === 'serapan') await H.shot(page, 'auditor-' + name + '-' + size + '.png');
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });

  test('the entry page serves the Bupati too; the findings pages do not', async () => {
    const seq = report.findings[0].seqs[0];
    const { context, page, errors } = await H.newPage(PHONE);
    try {
      await H.signIn(page, executiveToken, '#/entri/' + seq);
      await page.getByTestId('entry-title').waitFor();
      assert.equal(await page.getByTestId('entry-title').innerText().then((t) => t.startsWith('Entri #' + seq)), true);
      await page.goto(H.baseUrl + '/#/temuan', { waitUntil: 'load' });
      await page.getByText('Halaman tidak ditemukan').waitFor();
      assert.equal(await page.getByTestId('nav-temuan').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
