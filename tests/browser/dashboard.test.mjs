// Browser tests of the Bupati's dashboard (and the sign-in every role shares) in headless
// Chromium against a real `jejak serve` holding the demo regency (see lib.mjs).
//
//   JEJAK=build/jejak node --test tests/browser/dashboard.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, devMode, rupiah, percent, LAPTOP, PHONE } from './lib.mjs';

const RULES = ['OVER_PAGU', 'SPLIT_PACKAGE', 'DUPLICATE_PAYMENT', 'CASH_PAYMENT', 'TAX_NOT_DEPOSITED',
  'TAX_NOT_COLLECTED', 'OUTSIDE_FISCAL_YEAR', 'PAYMENT_BEFORE_EVIDENCE', 'LATE_RECORDING', 'REVERSAL_HEAVY'];

let H;
let executiveToken;
let year;

// The expected compact display of a money string (Rp 1,10 T; M; jt; exact below a million),
// written independently of the app: rounded half up to two decimals from the exact cents.
function compact(text) {
  const negative = text.startsWith('-');
  const [whole, fraction = '00'] = (negative ? text.slice(1) : text).split('.');
  const cents = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2));
  for (const [unit, size] of [['T', 10n ** 14n], ['M', 10n ** 11n], ['jt', 10n ** 8n]]) {
    const hundredths = (cents * 100n + size / 2n) / size;
    if (hundredths < 100n) continue;
    const units = String(hundredths / 100n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    return (negative ? '\u2212' : '') + 'Rp ' + units + ',' + String(hundredths % 100n).padStart(2, '0') + ' ' + unit;
  }
  return rupiah(text);
}

// The findings table shows its largest finding inside the panel (it once overflowed its
// box and hid it).
async function largestFindingInsideItsBox(page) {
  const findings = await H.getJson('/v1/audit/findings?fiscal_year=' + year, executiveToken);
  const cents = (t) => BigInt(t.replace('.', ''));
  const largest = findings.counts.reduce((a, b) => (cents(b.amount) > cents(a.amount) ? b : a));
  const button = page.getByTestId('finding-count-' + largest.rule + '-' + largest.opd);
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  const panel = await page.locator('#temuan').boundingBox();
  assert.ok(box.x >= panel.x && box.x + box.width <= panel.x + panel.width, 'the largest finding is inside the findings panel');
  assert.ok(box.x + box.width <= page.viewportSize().width, 'the largest finding is on screen');
  assert.equal(await page.getByTestId('findings-row').first().locator('.count-amount').innerText(), rupiah(largest.amount),
    'the largest comes first');
}

before(async () => {
  H = await startServer('dashboard');
  executiveToken = H.token('executive', 'bupati.uji');
  // The demo regency's fiscal year, as the page finds it: this year, else last year.
  const now = new Date().getFullYear();
  const thisYear = await H.getJson('/v1/summary/absorption?fiscal_year=' + now, executiveToken);
  year = thisYear.opds.length > 0 && !(thisYear.total.pagu === '0.00' && thisYear.total.realisation === '0.00') ? now : now - 1;
});

after(async () => { if (H) await H.stop(); });

describe('dashboard', { timeout: 180000 }, () => {
  test('the binary serves the page with a strict content security policy', async () => {
    const page = await H.get('/', null);
    if (devMode && page.status === 404) return; // The binary may predate the page routes.
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.body, /<html lang="id">/);
    assert.match(page.headers['content-security-policy'] || '', /default-src 'none'/);
    for (const asset of ['app.js', 'core.js', 'bupati.js', 'opd.js', 'officer.js', 'import.js', 'auditor.js', 'proof.js', 'form.js', 'catat.js']) {
      const response = await H.get('/assets/' + asset, null);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers['content-type'], /^text\/javascript/, asset);
    }
    assert.match((await H.get('/assets/style.css', null)).headers['content-type'], /^text\/css/);
    assert.equal((await H.get('/assets/nope.js', null)).status, 404);
    assert.equal((await H.get('/assets/../jejak.conf', null)).status, 404);
  });

  test('without a token the page shows only the token form and no data', async () => {
    const { context, page, api, errors, external } = await H.newPage();
    try {
      await page.goto(H.baseUrl + '/', { waitUntil: 'load' });
      await page.getByTestId('token-form').waitFor({ state: 'visible' });
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[data-testid^="total-"]').count(), 0);
      assert.equal(await page.locator('[data-testid^="rule-count-"]').count(), 0);
      assert.equal(await page.getByTestId('dashboard').isVisible(), false);
      assert.doesNotMatch(await page.locator('body').innerText(), /Rp \d/);
      assert.deepEqual(api, [], 'no API call without a token');
      assert.deepEqual(external, []);
      assert.deepEqual(errors, []);
      await H.shot(page, 'bupati-login-laptop.png');
    } finally {
      await context.close();
    }
  });

  test('a wrong token shows an error and no data', async () => {
    const { context, page } = await H.newPage();
    try {
      // Well-formed but signed by nobody the server trusts.
      const parts = executiveToken.split('.');
      const forged = parts[0] + '.' + parts[1] + '.' + Buffer.from('not a signature').toString('base64url');
      await H.signIn(page, forged);
      const error = page.getByTestId('login-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.innerText(), /Token tidak sah/);
      assert.equal(await page.locator('[data-testid^="total-"]').count(), 0);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('jejak.token')), null);
      await page.getByLabel('Token akses (JWT)').fill('bukan token');
      await page.getByRole('button', { name: 'Masuk' }).click();
      await assert.doesNotReject(page.getByText('Format token tidak dikenali').waitFor({ state: 'visible' }));
      assert.equal(await page.locator('[data-testid^="total-"]').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('with an executive token the totals and findings counts equal the API', async () => {
    const absorption = await H.getJson('/v1/summary/absorption?fiscal_year=' + year, executiveToken);
    const findings = await H.getJson('/v1/audit/findings?fiscal_year=' + year, executiveToken);
    const { context, page, errors, external } = await H.newPage();
    try {
      await H.signIn(page, executiveToken);
      await page.getByTestId('total-pagu').waitFor({ state: 'visible' });
      const text = async (id) => (await page.getByTestId(id).innerText()).trim();
      // Headline amounts are compact (Rp 1,10 T) with the exact amount as their title.
      const exact = async (id, money) => {
        assert.equal(await page.getByTestId(id).getAttribute('title'), rupiah(money), id);
        assert.equal(await text(id), compact(money), id);
      };
      await exact('total-pagu', absorption.total.pagu);
      await exact('total-realisasi', absorption.total.realisation);
      assert.equal(await text('total-persen'), percent(absorption.total.percent));
      await exact('total-sisa', absorption.total.remaining);
      assert.equal(await text('total-deviasi'), percent(absorption.total.deviation_percent));
      assert.equal(await text('total-nontunai'), percent(absorption.total.non_cash.share_percent));
      await exact('total-pengembalian', absorption.total.refunds.amount);
      await exact('total-pendapatan-lain', absorption.total.other_revenue.amount);
      await exact('total-rencana', absorption.total.band_plan);
      // The share never hides the cash payments: their count is beside it.
      assert.equal(await page.getByTestId('total-nontunai').locator('xpath=..').getByTestId('cash-count').innerText(),
        absorption.total.non_cash.cash.count + ' pembayaran tunai' + (absorption.total.non_cash.cash.count > 0
          ? ' (' + compact(absorption.total.non_cash.cash.amount) + ')' : ''));
      assert.equal(await page.locator('#year').inputValue(), String(year));
      for (const rule of RULES) {
        const expected = findings.counts.filter((c) => c.rule === rule).reduce((n, c) => n + c.count, 0);
        assert.equal(await text('rule-count-' + rule), String(expected), rule);
      }
      for (const c of findings.counts) {
        const cell = page.getByTestId('finding-count-' + c.rule + '-' + c.opd);
        assert.match(await cell.innerText(), new RegExp('^' + c.count + '\\b'));
        assert.match(await cell.innerText(), new RegExp(rupiah(c.amount).replace(/[.]/g, '\\.')));
      }
      // Every OPD appears in the ranking table with its exact figures.
      const rows = page.getByTestId('ranking-table').locator('tbody tr');
      assert.equal(await rows.count(), absorption.opds.length);
      for (const opd of absorption.opds) {
        const row = page.locator('[data-testid="ranking-table"] tr[data-opd="' + opd.opd + '"]');
        const cells = await row.locator('td').allTextContents(); // The table is in a closed <details>.
        assert.equal(cells[2], rupiah(opd.pagu));
        assert.equal(cells[3], rupiah(opd.realisation));
        assert.equal(cells[4], percent(opd.percent));
      }
      // The integrity panel shows the newest checkpoint's size.
      const integrity = await H.get('/v1/integrity', executiveToken);
      const size = integrity.status === 200 ? JSON.parse(integrity.body).tree_size
        : Number((await H.get('/v1/checkpoint', null)).body.split('\n')[1]);
      assert.equal(await text('integrity-size'), size + ' entri');
      await page.getByTestId('integrity-state').waitFor({ state: 'visible' });
      // The curve follows the chosen OPD.
      const opd = absorption.opds.find((o) => o.realisation !== '0.00') || absorption.opds[0];
      await page.getByTestId('curve-opd').selectOption(opd.opd);
      assert.match(await text('curve-summary'), new RegExp(rupiah(opd.realisation).replace(/[.]/g, '\\.')));
      assert.doesNotMatch(await page.locator('body').innerText(), /\bnull\b|undefined|NaN|\[object /);
      assert.deepEqual(external, []);
      assert.deepEqual(errors, []);
      await page.getByTestId('curve-opd').selectOption('');
      await H.assertFits(page);
      await H.shot(page, 'bupati-home-laptop.png');
      // Keluar clears the token and every figure.
      await page.getByTestId('logout').click();
      await page.getByTestId('token-form').waitFor({ state: 'visible' });
      assert.equal(await page.locator('[data-testid^="total-"]').count(), 0);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('jejak.token')), null);
    } finally {
      await context.close();
    }
  });

  test('a findings count opens the list of the entries behind it', async () => {
    const findings = await H.getJson('/v1/audit/findings?fiscal_year=' + year, executiveToken);
    assert.ok(findings.counts.length > 0, 'the demo regency has findings');
    const count = findings.counts[0];
    const { context, page, errors } = await H.newPage();
    try {
      await H.signIn(page, executiveToken);
      await page.getByTestId('finding-count-' + count.rule + '-' + count.opd).click();
      const drill = page.getByTestId('drilldown');
      await drill.waitFor({ state: 'visible' });
      await drill.getByTestId('drilldown-row').first().waitFor({ state: 'visible' });
      const seqs = await drill.getByTestId('drilldown-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq)));
      if (Array.isArray(count.seqs)) {
        assert.deepEqual(seqs, count.seqs.slice(0, 50));
        for (const seq of seqs) {
          const entry = (await H.getJson('/v1/entries/' + seq, executiveToken)).entry;
          const row = drill.locator('tr[data-seq="' + seq + '"]');
          if (entry.gross) assert.match(await row.innerText(), new RegExp(rupiah(entry.gross).replace(/[.]/g, '\\.')));
          if (entry.payee) assert.match(await row.innerText(), new RegExp(entry.payee.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        }
      } else {
        assert.ok(seqs.length > 0);
      }
      assert.doesNotMatch(await drill.innerText(), /\bnull\b|undefined|NaN|\[object /);
      assert.deepEqual(errors, []);
      await drill.scrollIntoViewIfNeeded();
      await H.shot(page, 'bupati-drilldown-laptop.png');
    } finally {
      await context.close();
    }
  });

  test('the page fits a phone width', async () => {
    const { context, page, errors } = await H.newPage(PHONE);
    try {
      await H.signIn(page, executiveToken);
      await page.getByTestId('total-pagu').waitFor({ state: 'visible' });
      await page.locator('#peringkat svg').waitFor({ state: 'visible' });
      await H.assertFits(page);
      await largestFindingInsideItsBox(page);
      assert.deepEqual(errors, []);
      await H.shot(page, 'bupati-home-phone.png');
    } finally {
      await context.close();
    }
  });

  test('the Bupati opens an OPD page: curve, account groups with belanja modal, instruments, findings', async () => {
    const absorption = await H.getJson('/v1/summary/absorption?fiscal_year=' + year, executiveToken);
    const findings = await H.getJson('/v1/audit/findings?fiscal_year=' + year, executiveToken);
    const opd = absorption.opds.slice().sort((a, b) => Number(b.realisation) - Number(a.realisation))[0];
    for (const [viewport, size] of [[LAPTOP, 'laptop'], [PHONE, 'phone']]) {
      const { context, page, errors } = await H.newPage(viewport);
      try {
        await H.signIn(page, executiveToken);
        await page.locator('#peringkat svg').waitFor({ state: 'visible' });
        await largestFindingInsideItsBox(page);
        await page.locator('[data-testid="ranking-bar"][data-opd="' + opd.opd + '"]').click();
        await page.waitForURL(/#\/opd\//);
        await page.getByTestId('opd-title').waitFor();
        assert.equal(await page.getByTestId('opd-title').innerText(), opd.name);
        assert.equal(await page.getByTestId('opd-pagu').getAttribute('title'), rupiah(opd.pagu));
        assert.equal(await page.getByTestId('opd-realisasi').innerText(), compact(opd.realisation));
        assert.equal(await page.getByTestId('opd-persen').innerText(), percent(opd.percent));
        await page.locator('#opd-kurva svg').waitFor({ state: 'visible' });
        // Every account group, belanja modal visible and marked.
        for (const g of ['pegawai', 'barang_jasa', 'modal', 'lainnya']) {
          assert.equal(await page.getByTestId('group-' + g + '-realisasi').getAttribute('title'), rupiah(opd.account_groups[g].realisation), g);
        }
        assert.ok(await page.getByTestId('group-modal').isVisible());
        assert.match(await page.getByTestId('group-modal').innerText(), /Belanja Modal/);
        for (const [k, v] of Object.entries(opd.non_cash.by_instrument)) {
          const cells = await page.locator('[data-testid="instruments-table"] tr[data-instrument="' + k + '"] td').allTextContents();
          assert.equal(cells[1], String(v.count), k);
          assert.equal(cells[2], rupiah(v.amount), k);
        }
        const mine = findings.counts.filter((c) => c.opd === opd.opd);
        if (mine.length > 0) {
          assert.deepEqual((await page.locator('[data-testid="opd-findings"] li').evaluateAll((l) => l.map((x) => x.dataset.rule))).sort(),
            mine.map((c) => c.rule).sort());
        } else {
          await page.getByTestId('opd-no-findings').waitFor();
        }
        assert.doesNotMatch(await page.locator('main').innerText(), /\bnull\b|undefined|NaN|\[object /);
        await H.assertFits(page);
        assert.deepEqual(errors, []);
        await H.shot(page, 'bupati-opd-' + size + '.png');
      } finally {
        await context.close();
      }
    }
  });

  test('an empty year says there is no data (no axis, no green "no findings")', async () => {
    for (const [viewport, size] of [[LAPTOP, 'laptop'], [PHONE, 'phone']]) {
      const { context, page, errors } = await H.newPage(viewport);
      try {
        await H.signIn(page, executiveToken);
        await page.getByTestId('total-pagu').waitFor();
        await page.locator('#year').fill('2031');
        await page.getByRole('button', { name: 'Tampilkan' }).click();
        await page.getByTestId('no-data').waitFor();
        assert.equal(await page.getByTestId('no-data').innerText(), 'Tidak ada data untuk tahun ini');
        assert.equal(await page.getByTestId('no-findings').count(), 0);
        assert.equal(await page.locator('#kurva, #peringkat, .svg-chart').count(), 0);
        await H.assertFits(page);
        assert.deepEqual(errors, []);
        await H.shot(page, 'bupati-kosong-' + size + '.png');
      } finally {
        await context.close();
      }
    }
  });

  test('negative amounts and percents show a real minus sign; a stale checkpoint is warned about', async () => {
    const { context, page, errors } = await H.newPage(LAPTOP);
    try {
      await page.route((url) => url.pathname === '/v1/summary/absorption', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.total.remaining = '-1234567.89';
        body.total.deviation_percent = '-12.50';
        await route.fulfill({ response, json: body });
      });
      await page.route((url) => url.pathname === '/v1/integrity', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.checkpoint_stale = true;
        body.checkpoint_age_seconds = 90000;
        await route.fulfill({ response, json: body });
      });
      await H.signIn(page, executiveToken);
      await page.getByTestId('total-sisa').waitFor();
      assert.equal(await page.getByTestId('total-sisa').innerText(), '\u2212Rp 1,23 jt');
      assert.equal(await page.getByTestId('total-sisa').getAttribute('title'), '\u2212Rp 1.234.567,89');
      assert.equal(await page.getByTestId('total-sisa-exact').innerText(), '\u2212Rp 1.234.567,89');
      assert.equal(await page.getByTestId('total-deviasi').innerText(), '\u221212,50%');
      const body = await page.locator('main').innerText();
      assert.doesNotMatch(body, /-Rp|-\d+,\d+%/, 'no hyphen-minus before an amount or a percent');
      const stale = page.getByTestId('checkpoint-stale');
      await stale.waitFor();
      assert.match(await stale.innerText(), /Checkpoint terbaru sudah berumur 25 jam/);
      assert.deepEqual(errors, []);
      await H.shot(page, 'bupati-peringatan-laptop.png');
    } finally {
      await context.close();
    }
  });
});
