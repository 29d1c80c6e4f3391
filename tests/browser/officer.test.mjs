// Browser tests of the bendahara's pages (role officer) in headless Chromium against a real
// `jejak serve` holding the demo regency (see lib.mjs): record a payment through the form
// and find it in the ledger with exactly the typed fields, the server's error beside its
// field, find the payment by its bank reference, reverse it, record a tax deposit for an
// open withholding; every page at laptop and phone width, with its time to first render
// written to $JEJAK_ARTIFACTS/render-times-officer.json.
//
//   JEJAK=build/jejak node --test tests/browser/officer.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, rupiah, artifacts, LAPTOP, PHONE } from './lib.mjs';

const OPD = '1.02.0.00.0.00.01.0000';  // Dinas Kesehatan in ops/demo/registry.ndjson.
const DEMO_BANK_REF = 'CMS20260203-000117';  // Already in ops/demo/expenditures.ndjson.
const YEAR = 2026;

let H;
let token;
let recorded = null;  // The entry the form recorded.

// What the bendahara types, and what the ledger must hold for it.
const PAYMENT = {
  instrument: 'cms_transfer',
  mechanism: 'LS',
  value_date: '2026-03-16',
  gross: '12.345.678,90',
  taxes: [['PPN', '1.122.334,45'], ['PPh22', '185185,18']],
  payee: { name: 'CV Uji Peramban Sejahtera', npwp: '09.876.543.2-101.000', bank: 'Bank Bengkulu',
    account_no: '0099887766', account_name: 'CV UJI PERAMBAN SEJAHTERA' },
  bank_ref: 'CMS20260316-UJI-0001',
  documents: { spp: '00991/SPP-LS/1.02/2026', spm: '00991/SPM-LS/1.02/2026', sp2d: '00991/SP2D-LS/2026',
    evidence_no: 'KW-0991/DINKES/III/2026', evidence_date: '2026-03-15' },
  description: 'Belanja obat dan bahan habis pakai puskesmas (uji peramban)',
};
// 12345678.90 − 1122334.45 − 185185.18, worked out by hand.
const PAYMENT_NET = '11038159.27';

before(async () => {
  H = await startServer('officer');
  token = H.token('officer', 'bendahara.dinkes', OPD);
});

after(async () => { if (H) await H.stop(); });

async function treeSize() {
  const note = await H.get('/v1/checkpoint', token);
  assert.equal(note.status, 200);
  return Number(note.body.split('\n')[1]);
}

// Chooses the first budget line of the OPD in the form (or types one when the server has no
// list), answering the [sub_activity, account] chosen.
async function chooseBudgetLine(page) {
  const lines = await H.get('/v1/budget-lines?fiscal_year=' + YEAR, token);
  if (lines.status === 200) {
    const line = JSON.parse(lines.body).lines[0];
    await page.getByTestId('catat-sub_activity').selectOption(line.sub_activity);
    await page.getByTestId('catat-account').selectOption(line.account);
    assert.match(await page.getByTestId('catat-remaining').innerText(), new RegExp('sisa pagu ' + rupiah(line.remaining).replace(/\./g, '\\.')));
    return [line.sub_activity, line.account];
  }
  await page.getByTestId('catat-sub_activity').fill('1.02.02.2.01.0014');
  await page.getByTestId('catat-account').fill('5.1.02.01.01.0024');
  return ['1.02.02.2.01.0014', '5.1.02.01.01.0024'];
}

async function fillPayment(page, p) {
  const line = await chooseBudgetLine(page);
  await page.getByTestId('catat-instrument').selectOption(p.instrument);
  await page.getByTestId('catat-mechanism').selectOption(p.mechanism);
  await page.getByTestId('catat-value_date').fill(p.value_date);
  await page.getByTestId('catat-gross').fill(p.gross);
  for (let i = 0; i < p.taxes.length; i++) {
    await page.getByTestId('catat-add-tax').click();
    await page.getByTestId('catat-taxes-' + i + '-type').selectOption(p.taxes[i][0]);
    await page.getByTestId('catat-taxes-' + i + '-amount').fill(p.taxes[i][1]);
  }
  await page.getByTestId('catat-payee-name').fill(p.payee.name);
  await page.getByTestId('catat-payee-npwp').fill(p.payee.npwp);
  await page.getByTestId('catat-payee-bank').fill(p.payee.bank);
  await page.getByTestId('catat-payee-account_no').fill(p.payee.account_no);
  await page.getByTestId('catat-payee-account_name').fill(p.payee.account_name);
  await page.getByTestId('catat-bank_ref').fill(p.bank_ref);
  for (const [k, v] of Object.entries(p.documents)) await page.getByTestId('catat-documents-' + k).fill(v);
  await page.getByTestId('catat-description').fill(p.description);
  return line;
}

describe('bendahara pages', { timeout: 300000 }, () => {
  test('a payment recorded through the form is in the ledger with exactly the typed fields and net', async () => {
    const { context, page, errors, external } = await H.newPage(LAPTOP);
    try {
      const before = await treeSize();
      await H.signIn(page, token);
      await page.getByTestId('officer-home-title').waitFor({ state: 'visible' });
      assert.equal(await page.getByTestId('role').innerText(), 'Bendahara OPD · ' + OPD);
      await page.getByTestId('action-catat').click();
      await page.getByTestId('catat-form').waitFor({ state: 'visible' });
      // Typed checks answer at once, in Indonesian.
      await page.getByTestId('catat-gross').fill('12,3,4');
      assert.match(await page.getByTestId('catat-gross-error').innerText(), /format uang tidak dikenali/);
      await page.getByTestId('catat-payee-npwp').fill('12345');
      assert.match(await page.getByTestId('catat-payee-npwp-error').innerText(), /15 atau 16 angka/);
      await page.getByTestId('catat-payee-npwp').fill('');
      const [subActivity, account] = await fillPayment(page, PAYMENT);
      assert.equal(await page.getByTestId('catat-gross-error').isVisible(), false);
      assert.equal((await page.getByTestId('catat-net').innerText()).trim(), rupiah(PAYMENT_NET));
      // Cash hides the bank fields and asks for the reason; back to a transfer restores them.
      await page.getByTestId('catat-instrument').selectOption('cash');
      assert.equal(await page.getByTestId('catat-bank_ref').isVisible(), false);
      assert.equal(await page.getByTestId('catat-cash_reason').isVisible(), true);
      await page.getByTestId('catat-instrument').selectOption(PAYMENT.instrument);
      assert.equal(await page.getByTestId('catat-bank_ref').isVisible(), true);
      await H.shot(page, 'officer-catat-filled-laptop.png');
      // A double click records once.
      await page.getByTestId('catat-submit').dblclick();
      await page.getByTestId('confirmation').waitFor({ state: 'visible' });
      const seq = Number(await page.getByTestId('confirm-seq').innerText());
      assert.equal(await treeSize(), before + 1, 'one entry appended');
      assert.equal(Number(await page.getByTestId('confirm-tree-size').innerText()), before + 1);
      await H.shot(page, 'officer-catat-confirmation-laptop.png');
      // The receipt holds the entry, its proof and the signed checkpoint.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('receipt-download').click()]);
      assert.equal(download.suggestedFilename(), 'tanda-terima-jejak-' + seq + '.json');
      const receipt = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
      assert.equal(receipt.entry.seq, seq);
      assert.ok(Array.isArray(receipt.inclusion_proof));
      assert.match(receipt.leaf_hash, /^[0-9a-f]{64}$/);
      assert.equal(receipt.checkpoint.split('\n')[1], String(before + 1));
      // The ledger holds exactly what was typed.
      const stored = (await H.getJson('/v1/entries/' + seq, token)).entry;
      assert.deepEqual(receipt.entry, stored);
      const expected = {
        kind: 'expenditure', fiscal_year: YEAR, opd: OPD, sub_activity: subActivity, account,
        mechanism: PAYMENT.mechanism, instrument: PAYMENT.instrument, value_date: PAYMENT.value_date,
        gross: '12345678.90', taxes: [{ type: 'PPN', amount: '1122334.45' }, { type: 'PPh22', amount: '185185.18' }],
        net: PAYMENT_NET,
        payee: { ...PAYMENT.payee, npwp: '098765432101000' },
        bank_ref: PAYMENT.bank_ref, documents: PAYMENT.documents, description: PAYMENT.description,
      };
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(stored[k], v, k);
      assert.equal(stored.recorded_by, 'bendahara.dinkes');
      assert.equal(stored.cash_reason, undefined);
      recorded = stored;
      assert.deepEqual(errors, []);
      assert.deepEqual(external, []);
    } finally {
      await context.close();
    }
  });

  test("the server's error is shown next to its field, and nothing is written", async () => {
    const { context, page, errors } = await H.newPage(PHONE, [409]);
    try {
      const before = await treeSize();
      await H.signIn(page, token, '#/catat');
      await page.getByTestId('catat-form').waitFor({ state: 'visible' });
      await fillPayment(page, { ...PAYMENT, bank_ref: DEMO_BANK_REF, taxes: [] });
      await page.getByTestId('catat-submit').click();
      const error = page.getByTestId('catat-bank_ref-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.innerText(), /\S/);
      assert.equal(await page.getByTestId('catat-bank_ref').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByTestId('confirmation').count(), 0);
      assert.equal(await treeSize(), before);
      await H.assertFits(page);
      await H.shot(page, 'officer-catat-error-phone.png');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the payment is found by its bank reference, opened with every field, and reversed', async () => {
    assert.ok(recorded, 'the form test recorded a payment');
    const { context, page, errors } = await H.newPage(LAPTOP);
    try {
      await H.signIn(page, token, '#/entri');
      await page.getByTestId('entries-filter').waitFor({ state: 'visible' });
      await page.getByTestId('filter-cari_menurut').selectOption('bank_ref');
      await page.getByTestId('filter-cari').fill(recorded.bank_ref);
      await page.getByTestId('entries-search').click();
      await page.waitForFunction(() => location.hash.includes('cari='));
      const rows = page.locator('[data-testid="entries-table"] tbody tr');
      await rows.first().waitFor({ state: 'visible' });
      assert.equal(await rows.count(), 1);
      assert.equal(await rows.first().getAttribute('data-seq'), String(recorded.seq));
      await H.shot(page, 'officer-entri-search-laptop.png');
      await page.getByTestId('entry-link-' + recorded.seq).click();
      await page.getByTestId('entry-fields').waitFor({ state: 'visible' });
      const field = async (id) => (await page.getByTestId('field-' + id).innerText()).trim();
      assert.equal(await field('bank_ref'), recorded.bank_ref);
      assert.equal(await field('payee-npwp'), recorded.payee.npwp);
      assert.equal(await field('payee-account_no'), recorded.payee.account_no);
      assert.equal(await field('documents-sp2d'), recorded.documents.sp2d);
      assert.equal(await field('net'), rupiah(recorded.net));
      assert.equal(await field('taxes'), 'PPN ' + rupiah('1122334.45') + '; PPh22 ' + rupiah('185185.18'));
      // Reverse it, with a reason (an empty one is refused before anything is sent).
      await page.getByTestId('reversal-open').click();
      await page.getByTestId('reversal-submit').click();
      assert.match(await page.getByTestId('reversal-reason-error').innerText(), /wajib diisi/);
      await page.getByTestId('reversal-reason').fill('Salah rekening, dicatat ulang');
      await page.getByTestId('reversal-submit').click();
      await page.getByTestId('confirmation').waitFor({ state: 'visible' });
      const reversalSeq = Number(await page.getByTestId('confirm-seq').innerText());
      const reversal = (await H.getJson('/v1/entries/' + reversalSeq, token)).entry;
      assert.equal(reversal.kind, 'reversal');
      assert.equal(reversal.reverses, recorded.seq);
      assert.equal(reversal.reason, 'Salah rekening, dicatat ulang');
      await page.reload();
      await page.getByTestId('entry-reversed').waitFor({ state: 'visible' });
      assert.equal(await page.getByTestId('reversal-panel').count(), 0, 'no second reversal offered');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a tax deposit covering an open withholding is recorded', async () => {
    const open = await H.getJson('/v1/tax/open-withholdings?fiscal_year=' + YEAR, token);
    const target = open.withholdings.find((w) => w.open !== '0.00');
    assert.ok(target, 'the demo OPD has an open withholding');
    const { context, page, errors } = await H.newPage(LAPTOP);
    try {
      await H.signIn(page, token, '#/setor-pajak');
      await page.getByTestId('setor-form').waitFor({ state: 'visible' });
      await page.getByTestId('setor-tax_type').selectOption(target.tax_type);
      await page.getByTestId('withholding-' + target.seq).check();
      assert.equal((await page.getByTestId('setor-sum').innerText()).trim(), rupiah(target.open));
      assert.equal(await page.getByTestId('setor-amount').inputValue(), target.open);
      await page.getByTestId('setor-ntpn').fill('b1c2d3e4f5a6b7c8');
      assert.equal(await page.getByTestId('setor-ntpn').inputValue(), 'B1C2D3E4F5A6B7C8');
      await page.getByTestId('setor-billing_code').fill('12345');
      assert.match(await page.getByTestId('setor-billing_code-error').innerText(), /15 angka/);
      await page.getByTestId('setor-billing_code').fill('820260300099911');
      await page.getByTestId('setor-deposit_date').fill('2026-04-10');
      await H.shot(page, 'officer-setor-pajak-filled-laptop.png');
      await page.getByTestId('setor-submit').click();
      await page.getByTestId('confirmation').waitFor({ state: 'visible' });
      const seq = Number(await page.getByTestId('confirm-seq').innerText());
      const deposit = (await H.getJson('/v1/entries/' + seq, token)).entry;
      assert.equal(deposit.kind, 'tax_deposit');
      assert.equal(deposit.opd, OPD);
      assert.equal(deposit.tax_type, target.tax_type);
      assert.equal(deposit.amount, target.open);
      assert.deepEqual(deposit.covers, [target.seq]);
      assert.equal(deposit.ntpn, 'B1C2D3E4F5A6B7C8');
      assert.equal(deposit.billing_code, '820260300099911');
      assert.equal(deposit.deposit_date, '2026-04-10');
      const after = await H.getJson('/v1/tax/open-withholdings?fiscal_year=' + YEAR, token);
      assert.equal(after.withholdings.some((w) => w.seq === target.seq && w.tax_type === target.tax_type), false,
        'the withholding is covered now');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('every page renders at laptop and phone width, nothing overflowing the phone', async () => {
    assert.ok(recorded, 'the form test recorded a payment');
    const pages = [
      ['home', '#/', '[data-testid="officer-latest-panel"]'],
      ['catat', '#/catat', '[data-testid="catat-form"]'],
      ['setor-pajak', '#/setor-pajak', '[data-testid="setor-form"]'],
      ['entri', '#/entri', '[data-testid="entries-holder"] > *'],
      ['entri-detail', '#/entri/' + recorded.seq, '[data-testid="entry-fields"]'],
      ['impor', '#/impor', '[data-testid="impor-check"]'],
    ];
    const times = {};
    for (const [viewport, width] of [[LAPTOP, 'laptop'], [PHONE, 'phone']]) {
      const { context, page, errors, external } = await H.newPage(viewport);
      try {
        await H.signIn(page, token);
        await page.getByTestId('officer-home-title').waitFor({ state: 'visible' });
        for (const [name, hash, selector] of pages) {
          // A fresh load: navigation start to the page's main content on screen.
          await page.goto('about:blank');
          await page.goto(H.baseUrl + '/' + hash, { waitUntil: 'commit' });
          const handle = await page.waitForFunction((sel) => {
            const el = document.querySelector(sel);
            return el && el.getBoundingClientRect().height > 0 ? performance.now() : false;
          }, selector, { polling: 'raf', timeout: 15000 });
          const ms = Math.round(await handle.jsonValue());
          (times[name] = times[name] || {})[width + '_ms'] = ms;
          if (width === 'phone') await H.assertFits(page);
          await H.shot(page, 'officer-' + name + '-' + width + '.png');
        }
        assert.deepEqual(errors, []);
        assert.deepEqual(external, []);
      } finally {
        await context.close();
      }
    }
    fs.writeFileSync(path.join(artifacts, 'render-times-officer.json'), JSON.stringify(times, null, 2) + '\n');
  });
});
