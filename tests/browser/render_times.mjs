// Measures the time to first render of each page of the web app on a running server: for
// every page, a fresh headless Chromium tab signs in (the token kept in sessionStorage
// beforehand, so no form is timed), opens the page and waits for its main content; the
// time from navigation start to that content being visible is printed as JSON, one item
// per page, with the API calls the page made. A measuring script, not a test.
//
//   node tests/browser/render_times.mjs --base https://127.0.0.1:8443 --ca var/demo/tls/cert.pem \
//     --executive TOKEN --auditor TOKEN [--officer TOKEN] [--runs 3] [--year 2026]
//
// Every token is optional; the pages of a role without one are skipped. The key pinned for
// the proof check is read from --vkey FILE (default: none, the proof page then reports the
// missing key; its render time is the same).
import fs from 'node:fs';
import https from 'node:https';
import { chromium } from 'playwright-core';

function args() {
  const out = { runs: 3 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error('unknown argument ' + argv[i]);
    out[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  if (!out.base) throw new Error('--base URL is required');
  out.runs = Number(out.runs);
  return out;
}

function getJson(base, ca, path, token) {
  return new Promise((resolve, reject) => {
    https.get(base + path, { ca, headers: { Authorization: 'Bearer ' + token } }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(path + ': ' + response.statusCode));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    }).on('error', reject);
  });
}

// The pages to time: [role, name, hash, selector of the main content].
async function pages(opt, ca) {
  const list = [];
  const year = opt.year ? Number(opt.year) : null;
  if (opt.executive) {
    list.push(['executive', 'bupati-home', '#/', '[data-testid="total-pagu"], [data-testid="no-data"]']);
    const abs = await getJson(opt.base, ca, '/v1/summary/absorption?fiscal_year=' + (year || new Date().getFullYear()), opt.executive)
      .catch(() => null);
    const opd = abs && abs.opds.length ? abs.opds[0].opd : null;
    if (opd) list.push(['executive', 'bupati-opd', '#/opd/' + encodeURIComponent(opd), '[data-testid="opd-title"]']);
  }
  if (opt.auditor) {
    list.push(['auditor', 'auditor-temuan', '#/temuan', '[data-testid="finding"], [data-testid="no-findings"]']);
    list.push(['auditor', 'auditor-kunci', '#/kunci', '[data-testid="vkey-form"]']);
    list.push(['auditor', 'auditor-serapan', '#/serapan', '[data-testid="total-pagu"], [data-testid="no-data"]']);
    const report = await getJson(opt.base, ca, '/v1/audit/findings?fiscal_year=' + (year || new Date().getFullYear()), opt.auditor)
      .catch(() => null);
    const f = report && report.findings && report.findings[0];
    if (f) {
      list.push(['auditor', 'auditor-temuan-rinci', '#/temuan/' + f.id + '?ta=' + report.fiscal_year + '&per=' + report.as_of +
        '&pohon=' + report.tree_size, '[data-testid="entry-card"]']);
      list.push(['auditor', 'auditor-entri', '#/entri/' + f.seqs[0], '[data-testid="proof-steps"]']);
    }
  }
  if (opt.officer) {
    // The same main-content selectors as tests/browser/officer.test.mjs.
    list.push(['officer', 'officer-home', '#/', '[data-testid="officer-latest-panel"]']);
    list.push(['officer', 'officer-entri', '#/entri', '[data-testid="entries-holder"] > *']);
    list.push(['officer', 'officer-catat', '#/catat', '[data-testid="catat-form"]']);
    list.push(['officer', 'officer-setor-pajak', '#/setor-pajak', '[data-testid="setor-form"]']);
    list.push(['officer', 'officer-impor', '#/impor', '[data-testid="impor-check"]']);
  }
  return list;
}

async function main() {
  const opt = args();
  const ca = opt.ca ? fs.readFileSync(opt.ca) : undefined;
  const vkey = opt.vkey ? fs.readFileSync(opt.vkey, 'utf8').trim() : null;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', ...(opt.ca ? ['--ignore-certificate-errors'] : [])],
  });
  const results = [];
  try {
    for (const [role, name, hash, selector] of await pages(opt, ca)) {
      const times = [];
      let calls = 0;
      for (let run = 0; run < opt.runs; run++) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, ignoreHTTPSErrors: true, locale: 'id-ID' });
        // The session a signed-in tab has: the token (and the pinned key) already stored.
        await context.addInitScript(([token, key, year]) => {
          sessionStorage.setItem('jejak.token', token);
          if (year) sessionStorage.setItem('jejak.year', String(year));
          if (key) localStorage.setItem('jejak.vkey', key);
        }, [opt[role], vkey, opt.year || null]);
        const page = await context.newPage();
        let apiCalls = 0;
        page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/v1/')) apiCalls++; });
        await page.goto(opt.base + '/' + hash, { waitUntil: 'commit', timeout: 60000 });
        // performance.now() counts from navigation start; read it in the frame where the
        // content first shows (polled every animation frame).
        const handle = await page.waitForFunction((sel) => {
          for (const el of document.querySelectorAll(sel)) {
            if (el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden') return performance.now();
          }
          return false;
        }, selector, { polling: 'raf', timeout: 60000 });
        times.push(Math.round(await handle.jsonValue()));
        calls = apiCalls;
        await context.close();
      }
      times.sort((a, b) => a - b);
      results.push({ role, page: name, hash, runs: times.length, median_ms: times[Math.floor(times.length / 2)],
        min_ms: times[0], max_ms: times[times.length - 1], api_calls: calls });
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ base: opt.base, pages: results }, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write('render_times: ' + error.message + '\n');
  process.exit(1);
});
