import type { Caller } from '../access/roles.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Database } from '../db/openDatabase.js';
import { createPdfRenderer, type PdfRenderer } from './createPdfRenderer.js';
import { createReportPrintRoutes, type ReportPolicy } from './createReportPrintRoutes.js';
import { type GeneratedReport, generateWeeklyReport } from './generateWeeklyReport.js';
import type { MetricReader } from './metricSource.js';
import type { ReportWeek } from './reportWeek.js';
import { type Clock, type Logger, quietLogger } from './types.js';

export interface LoopbackServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 at a free port, for the browser of the report job. */
export async function startLoopbackServer(app: Hono): Promise<LoopbackServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface WeeklyReportServiceOptions {
  db: Database;
  policy: ReportPolicy;
  archiveDir?: string;
  clock?: Clock;
  logger?: Logger;
  /** Shared browser; one is created (and closed by `close`) when absent. */
  renderer?: PdfRenderer;
  readMetric?: MetricReader;
  /** Page load, ready marker and printing, each. */
  timeoutMs?: number;
}

export interface WeeklyReportService {
  generate(week: ReportWeek, options?: { force?: Caller }): Promise<GeneratedReport>;
  renderer: PdfRenderer;
  close(): Promise<void>;
}

/**
 * Everything a weekly report needs, for the CLI and the serve process: the print page on its own
 * loopback server (started on first use), the shared browser, the archive.
 */
export function createWeeklyReportService(options: WeeklyReportServiceOptions): WeeklyReportService {
  const { db, policy, clock = Date.now, logger = quietLogger } = options;
  const renderer = options.renderer ?? createPdfRenderer({ logger });
  let server: Promise<LoopbackServer> | undefined;
  const routes = () => createReportPrintRoutes({ db, policy, readMetric: options.readMetric, clock, logger });
  return {
    renderer,
    async generate(week, generateOptions = {}) {
      server ??= startLoopbackServer(routes());
      const printBaseUrl = (await server).url;
      return generateWeeklyReport(
        { db, renderer, printBaseUrl, company: policy.company, archiveDir: options.archiveDir, clock, logger, timeoutMs: options.timeoutMs },
        week,
        generateOptions,
      );
    },
    async close() {
      await (await server?.catch(() => undefined))?.close();
      if (!options.renderer) await renderer.close();
    },
  };
}
