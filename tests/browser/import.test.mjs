// Browser tests of the bendahara's bulk import (#/impor) in headless Chromium against a real
// `jejak serve` holding the demo regency (see lib.mjs): a CSV with one bad row shows that
// row's error and writes nothing; the corrected file is committed and its entries appear.
//
//   JEJAK=build/jejak node --test tests/browser/import.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rupiah, LAPTOP, PHONE } from './lib.mjs';

const OPD = '1.02.0.00.0.00.01.0000';  // Dinas Kesehatan in ops/demo/registry.ndjson.
const MAPPING = 'register-sp2d-uji';

// Headers named as GET /v1/imports/fields labels them (mapped by the page itself), but
// "No SP2D", which the test maps by hand as a bendahara would for a SIPD export.
const HEADER = ['Kode Sub Kegiatan', 'Kode Rekening Belanja', 'Mekanisme (UP/GU/TU/LS)', 'Instrumen Pembayaran',
  'Tanggal Transaksi', 'Nilai Bruto', 'PPh Pasal 23', 'Nama Penerima', 'NPWP Penerima', 'Bank Penerima',
  'Nomor Rekening Penerima', 'Nama Rekening Penerima', 'Referensi Bank', 'No SP2D', 'Uraian'];
function row(n, gross, pph23) {
  return ['1.02.02.2.01.0014', '5.1.02.02.01.0029', 'LS', 'sp2d_ls', '0' + n + '/05/2026', gross, pph23,
    'PT Impor Uji ' + n, '01234567890100' + n, 'Bank Bengkulu', '00770' + n, 'PT IMPOR UJI ' + n,
    'SP2D-IMPOR-UJI-000' + n, '0077' + n + '/SP2D-LS/2026', 'Jasa kebersihan, bulan ' + n];
}
const GOOD = [row(1, '2.750.000,00', '55.000,00'), row(2, '1.000.000,50', ''), row(3, '4.000.000', '80.000')];
// Every cell quoted: amounts written "2.750.000,00" hold the delimiter.
const quote = (cell) => '"' + cell.replace(/"/g, '""') + '"';
const csv = (rows) => Buffer.from([HEADER, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n', 'utf8');

let H;
let token;

before(async () => {
  H = await startServer('import');
  token = H.token('officer', 'bendahara.dinkes', OPD);
});

after(async () => { if (H) await H.stop(); });

async function treeSize() {
  const note = await H.get('/v1/checkpoint', token);
  return Number(note.body.split('\n')[1]);
}

async function choose(page, name, rows) {
  await page.getByTestId('impor-file').setInputFiles({ name, mimeType: 'text/csv', buffer: csv(rows) });
  await page.getByTestId('impor-file-note').filter({ hasText: name }).waitFor({ state: 'visible' });
}

describe('bulk import', { timeout: 240000 }, () => {
  test('one bad row writes nothing and shows its error; the corrected file is committed', async () => {
    const { context, page, errors, external } = await H.newPage(LAPTOP);
    try {
      const before = await treeSize();
      await H.signIn(page, token, '#/impor');
      await page.getByTestId('impor-mapping').waitFor({ state: 'visible' });
      const bad = [GOOD[0], row(2, 'dua juta', ''), GOOD[2]];
      await choose(page, 'register-sp2d-mei.csv', bad);
      // The page read the header and mapped the columns it recognises.
      assert.equal(await page.getByTestId('map-col-gross').inputValue(), 'Nilai Bruto');
      assert.equal(await page.getByTestId('map-col-taxes.PPh23').inputValue(), 'PPh Pasal 23');
      await page.getByTestId('map-col-documents.sp2d').fill('No SP2D');
      await page.getByTestId('impor-date-format').selectOption('DD/MM/YYYY');
      await page.getByTestId('impor-decimal').selectOption(',');
      await page.getByTestId('impor-name').fill(MAPPING);
      await page.getByTestId('impor-check').click();
      const verdict = page.getByTestId('impor-verdict');
      await verdict.waitFor({ state: 'visible' });
      assert.match(await verdict.innerText(), /3 baris, 2 sah, 1 kesalahan/);
      const errorRows = page.locator('[data-testid="impor-errors"] tbody tr');
      assert.equal(await errorRows.count(), 1);
      assert.equal(await errorRows.first().getAttribute('data-row'), '3', 'header is row 1');
      const cells = await errorRows.first().locator('td').allInnerTexts();
      assert.equal(cells[1], 'Nilai Bruto');
      assert.equal(cells[2], 'gross');
      assert.ok(cells[3].length > 0);
      assert.equal(await page.getByTestId('impor-commit').isDisabled(), true, 'no commit after a dry run with errors');
      assert.equal(await treeSize(), before, 'the dry run wrote nothing');
      await H.shot(page, 'officer-impor-errors-laptop.png');
      // The mapping is saved for the OPD.
      const saved = (await H.getJson('/v1/imports/mappings', token)).mappings.find((m) => m.name === MAPPING);
      assert.ok(saved, 'mapping saved');
      assert.equal(saved.mapping.columns['documents.sp2d'], 'No SP2D');
      assert.equal(saved.mapping.date_format, 'DD/MM/YYYY');

      await choose(page, 'register-sp2d-mei-perbaikan.csv', GOOD);
      await page.getByTestId('impor-check').click();
      await page.getByTestId('impor-verdict').filter({ hasText: 'semuanya sah' }).waitFor({ state: 'visible' });
      assert.equal(await treeSize(), before, 'the dry run wrote nothing');
      await page.getByTestId('impor-commit').click();
      await page.getByTestId('impor-committed').waitFor({ state: 'visible' });
      const first = Number((await page.getByTestId('impor-first-seq').innerText()).slice(1));
      const last = Number((await page.getByTestId('impor-last-seq').innerText()).slice(1));
      assert.equal(last - first, 2);
      assert.equal(await treeSize(), before + 3);
      assert.equal(Number(await page.getByTestId('impor-tree-size').innerText()), before + 3);
      const grosses = ['2750000.00', '1000000.50', '4000000.00'];
      const nets = ['2695000.00', '1000000.50', '3920000.00'];
      for (let i = 0; i < 3; i++) {
        const entry = (await H.getJson('/v1/entries/' + (first + i), token)).entry;
        assert.equal(entry.kind, 'expenditure');
        assert.equal(entry.opd, OPD);
        assert.equal(entry.bank_ref, 'SP2D-IMPOR-UJI-000' + (i + 1));
        assert.equal(entry.documents.sp2d, '0077' + (i + 1) + '/SP2D-LS/2026');
        assert.equal(entry.value_date, '2026-05-0' + (i + 1));
        assert.equal(entry.gross, grosses[i]);
        assert.equal(entry.net, nets[i]);
        assert.equal(entry.description, 'Jasa kebersihan, bulan ' + (i + 1));
      }
      await H.shot(page, 'officer-impor-committed-laptop.png');
      // The imported entries are in the OPD's list.
      await page.getByTestId('impor-first-seq').click();
      await page.getByTestId('entry-fields').waitFor({ state: 'visible' });
      assert.equal((await page.getByTestId('field-gross').innerText()).trim(), rupiah(grosses[0]));
      assert.deepEqual(errors, []);
      assert.deepEqual(external, []);
    } finally {
      await context.close();
    }
  });

  test("on a phone the saved mapping is offered and a row's error fits the screen", async () => {
    const { context, page, errors } = await H.newPage(PHONE);
    try {
      await H.signIn(page, token, '#/impor');
      await page.getByTestId('impor-saved').waitFor({ state: 'visible' });
      assert.equal(await page.getByTestId('impor-saved').inputValue(), MAPPING);
      assert.equal(await page.getByTestId('impor-mapping').isVisible(), false, 'a saved mapping keeps its columns folded');
      assert.equal(await page.getByTestId('map-col-documents.sp2d').inputValue(), 'No SP2D');
      const before = await treeSize();
      await choose(page, 'register-sp2d-juni.csv', [row(4, '1.500.000,00', '99.999.999,00')]);
      await page.getByTestId('impor-check').click();
      await page.locator('[data-testid="impor-errors"] tbody tr').first().waitFor({ state: 'visible' });
      assert.equal(await treeSize(), before);
      await H.assertFits(page);
      await H.shot(page, 'officer-impor-errors-phone.png');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
