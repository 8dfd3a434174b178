// The HTML report as a person sees it: rendered by reportHtml, written to a file and opened in
// Debian's headless Chromium through playwright-core (no browser download: the system's
// /usr/bin/chromium). Every request other than the file itself is blocked and recorded, and there
// must be none; no console error or page error; each chart's SVG takes up room; a 390 px wide
// phone never scrolls sideways, light or dark. A screenshot goes to test-output/report.png.
//
// Without /usr/bin/chromium the tests are skipped with a warning on a developer's machine and fail
// in CI (CI set), where .ci/run installs the browser first.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../workers/reports/render/html';
import type { Report } from '../../workers/reports/types';
import { busyDay, emptyDay, nastyDay } from '../reports/fixtures';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y --no-install-recommends chromium';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outputDir = path.join(root, 'test-output');
const PHONE = { width: 390, height: 844 };

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`test/browser: ${CHROMIUM} not found, the report's browser tests are skipped. Install it: ${INSTALL}`);
}

// In CI the suite runs without the browser too, so that its beforeAll fails with the reason.
describe.runIf(haveChromium || Boolean(process.env.CI))('the HTML report in headless Chromium', () => {
  let browser: BrowserContext;
  let profile: string;
  let pages: string;

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(`${CHROMIUM} not found: CI must install Debian's chromium (${INSTALL}) before npm test`);
    }
    profile = await mkdtemp(path.join(tmpdir(), 'report-chromium-profile-'));
    pages = await mkdtemp(path.join(tmpdir(), 'report-pages-'));
    await mkdir(outputDir, { recursive: true });
    // A fresh profile every run (playwright takes it as launchPersistentContext's first argument
    // rather than as --user-data-dir). The flags are the machine notes': without the
    // background-networking ones Chromium keeps trying Google's hosts on a network that has none.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: PHONE,
      deviceScaleFactor: 2,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of [profile, pages]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Opens a report as a file, with every other request blocked and every problem recorded. */
  async function open(report: Report, name: string, colorScheme: 'light' | 'dark' = 'light') {
    const file = path.join(pages, `${name}.html`);
    await writeFile(file, reportHtml(report));
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme });
    const blocked: string[] = [];
    const problems: string[] = [];
    // Blocked here, recorded by the 'request' listener below (which also sees what the route does not).
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient'),
    );
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) blocked.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, blocked, problems };
  }

  /** The page's charts with their rendered size, and whether the page scrolls sideways. */
  async function layout(page: Awaited<ReturnType<typeof open>>['page']) {
    return page.evaluate(() => {
      const scroller = document.scrollingElement ?? document.documentElement;
      return {
        scrollWidth: scroller.scrollWidth,
        innerWidth: window.innerWidth,
        charts: [...document.querySelectorAll('svg[role="img"]')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return { id: svg.getAttribute('aria-labelledby'), width: box.width, height: box.height };
        }),
        fontSizes: [...document.querySelectorAll('p, td, th, dt, dd, li, .label, .chg, summary, footer')].map((el) =>
          parseFloat(getComputedStyle(el).fontSize),
        ),
        title: document.title,
      };
    });
  }

  it('the busy day: charts drawn, nothing fetched, no errors, no sideways scroll on a phone', async () => {
    const started = performance.now();
    const { page, blocked, problems } = await open(busyDay(), 'busy');
    try {
      const result = await layout(page);
      expect(result.title).toBe('Daily report 2026-11-20');
      expect(result.charts.map((c) => c.id)).toEqual([
        'chart-delivery-t chart-delivery-d',
        'chart-outcomes-t chart-outcomes-d',
        'chart-hourly-t chart-hourly-d',
      ]);
      for (const chart of result.charts) {
        expect(chart.width, chart.id ?? '').toBeGreaterThan(100);
        expect(chart.height, chart.id ?? '').toBeGreaterThan(10);
      }
      expect(result.scrollWidth).toBeLessThanOrEqual(result.innerWidth);
      expect(Math.min(...result.fontSizes)).toBeGreaterThanOrEqual(16);
      // The wide tables scroll inside their own boxes instead.
      const scrolls = await page.$$eval('.scroll', (boxes) => boxes.map((b) => b.scrollWidth > b.clientWidth));
      expect(scrolls).toContain(true);
      await page.screenshot({ path: path.join(outputDir, 'report.png'), fullPage: true });
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
    console.info(`busy-day report opened, measured and photographed in ${Math.round(performance.now() - started)} ms`);
  }, 60_000);

  it('the busy day in dark mode: the dark scheme applies and the charts stay drawn', async () => {
    const { page, blocked, problems } = await open(busyDay(), 'busy-dark', 'dark');
    try {
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(17, 20, 24)');
      const result = await layout(page);
      for (const chart of result.charts) expect(chart.width * chart.height).toBeGreaterThan(0);
      expect(result.scrollWidth).toBeLessThanOrEqual(result.innerWidth);
      await page.screenshot({ path: path.join(outputDir, 'report-dark.png'), fullPage: true });
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('an empty day: the hourly chart says "No activity", the page stays within the phone', async () => {
    const { page, blocked, problems } = await open(emptyDay(), 'empty');
    try {
      const result = await layout(page);
      expect(result.charts).toHaveLength(1);
      expect(result.charts[0]!.width).toBeGreaterThan(100);
      expect(await page.locator('svg text.none').textContent()).toBe('No activity');
      expect(result.scrollWidth).toBeLessThanOrEqual(result.innerWidth);
      await page.screenshot({ path: path.join(outputDir, 'report-empty.png'), fullPage: true });
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('hostile names: shown as text, nothing runs, no sideways scroll even for a 300-letter name', async () => {
    const { page, blocked, problems } = await open(nastyDay(), 'nasty');
    try {
      const found = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script, img, iframe').length,
        handlers: [...document.querySelectorAll('*')].filter((el) =>
          [...el.attributes].some((a) => a.name.startsWith('on')),
        ).length,
        text: document.body.innerText,
      }));
      expect(found.scripts).toBe(0);
      expect(found.handlers).toBe(0);
      expect(found.text).toContain('<script>alert("pool")</script>');
      expect(found.text).toContain('Partial report');
      const result = await layout(page);
      expect(result.scrollWidth).toBeLessThanOrEqual(result.innerWidth);
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
