// Shared scaffolding of the web app's browser tests (tests/browser/*.test.mjs): starts a
// real `jejak serve` on a fresh ledger holding the demo regency (ops/demo/*.ndjson), mints
// tokens with `jejak token`, opens pages in Debian's headless Chromium (playwright-core,
// no browser download) that may reach nothing but that server, and takes screenshots to
// $JEJAK_ARTIFACTS (default <repo>/build/test-artifacts).
//
// JEJAK_DASHBOARD_DEV=1 serves server/dashboard/* from the working tree through a small
// proxy in front of the real server (for editing the pages without rebuilding); the
// default, and what ops/test.sh runs, is the app as embedded in the binary.
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
export const repo = path.resolve(here, '../..');
const argJejak = process.argv.find((a) => a.startsWith('--jejak='));
export const jejak = path.resolve(repo, argJejak ? argJejak.slice('--jejak='.length) : process.env.JEJAK || 'build/jejak');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const artifacts = path.resolve(process.env.JEJAK_ARTIFACTS || path.join(repo, 'build/test-artifacts'));
export const devMode = process.env.JEJAK_DASHBOARD_DEV === '1';
export const STEP = 15000; // Bound of any single wait in a browser.
export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

// The expected display of a money string, written independently of the app.
export function rupiah(text) {
  const negative = text.startsWith('-');
  const [whole, fraction = '00'] = (negative ? text.slice(1) : text).split('.');
  let grouped = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) grouped += '.';
    grouped += whole[i];
  }
  return (negative ? '−' : '') + 'Rp ' + grouped + ',' + fraction.padEnd(2, '0');
}
export const percent = (text) => (text === null ? '—' : text.replace('-', '\u2212').replace('.', ',') + '%');

export function run(args) {
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

// One running server with its ledger, and a browser. Made by startServer(), ended by stop().
export class Harness {
  // A request on the real server, trusting only its own certificate.
  request(method, pathAndQuery, { token, body, type, headers = {}, timeout = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const all = { ...headers };
      if (token) all.Authorization = 'Bearer ' + token;
      if (body !== undefined) {
        all['Content-Type'] = type || 'application/json';
        if (!Buffer.isBuffer(body) && typeof body !== 'string') body = JSON.stringify(body);
      }
      const request = https.request(this.apiUrl + pathAndQuery, { method, ca: this.ca, headers: all, timeout }, (response) => {
        const chunks = [];
        response.on('data', (c) => chunks.push(c));
        response.on('end', () => {
          const buffer = Buffer.concat(chunks);
          resolve({ status: response.statusCode, headers: response.headers, body: buffer.toString('utf8'), buffer });
        });
      });
      request.on('timeout', () => request.destroy(new Error('timeout: ' + method + ' ' + pathAndQuery)));
      request.on('error', reject);
      request.end(body);
    });
  }

  get(pathAndQuery, token, timeout) { return this.request('GET', pathAndQuery, { token, timeout }); }

  async getJson(pathAndQuery, token) {
    const response = await this.get(pathAndQuery, token);
    assert.equal(response.status, 200, pathAndQuery + ': ' + response.body);
    return JSON.parse(response.body);
  }

  // A token for `role` as `sub` (officers need `opd`), valid for an hour.
  token(role, sub, opd) {
    const args = ['token', '--data', this.data, '--role', role, '--sub', sub, '--ttl', '1h'];
    if (opd) args.push('--opd', opd);
    return run(args).trim();
  }

  // A fresh browser context at `viewport` that may reach only this server. `api` collects
  // the /v1/ URLs it called, `errors` page errors, console errors and failed requests
  // (but those in `allowStatus`, e.g. the 422 of a form the test fills badly on purpose).
  async newPage(viewport = LAPTOP, allowStatus = []) {
    const context = await this.browser.newContext({ viewport, ignoreHTTPSErrors: true, locale: 'id-ID', timezoneId: 'Asia/Jakarta', acceptDownloads: true });
    context.setDefaultTimeout(STEP);
    context.setDefaultNavigationTimeout(STEP);
    const external = [];
    await context.route((url) => !url.href.startsWith(this.baseUrl), (route) => {
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
    page.on('response', (r) => {
      if (r.status() >= 400 && !allowStatus.includes(r.status())) errors.push(r.status() + ' ' + r.url());
    });
    return { context, page, api, errors, external };
  }

  // Opens the app at `hash` (default the home page) and signs in with `token`.
  async signIn(page, token, hash = '') {
    await page.goto(this.baseUrl + '/' + hash, { waitUntil: 'load' });
    await page.getByLabel('Token akses (JWT)').fill(token);
    await page.getByRole('button', { name: 'Masuk' }).click();
  }

  // A full-page screenshot named `<area>-<page>-<laptop|phone>.png`; answers its path.
  async shot(page, name) {
    const file = path.join(artifacts, name);
    await page.screenshot({ path: file, fullPage: true, timeout: STEP });
    assert.ok(fs.statSync(file).size > 1000, name + ' is empty');
    return file;
  }

  // Asserts the page is no wider than its viewport (nothing overflows a phone).
  async assertFits(page) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, 'page is ' + overflow + 'px wider than the viewport');
  }

  async stop() {
    try {
      if (this.browser) await this.browser.close();
    } finally {
      if (this.proxy) { this.proxy.close(); this.proxy = null; }
      const server = this.server;
      if (server && server.exitCode === null && server.pid) {
        try { process.kill(server.pid, 'SIGTERM'); } catch (_) { /* gone */ }
        await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
        if (server.exitCode === null) { try { process.kill(server.pid, 'SIGKILL'); } catch (_) { /* gone */ } }
      }
      if (this.work) {
        const log = path.join(this.work, 'serve.log');
        if (fs.existsSync(log)) fs.copyFileSync(log, path.join(artifacts, this.name + '-serve.log'));
        fs.rmSync(this.work, { recursive: true, force: true });
      }
    }
  }
}

async function waitForServer(harness, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let last;
  while (Date.now() < deadline) {
    if (harness.server.exitCode !== null) throw new Error('jejak serve exited with ' + harness.server.exitCode);
    try {
      const r = await harness.get('/healthz', null, 2000);
      if (r.status === 200) return;
      last = new Error('healthz ' + r.status);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('server did not become healthy: ' + (last && last.message));
}

// Dev mode: the pages from the working tree, everything else from the real server.
function startDevProxy(harness, port) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  harness.proxy = http.createServer((req, res) => {
    const url = req.url.split('?')[0];
    const name = url === '/' || url === '/index.html' ? 'index.html'
      : url.startsWith('/assets/') ? url.slice(8) : null;
    const file = name && /^[a-z_-]+\.(html|js|css)$/.test(name) ? path.join(repo, 'server/dashboard', name) : null;
    if (file && fs.existsSync(file)) {
      res.writeHead(200, { 'Content-Type': types[path.extname(name)] + '; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(fs.readFileSync(file));
      return;
    }
    const upstream = https.request(harness.apiUrl + req.url, { method: req.method, headers: { ...req.headers, host: '127.0.0.1' }, ca: harness.ca, timeout: 20000 },
      (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  return new Promise((resolve) => harness.proxy.listen(port, '127.0.0.1', resolve));
}

// Starts a server on a fresh ledger holding the demo regency and a headless browser.
// `name` prefixes the kept server log; `setup(data)` may add to the ledger before serving;
// `config` lines are appended to jejak.conf.
export async function startServer(name, { setup, config = [] } = {}) {
  assert.ok(fs.existsSync(jejak), 'no jejak binary at ' + jejak + ' (set JEJAK)');
  assert.ok(fs.existsSync(chromiumPath), 'no Chromium at ' + chromiumPath + ' (apt-get install chromium)');
  fs.mkdirSync(artifacts, { recursive: true });
  const harness = new Harness();
  harness.name = name;
  harness.work = fs.mkdtempSync(path.join(os.tmpdir(), 'jejak-browser-'));
  const data = harness.data = path.join(harness.work, 'data');
  run(['init', '--data', data, '--region', 'Pemerintah Kabupaten Uji']);
  run(['append', '--data', data, '--sub', 'admin', 'ops/demo/registry.ndjson']);
  run(['append', '--data', data, '--sub', 'bendahara.dinkes', 'ops/demo/expenditures.ndjson']);
  run(['append', '--data', data, '--sub', 'bendahara.dinkes', 'ops/demo/corrections.ndjson']);
  if (setup) await setup(data);
  if (config.length > 0) fs.appendFileSync(path.join(data, 'jejak.conf'), '\n' + config.join('\n') + '\n');
  harness.ca = fs.readFileSync(path.join(data, 'tls/cert.pem'));
  const port = await freePort();
  harness.apiUrl = 'https://127.0.0.1:' + port;
  const log = fs.openSync(path.join(harness.work, 'serve.log'), 'w');
  harness.server = spawn(jejak, ['serve', '--data', data, '--listen', '127.0.0.1:' + port],
    { cwd: repo, stdio: ['ignore', log, log] });
  process.on('exit', () => {
    if (harness.server.exitCode === null) { try { process.kill(harness.server.pid, 'SIGKILL'); } catch (_) { /* gone */ } }
  });
  await waitForServer(harness, 20000);
  if (devMode) {
    const devPort = await freePort();
    await startDevProxy(harness, devPort);
    harness.baseUrl = 'http://127.0.0.1:' + devPort;
  } else {
    harness.baseUrl = harness.apiUrl;
  }
  harness.browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return harness;
}
