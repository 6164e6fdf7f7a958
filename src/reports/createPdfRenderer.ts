import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { type Logger, quietLogger } from './types.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** The browser landed on something that is not the page to print: nothing is printed. */
export class PrintRefusedError extends Error {
  constructor(message: string, readonly status: number | undefined) {
    super(message);
    this.name = 'PrintRefusedError';
  }
}

export interface PrintOptions {
  /** data-page of the page to print; a login or error page carries another one. */
  marker: string;
  headerTemplate: string;
  footerTemplate: string;
  timeoutMs?: number;
}

export interface PdfRenderer {
  /** Opens `url`, checks it is the expected page and ready, prints it on A4. */
  renderPdf(url: string, options: PrintOptions): Promise<Uint8Array>;
  /** The browser's process id while one runs (the benchmark sums its processes' memory). */
  browserPid(): number | undefined;
  close(): Promise<void>;
}

export interface PdfRendererOptions {
  executablePath?: string;
  /** Pages printing at once; more wait. */
  maxPages?: number;
  logger?: Logger;
}

/** A counting semaphore: at most `limit` holders at once, the others wait in order. */
function createLimiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (active < limit) {
        active++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else active--;
    },
  };
}

/**
 * One Chromium for every job, launched on first use with a fresh profile in a temporary folder
 * (removed when it exits); a browser that crashed or disconnected is relaunched on the next job.
 */
export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  const { executablePath = CHROMIUM_PATH, logger = quietLogger } = options;
  const limiter = createLimiter(options.maxPages ?? 2);
  let launching: Promise<Browser> | undefined;
  let current: Browser | undefined;

  async function launch(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'prazo-chromium-'));
    const started = performance.now();
    try {
      // Puppeteer's own signal handlers would exit the process (code 130) on Ctrl+C or SIGTERM;
      // `prazo serve` stops gracefully itself and closes the browser on the way out.
      const browser = await puppeteer.launch({
        executablePath,
        args: CHROMIUM_ARGS,
        userDataDir: profile,
        headless: true,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        // Talk over a pipe, not a WebSocket: when this process dies (even by SIGKILL) the pipe
        // closes and Chromium exits with it instead of living on as an orphan.
        pipe: true,
      });
      current = browser;
      const removeProfile = () => {
        try {
          rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
        } catch (error) {
          logger.warn('browser_profile_not_removed', { profile, error: (error as Error).message });
        }
      };
      // The profile goes once the process has exited (Chromium writes to it until then).
      const child = browser.process();
      if (child && child.exitCode === null) child.once('exit', removeProfile);
      else removeProfile();
      browser.once('disconnected', () => logger.info('browser_disconnected', { pid: child?.pid }));
      logger.info('browser_launched', { pid: browser.process()?.pid, ms: Math.round(performance.now() - started) });
      return browser;
    } catch (error) {
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  async function getBrowser(): Promise<Browser> {
    if (!launching) {
      const attempt = launch();
      launching = attempt;
      attempt.catch(() => {
        if (launching === attempt) launching = undefined;
      });
    }
    const pending = launching;
    const browser = await pending;
    if (browser.connected) return browser;
    if (launching === pending) launching = undefined;
    return getBrowser();
  }

  async function renderPdf(url: string, print: PrintOptions): Promise<Uint8Array> {
    const timeout = print.timeoutMs ?? 30_000;
    await limiter.acquire();
    try {
      const browser = await getBrowser();
      const page = await browser.newPage();
      try {
        const response = await page.goto(url, { waitUntil: 'load', timeout });
        const status = response?.status();
        const landed = String(await page.evaluate('document.body ? document.body.dataset.page || "" : ""'));
        if (landed === 'login' || /\/login\b/.test(new URL(page.url()).pathname)) {
          throw new PrintRefusedError(`refused to print: the browser landed on the login page (HTTP ${status}); the print token was not accepted`, status);
        }
        if (status === undefined || status >= 400 || landed === 'error') {
          throw new PrintRefusedError(`refused to print: the report page answered HTTP ${status} (${landed || 'no marker'})`, status);
        }
        if (landed !== print.marker) {
          throw new PrintRefusedError(`refused to print: expected the page "${print.marker}", found "${landed || 'no marker'}"`, status);
        }
        await page.waitForSelector('body[data-ready="true"]', { timeout });
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: print.headerTemplate,
          footerTemplate: print.footerTemplate,
          margin: { top: '20mm', bottom: '18mm', left: '14mm', right: '14mm' },
          timeout,
        });
      } finally {
        await page.close().catch(() => {});
      }
    } finally {
      limiter.release();
    }
  }

  return {
    renderPdf,
    browserPid: () => (current?.connected ? current.process()?.pid : undefined),
    async close() {
      const browser = await launching?.catch(() => undefined);
      launching = undefined;
      if (browser?.connected) await browser.close();
    },
  };
}

/** Pages of a PDF written by Chromium: the largest /Count of its page tree nodes. */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  let pages = 0;
  for (const match of text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)) {
    pages = Math.max(pages, Number(match[1] ?? match[2]));
  }
  return pages;
}
