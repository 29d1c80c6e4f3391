// Browser tests of the Bupati's dashboard in Debian's headless Chromium, driven by
// playwright-core (no browser download). Starts a real `jejak serve` on a fresh ledger
// holding the demo regency (ops/demo/*.ndjson), mints tokens with `jejak token`, and
// checks what a person would see. Screenshots go to $JEJAK_ARTIFACTS (default
// <repo>/build/test-artifacts).
//
//   JEJAK=build/jejak node --test tests/browser/dashboard_test.mjs
//
// JEJAK_DASHBOARD_DEV=1 serves server/dashboard/* from the working tree through a small
// proxy in front of the real server (for editing the page without rebuilding); the
// default, and what ops/test.sh runs, is the page as embedded in the binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const argJejak = process.argv.find((a) => a.startsWith('--jejak='));
const jejak = path.resolve(repo, argJejak ? argJejak.slice('--jejak='.length) : process.env.JEJAK || 'build/jejak');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = path.resolve(process.env.JEJAK_ARTIFACTS || path.join(repo, 'build/test-artifacts'));
const devMode = process.env.JEJAK_DASHBOARD_DEV === '1';
const STEP = 15000; // Bound of any single wait in a browser.

const RULES = ['OVER_PAGU', 'SPLIT_PACKAGE', 'DUPLICATE_PAYMENT', 'CASH_PAYMENT', 'TAX_NOT_DEPOSITED',
  'TAX_NOT_COLLECTED', 'OUTSIDE_FISCAL_YEAR', 'PAYMENT_BEFORE_EVIDENCE', 'LATE_RECORDING', 'REVERSAL_HEAVY'];

// The expected display of a money string, written independently of app.js.
function rupiah(text) {
  const negative = text.startsWith('-');
  const [whole, fraction = '00'] = (negative ? text.slice(1) : text).split('.');
  let grouped = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) grouped += '.';
    grouped += whole[i];
  }
  return (negative ? '-' : '') + 'Rp ' + grouped + ',' + fraction.padEnd(2, '0');
}
const percent = (text) => (text === null ? '—' : text.replace('.', ',') + '%');

let work;
let server;
let proxy;
let baseUrl;
let apiUrl;
let ca;
let browser;
let executiveToken;
let year;

function run(args) {
  try {
    return execFileSync(jejak, args, { cwd: repo, encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error('jejak ' + args.join(' ') + ' failed: ' + (error.stderr || error.message));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// GET on the real server, trusting only its own certificate.
function get(url, token, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const request = https.get(url, {
      ca, headers: token ? { Authorization: 'Bearer ' + token } : {}, timeout,
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode, headers: response.headers, body });
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout: GET ' + url)));
    request.on('error', reject);
  });
}

async function getJson(pathAndQuery, token = executiveToken) {
  const response = await get(apiUrl + pathAndQuery, token);
  assert.equal(response.status, 200, pathAndQuery + ': ' + response.body);
  return JSON.parse(response.body);
}

async function waitForServer(deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let last;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error('jejak serve exited with ' + server.exitCode);
    try {
      const r = await get(apiUrl + '/healthz', null, 2000);
      if (r.status === 200) return;
      last = new Error('healthz ' + r.status);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('server did not become healthy: ' + (last && last.message));
}

function stopServer() {
  if (proxy) { proxy.close(); proxy = null; }
  if (server && server.exitCode === null && server.pid) {
    try { process.kill(server.pid, 'SIGTERM'); } catch (_) { /* gone */ }
  }
}

// Dev mode: the page from the working tree, everything else from the real server.
function startDevProxy(port) {
  const files = { '/': ['index.html', 'text/html'], '/index.html': ['index.html', 'text/html'],
    '/assets/app.js': ['app.js', 'text/javascript'], '/assets/style.css': ['style.css', 'text/css'] };
  proxy = http.createServer((req, res) => {
    const file = files[req.url.split('?')[0]];
    if (file) {
      res.writeHead(200, { 'Content-Type': file[1] + '; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(fs.readFileSync(path.join(repo, 'server/dashboard', file[0])));
      return;
    }
    const upstream = https.request(apiUrl + req.url, { method: req.method, headers: { ...req.headers, host: '127.0.0.1' }, ca, timeout: 20000 },
      (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(port, '127.0.0.1', resolve));
}

before(async () => {
  assert.ok(fs.existsSync(jejak), 'no jejak binary at ' + jejak + ' (set JEJAK)');
  assert.ok(fs.existsSync(chromiumPath), 'no Chromium at ' + chromiumPath + ' (apt-get install chromium)');
  fs.mkdirSync(artifacts, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'jejak-browser-'));
  const data = path.join(work, 'data');
  run(['init', '--data', data, '--region', 'Pemerintah Kabupaten Uji']);
  run(['append', '--data', data, '--sub', 'admin', 'ops/demo/registry.ndjson']);
  run(['append', '--data', data, '--sub', 'bendahara.dinkes', 'ops/demo/expenditures.ndjson']);
  run(['append', '--data', data, '--sub', 'bendahara.dinkes', 'ops/demo/corrections.ndjson']);
  ca = fs.readFileSync(path.join(data, 'tls/cert.pem'));
  const port = await freePort();
  apiUrl = 'https://127.0.0.1:' + port;
  const log = fs.openSync(path.join(work, 'serve.log'), 'w');
  server = spawn(jejak, ['serve', '--data', data, '--listen', '127.0.0.1:' + port],
    { cwd: repo, stdio: ['ignore', log, log] });
  process.on('exit', stopServer);
  await waitForServer(20000);
  if (devMode) {
    const devPort = await freePort();
    await startDevProxy(devPort);
    baseUrl = 'http://127.0.0.1:' + devPort;
  } else {
    baseUrl = apiUrl;
  }
  executiveToken = run(['token', '--data', data, '--role', 'executive', '--sub', 'bupati.uji', '--ttl', '1h']).trim();
  // The demo regency's fiscal year, as the page finds it: this year, else last year.
  const now = new Date().getFullYear();
  const thisYear = await getJson('/v1/summary/absorption?fiscal_year=' + now);
  year = thisYear.opds.length > 0 && !(thisYear.total.pagu === '0.00' && thisYear.total.realisation === '0.00') ? now : now - 1;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    stopServer();
    if (server && server.exitCode === null) {
      await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) { try { process.kill(server.pid, 'SIGKILL'); } catch (_) { /* gone */ } }
    }
    if (work) {
      const log = path.join(work, 'serve.log');
      if (fs.existsSync(log)) fs.copyFileSync(log, path.join(artifacts, 'dashboard-serve.log'));
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
});

async function newPage(viewport = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  // Nothing but this server: any other host would be an external resource.
  const external = [];
  await context.route((url) => !url.href.startsWith(baseUrl), (route) => {
    external.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const api = [];
  const errors = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/v1/')) api.push(r.url()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  // Failed requests, but the 404 of a server without GET /v1/integrity (the page falls back).
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 404 && r.url().endsWith('/v1/integrity'))) {
      errors.push(r.status() + ' ' + r.url());
    }
  });
  return { context, page, api, errors, external };
}

async function signIn(page, token) {
  await page.goto(baseUrl + '/', { waitUntil: 'load' });
  await page.getByLabel('Token akses (JWT)').fill(token);
  await page.getByRole('button', { name: 'Masuk' }).click();
}

async function shot(page, name) {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true, timeout: STEP });
  assert.ok(fs.statSync(file).size > 1000, name + ' is empty');
}

describe('dashboard', { timeout: 180000 }, () => {
  test('the binary serves the page with a strict content security policy', async () => {
    const page = await get(apiUrl + '/', null);
    if (devMode && page.status === 404) return; // The binary may predate the page routes.
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.body, /<html lang="id">/);
    assert.match(page.headers['content-security-policy'] || '', /default-src 'none'/);
    for (const asset of ['/assets/app.js', '/assets/style.css']) {
      assert.equal((await get(apiUrl + asset, null)).status, 200, asset);
    }
  });

  test('without a token the page shows only the token form and no data', async () => {
    const { context, page, api, errors, external } = await newPage();
    try {
      await page.goto(baseUrl + '/', { waitUntil: 'load' });
      await page.getByTestId('token-form').waitFor({ state: 'visible' });
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[data-testid^="total-"]').count(), 0);
      assert.equal(await page.locator('[data-testid^="rule-count-"]').count(), 0);
      assert.equal(await page.getByTestId('dashboard').isVisible(), false);
      assert.doesNotMatch(await page.locator('body').innerText(), /Rp \d/);
      assert.deepEqual(api, [], 'no API call without a token');
      assert.deepEqual(external, []);
      assert.deepEqual(errors, []);
      await shot(page, 'dashboard-login-1366.png');
    } finally {
      await context.close();
    }
  });

  test('a wrong token shows an error and no data', async () => {
    const { context, page } = await newPage();
    try {
      // Well-formed but signed by nobody the server trusts.
      const parts = executiveToken.split('.');
      const forged = parts[0] + '.' + parts[1] + '.' + Buffer.from('not a signature').toString('base64url');
      await signIn(page, forged);
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
    const absorption = await getJson('/v1/summary/absorption?fiscal_year=' + year);
    const findings = await getJson('/v1/audit/findings?fiscal_year=' + year);
    const { context, page, errors, external } = await newPage();
    try {
      await signIn(page, executiveToken);
      await page.getByTestId('total-pagu').waitFor({ state: 'visible' });
      const text = async (id) => (await page.getByTestId(id).innerText()).trim();
      assert.equal(await text('total-pagu'), rupiah(absorption.total.pagu));
      assert.equal(await text('total-realisasi'), rupiah(absorption.total.realisation));
      assert.equal(await text('total-persen'), percent(absorption.total.percent));
      assert.equal(await text('total-sisa'), rupiah(absorption.total.remaining));
      assert.equal(await text('total-deviasi'), percent(absorption.total.deviation_percent));
      assert.equal(await text('total-nontunai'), percent(absorption.total.non_cash.share_percent));
      assert.equal(await text('total-pengembalian'), rupiah(absorption.total.refunds.amount));
      assert.equal(await text('total-pendapatan-lain'), rupiah(absorption.total.other_revenue.amount));
      assert.equal(await text('total-rencana'), rupiah(absorption.total.band_plan));
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
      const integrity = await get(apiUrl + '/v1/integrity', executiveToken);
      const size = integrity.status === 200 ? JSON.parse(integrity.body).tree_size
        : Number((await get(apiUrl + '/v1/checkpoint', null)).body.split('\n')[1]);
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
      await shot(page, 'dashboard-1366.png');
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
    const findings = await getJson('/v1/audit/findings?fiscal_year=' + year);
    assert.ok(findings.counts.length > 0, 'the demo regency has findings');
    const count = findings.counts[0];
    const { context, page, errors } = await newPage();
    try {
      await signIn(page, executiveToken);
      await page.getByTestId('finding-count-' + count.rule + '-' + count.opd).click();
      const drill = page.getByTestId('drilldown');
      await drill.waitFor({ state: 'visible' });
      await drill.getByTestId('drilldown-row').first().waitFor({ state: 'visible' });
      const seqs = await drill.getByTestId('drilldown-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq)));
      if (Array.isArray(count.seqs)) {
        assert.deepEqual(seqs, count.seqs.slice(0, 50));
        for (const seq of seqs) {
          const entry = (await getJson('/v1/entries/' + seq)).entry;
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
      await shot(page, 'dashboard-drilldown-1366.png');
    } finally {
      await context.close();
    }
  });

  test('the page fits a phone width', async () => {
    const { context, page, errors } = await newPage({ width: 390, height: 844 });
    try {
      await signIn(page, executiveToken);
      await page.getByTestId('total-pagu').waitFor({ state: 'visible' });
      await page.locator('#peringkat svg').waitFor({ state: 'visible' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, 'page is ' + overflow + 'px wider than the phone');
      assert.deepEqual(errors, []);
      await shot(page, 'dashboard-390.png');
    } finally {
      await context.close();
    }
  });
});
