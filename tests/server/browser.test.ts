import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { createTestUser } from './auth/authHelpers.js';
import { createServerFixture } from './pages/serverFixture.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let db: Database;
let server: Server;
let base: string;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  const fixture = await createServerFixture();
  db = fixture.db;
  server = createAdaptorServer({ fetch: fixture.app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'prazo-chromium-'));
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  db?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** A fresh browser context (its own cookies), signed in through the login form as a new user of `role`. */
async function signIn(role: 'leadership' | 'analyst'): Promise<{ page: Page; errors: string[] }> {
  const user = await createTestUser(db, role);
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/satisfacao')) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${base}/login`);
  await page.type('#email', user.email);
  await page.type('#password', user.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { page, errors };
}

describe('Visão geral in Chromium', () => {
  test('leadership: every chart draws an SVG, data-ready is set, no console errors; screenshot saved', async () => {
    const { page, errors } = await signIn('leadership');
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    expect(await page.$eval('body', (b) => b.getAttribute('data-ready'))).toBe('true');
    const charts = await page.$$eval('.chart', (nodes) => nodes.map((n) => ({ id: n.id, marks: n.querySelectorAll('svg .mark-rect, svg .mark-symbol, svg .mark-line, svg path').length, svg: n.querySelector('svg') !== null })));
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const chart of charts) {
      expect(chart.svg, chart.id).toBe(true);
      expect(chart.marks, chart.id).toBeGreaterThan(0);
    }
    // pt-BR axes: the compliance charts label their axis in percent with a comma-free format; the
    // table behind a chart uses pt-BR decimals.
    expect(await page.$eval('#panel-response_by_severity details', (d) => d.textContent)).toMatch(/\d+,\d%/);
    // A week's bar is a week wide (a day's band drew 1–2 px bars), and the last one is inside the chart.
    const bars = await page.$$eval('#chart-breaches_trend .mark-rect path', (paths) =>
      paths.map((p) => {
        const box = (p as unknown as { getBBox(): { x: number; width: number } }).getBBox();
        return { x: box.x, width: box.width };
      }),
    );
    const starts = [...new Set(bars.map((bar) => Math.round(bar.x)))].sort((a, b) => a - b);
    expect(starts.length).toBeGreaterThan(1);
    const week = Math.min(...starts.slice(1).map((x, i) => x - starts[i]!));
    const plotWidth = await page.$eval('#chart-breaches_trend .mark-rect', (g) => (g.closest('svg') as unknown as { getBBox(): { width: number } }).getBBox().width);
    for (const bar of bars) {
      expect(bar.width).toBeGreaterThan(week / 2);
      expect(bar.x + bar.width).toBeLessThanOrEqual(plotWidth);
    }
    expect(errors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    await page.browserContext().close();
  }, 60_000);

  test('analyst: no Satisfação link in the nav, and /satisfacao is refused', async () => {
    const { page } = await signIn('analyst');
    await page.goto(`${base}/`);
    const links = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain('/em-risco');
    expect(links).not.toContain('/satisfacao');
    const refused = await page.goto(`${base}/satisfacao`);
    expect(refused?.status()).toBe(403);
    expect(await page.content()).not.toMatch(/MARCADOR-QZX/);
    await page.browserContext().close();
  }, 60_000);
});

/** What the test touches of an <input> (the tests compile without the DOM's types). */
interface FormField {
  value: string;
  defaultValue: string;
}

/** Makes the page's long timers run 100 times faster (the refresh is 60 s: 0.6 s here). */
async function fastTimers(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((handler: () => void, ms?: number) => original(handler, ms !== undefined && ms >= 1000 ? ms / 100 : ms)) as typeof setTimeout;
  });
}

/** Marks the page's document; a reload makes a new one, without the mark. */
async function markDocument(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    (globalThis as { marked?: boolean }).marked = true;
  });
  return () => page.evaluate(() => (globalThis as { marked?: boolean }).marked === true);
}

describe('Em risco in Chromium', () => {
  test('on a 390 px phone, time left and state are on screen without scrolling sideways', async () => {
    const { page, errors } = await signIn('leadership');
    await page.setViewport({ width: 390, height: 800 });
    await page.goto(`${base}/em-risco`);
    const headers = await page.$$eval('main table th', (ths) =>
      ths.map((th) => {
        const box = th.getBoundingClientRect();
        return { text: (th.textContent ?? '').trim(), right: box.right };
      }),
    );
    const right = (text: string) => headers.find((h) => h.text === text)?.right ?? Number.POSITIVE_INFINITY;
    expect(right('Tempo restante')).toBeLessThanOrEqual(390);
    expect(right('Estado')).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await page.browserContext().close();
  }, 60_000);

  test('unfiltered, the page reloads itself on time (its severity list shows "Todas" without marking it selected)', async () => {
    const { page, errors } = await signIn('leadership');
    await fastTimers(page);
    await page.goto(`${base}/em-risco`);
    const marked = await markDocument(page);
    await page.waitForNavigation({ timeout: 10_000 });
    expect(await marked()).toBe(false);
    expect(errors).toEqual([]);
    await page.browserContext().close();
  }, 60_000);

  test('the 60 s refresh waits while a filter is being typed, then reloads the page with its query', async () => {
    const { page, errors } = await signIn('leadership');
    await fastTimers(page);
    await page.goto(`${base}/em-risco?severity=alta`);
    expect(await page.$eval('body', (b) => b.getAttribute('data-refresh-seconds'))).toBe('60');
    const marked = await markDocument(page);
    await page.type('input[name=client]', 'Cliente 7');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await marked()).toBe(true);
    expect(await page.$eval('input[name=client]', (input) => (input as unknown as FormField).value)).toBe('Cliente 7');
    // Put back as it was, the focus left in the field: no one is typing, so a tick later the page reloads, keeping its query.
    await Promise.all([
      page.waitForNavigation({ timeout: 10_000 }),
      page.$eval('input[name=client]', (input) => {
        const field = input as unknown as FormField;
        field.value = field.defaultValue;
      }),
    ]);
    expect(await marked()).toBe(false);
    expect(new URL(page.url()).search).toBe('?severity=alta');
    expect(errors).toEqual([]);
    await page.browserContext().close();
  }, 60_000);
});
