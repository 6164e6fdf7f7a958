import { type Context, Hono } from 'hono';
import type { Database } from '../../db/openDatabase.js';
import { getClientIp } from '../auth/createAuthMiddleware.js';
import type { AuthVariables } from '../auth/types.js';
import { withConnection } from '../../db/withConnection.js';
import { AppError } from '../errors.js';
import { describeMetric, gaugeLines, type HttpMetrics, labels } from './createHttpMetrics.js';

type Env = { Variables: Partial<AuthVariables> };

/**
 * Who may read `/metrics`: an admin (session or personal token), or a scraper on the same machine
 * — a request from a loopback address that did not come through a proxy (no X-Forwarded-For),
 * since a reverse proxy on the same host would make every visitor look local.
 */
export function mayReadMetrics(c: Context<Env>): boolean {
  if (c.get('user')?.role === 'admin') return true;
  if (c.req.header('x-forwarded-for') || c.req.header('forwarded')) return false;
  // The socket's address (no socket, as with app.request in tests: not loopback).
  const address = getClientIp(c);
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** Ingest and recompute numbers read from the database at scrape time. */
async function readDatabaseLines(db: Database): Promise<string[]> {
  return withConnection(db, async (c) => {
    const runs = (
      await c.runAndReadAll(
        `SELECT source, status, count(*)::DOUBLE AS runs, sum(accepted)::DOUBLE AS accepted,
                sum(duplicates)::DOUBLE AS duplicates, sum(rejected)::DOUBLE AS rejected
         FROM ingest_runs GROUP BY ALL ORDER BY ALL`,
      )
    ).getRowObjectsJS() as { source: string; status: string; runs: number; accepted: number; duplicates: number; rejected: number }[];
    const lines = [
      ...describeMetric('prazo_ingest_runs_total', 'counter', 'Ingest runs recorded in the database, by source and status.'),
      ...runs.map((r) => `prazo_ingest_runs_total${labels({ source: r.source, status: r.status })} ${r.runs}`),
      ...describeMetric('prazo_ingest_events_total', 'counter', 'Events read by ingest runs, by source and outcome.'),
    ];
    const bySource = new Map<string, { accepted: number; duplicates: number; rejected: number }>();
    for (const r of runs) {
      const t = bySource.get(r.source) ?? { accepted: 0, duplicates: 0, rejected: 0 };
      t.accepted += r.accepted;
      t.duplicates += r.duplicates;
      t.rejected += r.rejected;
      bySource.set(r.source, t);
    }
    for (const [source, t] of bySource) {
      for (const outcome of ['accepted', 'duplicates', 'rejected'] as const) {
        lines.push(`prazo_ingest_events_total${labels({ source, outcome })} ${t[outcome]}`);
      }
    }
    const state = (
      await c.runAndReadAll(
        `SELECT epoch(updated_at)::DOUBLE AS at, (SELECT count(*)::DOUBLE FROM ticket_sla) AS tickets,
                (SELECT count(DISTINCT ticket)::DOUBLE FROM changed_tickets) AS pending
         FROM ticket_sla_state WHERE id = 1`,
      )
    ).getRowObjectsJS()[0] as { at: number; tickets: number; pending: number } | undefined;
    if (state) {
      lines.push(
        ...gaugeLines('prazo_recompute_last_timestamp_seconds', 'When ticket_sla was last recomputed (Unix seconds).', state.at),
        ...gaugeLines('prazo_ticket_sla_rows', 'Tickets in ticket_sla.', state.tickets),
        ...gaugeLines('prazo_changed_tickets_pending', 'Tickets whose events changed since the last recompute.', state.pending),
      );
    }
    return lines;
  });
}

/** `GET /metrics`: Prometheus text format 0.0.4; refused (403 JSON) unless mayReadMetrics. */
export function createMetricsRoutes({ db, metrics }: { db: Database; metrics: HttpMetrics }): Hono<Env> {
  const app = new Hono<Env>();
  app.get('/', async (c) => {
    if (!mayReadMetrics(c)) {
      throw new AppError(403, 'forbidden', '/metrics is readable from the server itself (loopback) or by an admin');
    }
    const lines = [...metrics.renderLines(), ...(await readDatabaseLines(db))];
    return c.body(`${lines.join('\n')}\n`, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
