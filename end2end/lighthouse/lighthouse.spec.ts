import { test } from '@playwright/test';
import { launch } from 'chrome-launcher';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coupleWhoJoined, openCaseTab, signUpTherapist, uniqueEmail, waitForHydration } from '../tests/helpers';

// Lighthouse (mobile preset: a mid-range phone on simulated slow 4G) on the sign-in page,
// the caseload, the case page and a client's homework sheet of the release build. A
// benchmark, not a test: it prints the scores and writes them to lighthouse-report.md; the
// budgets are in issue 17 and the closing notes. Run with `make lighthouse`.
// Each page is measured LIGHTHOUSE_RUNS times (default 3), each in a fresh Chromium, and the
// row is Lighthouse's own median run of those that finished (`computeMedianRun`, by first
// paint and time to interactive). A run Lighthouse could not finish (it reports a
// `runtimeError`, with no scores) is counted, never shown as zeros.
// LIGHTHOUSE_JSON_DIR=<folder> also writes every run's whole report there as JSON (long
// tasks, main-thread work by kind, each script's time), to see what the scores are made of.
// LIGHTHOUSE_CHROME_FLAGS adds Chromium flags to every run, for experiments such as
// `--js-flags=--no-wasm-lazy-compilation` (V8 compiles each WebAssembly function on the page's
// main thread the first time it runs; with this flag, all of them up front in the background).

interface Row {
  page: string;
  /** Runs that finished, of those made ("3/3"). */
  runs: string;
  performance: number;
  accessibility: number;
  bestPractices: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  transferKiB: number;
  scriptMs: number;
  benchmarkIndex: number;
}

test('lighthouse on the main pages', async ({ page, browser, baseURL }) => {
  await signUpTherapist(page, 'Dr Noor Vale', uniqueEmail('vale'));
  const { alex } = await coupleWhoJoined(page, browser, 'Alex & Sam');
  // The case page measured is its overview; the programme is assigned on the homework tab.
  const casePath = new URL(page.url()).pathname;
  await openCaseTab(page, 'Homework');
  await page.getByLabel('I have screened each partner alone for safety').check();
  await page.getByRole('button', { name: 'Assign Baby Steps' }).click();
  await page.getByRole('row', { name: /Step 1 – On your own/ }).waitFor();
  await alex.page.goto('/homework');
  await waitForHydration(alex.page);
  await alex.page.getByRole('link', { name: 'Start: Step 1 – On your own' }).click();
  await alex.page.waitForURL(/\/homework\/\d+$/);
  const sheetPath = new URL(alex.page.url()).pathname;

  const cookieOf = async (context: typeof page) =>
    (await context.context().cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  const targets: [string, string, string | undefined][] = [
    ['sign-in', '/sign-in', undefined],
    ['caseload', '/caseload', await cookieOf(page)],
    ['case page', casePath, await cookieOf(page)],
    ['client sheet', sheetPath, await cookieOf(alex.page)],
  ];

  const { default: lighthouse } = await import('lighthouse');
  const { computeMedianRun, filterToValidRuns } = await import('lighthouse/core/lib/median-run.js');
  const runsPerPage = Math.max(1, Number(process.env.LIGHTHOUSE_RUNS ?? 3));
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const [name, pagePath, cookie] of targets) {
    const results = [];
    for (let run = 0; run < runsPerPage; run++) {
      const chrome = await launch({
        chromePath: '/usr/bin/chromium',
        chromeFlags: [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          ...(process.env.LIGHTHOUSE_CHROME_FLAGS ?? '').split(' ').filter(Boolean),
        ],
      });
      try {
        const result = await lighthouse(
          `${baseURL}${pagePath}`,
          {
            port: chrome.port,
            output: 'json',
            logLevel: 'error',
            onlyCategories: ['performance', 'accessibility', 'best-practices'],
            extraHeaders: cookie ? { Cookie: cookie } : undefined,
          },
          undefined,
        );
        if (!result) throw new Error(`no Lighthouse result for ${pagePath}`);
        if (result.lhr.runtimeError) failures.push(`${name}: ${result.lhr.runtimeError.code}`);
        results.push(result.lhr);
        const jsonDir = process.env.LIGHTHOUSE_JSON_DIR;
        if (jsonDir) {
          fs.mkdirSync(jsonDir, { recursive: true });
          const file = `${name.replace(/\W+/g, '-')}-${run + 1}.json`;
          fs.writeFileSync(path.join(jsonDir, file), JSON.stringify(result.lhr));
        }
      } finally {
        await chrome.kill();
      }
    }
    const finished = filterToValidRuns(results);
    if (finished.length === 0) continue;
    const { categories, audits, environment } = computeMedianRun(finished);
    rows.push({
      page: name,
      runs: `${finished.length}/${results.length}`,
      performance: Math.round((categories.performance.score ?? 0) * 100),
      accessibility: Math.round((categories.accessibility.score ?? 0) * 100),
      bestPractices: Math.round((categories['best-practices'].score ?? 0) * 100),
      lcpMs: Math.round(audits['largest-contentful-paint'].numericValue ?? 0),
      tbtMs: Math.round(audits['total-blocking-time'].numericValue ?? 0),
      cls: Number((audits['cumulative-layout-shift'].numericValue ?? 0).toFixed(3)),
      transferKiB: Math.round((audits['total-byte-weight'].numericValue ?? 0) / 1024),
      // Script compile and run on the simulated phone's main thread: what TBT is made of.
      scriptMs: Math.round(audits['bootup-time'].numericValue ?? 0),
      // This machine's CPU speed as Lighthouse measured it: its simulated phone is a fixed
      // slowdown of this machine, so TBT from machines with other indexes do not compare.
      benchmarkIndex: Math.round(environment.benchmarkIndex),
    });
  }

  const header =
    '| page | runs | Performance | Accessibility | Best Practices | LCP (ms) | TBT (ms) | CLS | transferred (KiB) | script (ms) | CPU index |';
  const lines = [header, '|---|---|---|---|---|---|---|---|---|---|---|'].concat(
    rows.map(
      (r) =>
        `| ${r.page} | ${r.runs} | ${r.performance} | ${r.accessibility} | ${r.bestPractices} | ${r.lcpMs} | ${r.tbtMs} | ${r.cls} | ${r.transferKiB} | ${r.scriptMs} | ${r.benchmarkIndex} |`,
    ),
  );
  const unfinished = failures.length ? `\nRuns Lighthouse could not finish: ${failures.join(', ')}` : '';
  const report = lines.join('\n') + unfinished;
  console.log(`\nLighthouse, mobile preset (simulated slow 4G)\n${report}`);
  fs.writeFileSync(path.join(__dirname, '..', 'lighthouse-report.md'), `${report}\n`);
});
