// Browser tests of the bank reconciliation page ("Rekonsiliasi Bank", bank.js) in headless
// Chromium against a real `jejak serve`: the demo regency's small ledger (lib.mjs) and two
// statements of February 2026 imported with `jejak bank-import` — the RKUD's and Dinas
// Kesehatan's treasurer's, both CSV exports read with a saved column mapping. Every figure
// below was worked out by hand from those lines and the ledger's entries:
//
//   RKUD 001201000001 (opening Rp100.000.000,00):
//     02-02 credit 500.000.000,00  DAU (no entry: credits need none)
//     04-02 debit   20.000.000,00  pelimpahan GU to 001202000101   -> internal transfer
//     10-02 debit   94.080.000,00  SP2D-LS-2026-00088              -> seq 13 by bank_ref
//     18-02 debit   15.000.000,00  no SP2D                         -> unmatched (row 5)
//   Dinas Kesehatan's treasurer 001202000101 (opening Rp5.000.000,00):
//     04-02 credit  20.000.000,00  from the RKUD                   -> the transfer's other half
//     05-02 debit   11.204.954,95  no reference, payee 0012034567  -> seq 12 by amount and date
//     16-02 debit    2.500.000,00  TARIK TUNAI TELLER              -> cash withdrawal
//   Unmatched payments: seq 14 (KKPD 3.750.000,00) and 15 (QRIS 845.000,00) of Puskesmas
//   Curup, which has no statement, and the March tax deposits seq 19 (1.126.126,13) and 20
//   (1.920.000,00); seq 16 (cash) and seq 17 (reversed by 18) moved no money.
//
//   JEJAK=build/jejak node --test tests/browser/bank.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, run, rupiah, percent, LAPTOP, PHONE } from './lib.mjs';

const RKUD = '001201000001';
const DINKES_ACCOUNT = '001202000101';
const DINKES = '1.02.0.00.0.00.01.0000';
const HEADER = 'Tanggal;Tgl Valuta;Keterangan;No Referensi;Rekening Lawan;Nama Lawan;Debet;Kredit;Saldo';
const MAPPING = {
  name: 'bpd-cms', separator: ';', decimal: ',', date_format: 'DD/MM/YYYY', date: 'Tanggal', value_date: 'Tgl Valuta',
  description: 'Keterangan', bank_ref: 'No Referensi', counter_account: 'Rekening Lawan', counter_name: 'Nama Lawan',
  debit: 'Debet', credit: 'Kredit', balance: 'Saldo',
};
const RKUD_CSV = [HEADER,
  '02/02/2026;02/02/2026;PENERIMAAN DAU BULAN FEBRUARI;RKUN20260202;;RKUN KEMENTERIAN KEUANGAN;;500.000.000,00;600.000.000,00',
  '04/02/2026;04/02/2026;PELIMPAHAN GU SP2D-GU-2026-00001;SP2D-GU-2026-00001;' + DINKES_ACCOUNT +
    ';BENDAHARA PENGELUARAN DINKES;20.000.000,00;;580.000.000,00',
  '10/02/2026;10/02/2026;PEMBAYARAN SP2D 00088/SP2D-LS/2026;SP2D-LS-2026-00088;034501000123307;PT MEDIKA NUSANTARA JAYA;94.080.000,00;;485.920.000,00',
  '18/02/2026;18/02/2026;PEMINDAHBUKUAN ATAS NOTA DINAS;BRK2026021800731;034501002214567;CV MITRA KARYA PRATAMA;15.000.000,00;;470.920.000,00',
].join('\n') + '\n';
const DINKES_CSV = [HEADER,
  '04/02/2026;04/02/2026;PELIMPAHAN GU SP2D-GU-2026-00001;SP2D-GU-2026-00001;' + RKUD + ';RKUD PEMERINTAH KABUPATEN;;20.000.000,00;25.000.000,00',
  '05/02/2026;05/02/2026;TRANSFER CMS CV SINAR REJANG;;0012034567;CV SINAR REJANG;11.204.954,95;;13.795.045,05',
  '16/02/2026;16/02/2026;TARIK TUNAI TELLER KCP CURUP;;;;2.500.000,00;;11.295.045,05',
].join('\n') + '\n';

let H;
let auditorToken;
let executiveToken;
let recon;

before(async () => {
  H = await startServer('bank', {
    setup: (data) => {
      const dir = path.join(path.dirname(data), 'statements');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'mapping.json'), JSON.stringify(MAPPING));
      fs.writeFileSync(path.join(dir, 'rkud-2026-02.csv'), RKUD_CSV);
      fs.writeFileSync(path.join(dir, 'dinkes-2026-02.csv'), DINKES_CSV);
      const common = ['--mapping', path.join(dir, 'mapping.json'), '--period-start', '2026-02-01', '--period-end', '2026-02-28'];
      run(['bank-import', '--data', data, '--account', RKUD, '--bank', 'Bank Bengkulu', '--role', 'rkud',
        '--opening-balance', '100000000.00', ...common, path.join(dir, 'rkud-2026-02.csv')]);
      run(['bank-import', '--data', data, '--account', DINKES_ACCOUNT, '--bank', 'Bank Bengkulu',
        '--role', 'bendahara_pengeluaran', '--opd', DINKES, '--opening-balance', '5000000.00', ...common,
        path.join(dir, 'dinkes-2026-02.csv')]);
    },
  });
  auditorToken = H.token('auditor', 'bpk.auditor');
  executiveToken = H.token('executive', 'bupati.uji');
  recon = await H.getJson('/v1/reconciliation?fiscal_year=2026', auditorToken);
});

after(async () => { if (H) await H.stop(); });

describe('bank reconciliation', { timeout: 240000 }, () => {
  test('the API reconciles the two statements as worked out by hand', () => {
    const t = recon.totals;
    // Every debit counts, the teller withdrawal too; the share is of the amounts.
    assert.equal(t.debit_lines, 5);
    assert.equal(t.debit_amount, '142784954.95');
    assert.equal(t.matched_lines, 3);
    assert.equal(t.matched_percent, '87.74');
    assert.equal(t.matched_amount, '125284954.95');
    assert.equal(t.unmatched_debit_lines, 1);
    assert.equal(t.unmatched_debit_amount, '15000000.00');
    assert.equal(t.unmatched_payments, 4);
    assert.equal(t.unmatched_payment_amount, '7641126.13');
    assert.equal(t.cash_withdrawals, 1);
    assert.equal(t.cash_withdrawal_amount, '2500000.00');
    assert.equal(t.breaks, 0);
    assert.deepEqual(recon.unmatched_payments.map((p) => p.seq), [14, 15, 19, 20]);
    assert.equal(recon.unmatched_debits.length, 1);
    const d = recon.unmatched_debits[0];
    assert.equal(d.account_no, RKUD);
    assert.equal(d.bank_ref, 'BRK2026021800731');
    assert.equal(d.source_line, 5);
  });

  for (const [size, viewport] of [['laptop', LAPTOP], ['phone', PHONE]]) {
    test('the auditor reads the totals, opens an unmatched debit and goes to an unmatched payment (' + size + ')', async () => {
      const { context, page, errors, external } = await H.newPage(viewport);
      try {
        await H.signIn(page, auditorToken, '#/rekonsiliasi');
        await page.getByTestId('recon-matched-percent').waitFor();
        const t = recon.totals;
        assert.equal(await page.getByTestId('recon-matched-percent').innerText(), percent(t.matched_percent));
        assert.equal(await page.getByTestId('recon-unmatched-debit-amount').getAttribute('data-exact'), '15000000.00');
        assert.equal(await page.getByTestId('recon-unmatched-payment-amount').getAttribute('data-exact'), '7641126.13');
        assert.equal(await page.getByTestId('recon-cash-count').innerText(), '1');
        assert.equal(await page.getByTestId('recon-month').count(), recon.months.length);
        assert.equal(await page.getByTestId('recon-account').count(), 2);
        assert.equal(await page.getByTestId('recon-rule-count-BANK_DEBIT_WITHOUT_ENTRY').innerText(), '1');
        assert.equal(await page.getByTestId('recon-rule-count-CASH_WITHDRAWAL').innerText(), '1');
        await H.assertFits(page);
        await H.shot(page, 'bank-rekonsiliasi-' + size + '.png');

        // The unmatched debit opens its statement line.
        await page.getByTestId('unmatched-debit').click();
        const detail = page.getByTestId('recon-line-detail');
        await detail.waitFor();
        assert.equal(await detail.getByTestId('line-amount').innerText(), rupiah('15000000.00'));
        assert.equal(await detail.getByTestId('line-bank-ref').innerText(), 'BRK2026021800731');
        assert.equal(await detail.getByTestId('line-counter-account').innerText(), '034501002214567');
        assert.equal(await detail.getByTestId('line-description').innerText(), 'PEMINDAHBUKUAN ATAS NOTA DINAS');
        assert.equal(await detail.getByTestId('line-date').innerText(), '18 Februari 2026');
        assert.equal(await detail.getByTestId('line-source-line').innerText(), '5');
        await H.assertFits(page);
        await H.shot(page, 'bank-rekonsiliasi-baris-' + size + '.png');

        // An unmatched payment opens its entry page.
        await page.locator('[data-testid="unmatched-payment"][data-seq="14"]').click();
        await page.getByTestId('entry-title').waitFor();
        assert.ok((await page.getByTestId('entry-title').innerText()).startsWith('Entri #14'));
        assert.deepEqual(errors, []);
        assert.deepEqual(external, []);
      } finally {
        await context.close();
      }
    });
  }

  test('the auditor goes from the bank rules to their findings; the account filter narrows the page', async () => {
    const { context, page, errors } = await H.newPage(LAPTOP);
    try {
      await H.signIn(page, auditorToken, '#/rekonsiliasi');
      await page.getByTestId('recon-rule-link-BANK_DEBIT_WITHOUT_ENTRY').click();
      await page.getByTestId('finding').first().waitFor();
      assert.equal(await page.getByTestId('finding').count(), 1);
      assert.equal(await page.getByTestId('finding').getAttribute('data-rule'), 'BANK_DEBIT_WITHOUT_ENTRY');
      await page.goto(H.baseUrl + '/#/rekonsiliasi?rekening=' + DINKES_ACCOUNT, { waitUntil: 'load' });
      await page.getByTestId('recon-matched-percent').waitFor();
      assert.equal(await page.getByTestId('unmatched-debit-none').count(), 1);
      assert.equal(await page.getByTestId('cash-withdrawal').count(), 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("the Bupati's office reads the same page on a phone", async () => {
    const { context, page, errors } = await H.newPage(PHONE);
    try {
      await H.signIn(page, executiveToken);
      await page.getByTestId('nav-rekonsiliasi').click();
      await page.getByTestId('recon-matched-percent').waitFor();
      assert.equal(await page.getByTestId('recon-matched-percent').innerText(), percent(recon.totals.matched_percent));
      assert.equal(await page.getByTestId('unmatched-payment').count(), 4);
      await H.assertFits(page);
      await H.shot(page, 'bank-rekonsiliasi-bupati-phone.png');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
