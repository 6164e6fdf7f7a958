import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { Database } from '../../db/openDatabase.js';
import type { AuthVariables } from '../auth/types.js';
import { AppError } from '../errors.js';
import { type HttpMetrics, labels } from './createHttpMetrics.js';

type Env = { Variables: Partial<AuthVariables> };

/**
 * Who may read `/metrics`: an admin (session or personal token), or a scraper on the same machine
 * — a request from a loopback address that did not come through a proxy (no X-Forwarded-For),
 * since a reverse proxy on the same host would make every visitor look local.
 */
export function mayReadMetrics(c: Context<Env>): boolean {
  if (c.get('user')?.role === 'admin') return true;
  if (c.req.header('x-forwarded-for') || c.req.header('forwarded')) return false;
  try {
    const address = getConnInfo(c).remote.address ?? '';
    return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
  } catch {
    return false; // no socket (app.request in tests): not loopback
  }
}

/** Ingest and recompute numbers read from the database at scrape time. */
async function readDatabaseLines(db: Database): Promise<string[]> {
  const c = await db.connect();
  try {
    const runs = (
      await c.runAndReadAll(
        `SELECT source, status, count(*)::DOUBLE AS runs, sum(accepted)::DOUBLE AS accepted,
                sum(duplicates)::DOUBLE AS duplicates, sum(rejected)::DOUBLE AS rejected
         FROM ingest_runs GROUP BY ALL ORDER BY ALL`,
      )
    ).getRowObjectsJS() as { source: string; status: string; runs: number; accepted: number; duplicates: number; rejected: number }[];
    const lines = [
      '# HELP prazo_ingest_runs_total Ingest runs recorded in the database, by source and status.',
      '# TYPE prazo_ingest_runs_total counter',
      ...runs.map((r) => `prazo_ingest_runs_total${labels({ source: r.source, status: r.status })} ${r.runs}`),
      '# HELP prazo_ingest_events_total Events read by ingest runs, by source and outcome.',
      '# TYPE prazo_ingest_events_total counter',
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
        '# HELP prazo_recompute_last_timestamp_seconds When ticket_sla was last recomputed (Unix seconds).',
        '# TYPE prazo_recompute_last_timestamp_seconds gauge',
        `prazo_recompute_last_timestamp_seconds ${state.at}`,
        '# HELP prazo_ticket_sla_rows Tickets in ticket_sla.',
        '# TYPE prazo_ticket_sla_rows gauge',
        `prazo_ticket_sla_rows ${state.tickets}`,
        '# HELP prazo_changed_tickets_pending Tickets whose events changed since the last recompute.',
        '# TYPE prazo_changed_tickets_pending gauge',
        `prazo_changed_tickets_pending ${state.pending}`,
      );
    }
    return lines;
  } finally {
    c.closeSync();
  }
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
