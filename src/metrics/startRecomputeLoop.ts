import type { Database } from '../db/openDatabase.js';
import type { Policy } from '../policy/policySchema.js';
import { createCalendars } from './calendar/index.js';
import { recomputeTickets, type RecomputeResult } from './recomputeTickets.js';

export const DEFAULT_RECOMPUTE_INTERVAL_MS = 60_000;

export interface RecomputeLoopOptions {
  db: Database;
  policy: Readonly<Policy>;
  intervalMs?: number;
  clock?: () => number;
  logger?: { info(event: string, fields?: Record<string, unknown>): void; error(event: string, fields?: Record<string, unknown>): void };
  /** Called after each recompute that ran (the server's /metrics records its duration). */
  onRecompute?: (result: RecomputeResult) => void;
}

export interface RecomputeLoop {
  /** One pass now (passes never overlap): what ran, or undefined when nothing needed it. */
  runOnce(): Promise<RecomputeResult | undefined>;
  stop(): Promise<void>;
}

/**
 * What keeps the dashboards current inside `prazo serve`: every interval, the tickets that events
 * arrived for (changed_tickets, filled by ingest) and every ticket not yet closed — whose live
 * clock (consumed, remaining, at risk, breached, overdue auto-close) moves with time alone — are
 * recomputed at the clock's now. Closed tickets are left alone: nothing about them changes
 * without a new event.
 *
 * The open tickets are listed in changed_tickets inside the recompute's own transaction
 * (includeOpen), never before it: a recompute that keeps failing leaves the queue as ingest left
 * it, instead of adding every open ticket again each interval.
 */
export function startRecomputeLoop(options: RecomputeLoopOptions): RecomputeLoop {
  const { db, policy, clock = Date.now, logger, onRecompute } = options;
  const calendars = createCalendars(policy);
  let running: Promise<RecomputeResult | undefined> | undefined;

  const pass = async (): Promise<RecomputeResult | undefined> => {
    if (!(await hasWork(db))) return undefined;
    const result = await recomputeTickets(db, policy, { now: clock(), calendars, includeOpen: true });
    logger?.info('recompute', { mode: result.mode, tickets: result.tickets, seconds: Number(result.seconds.toFixed(3)) });
    onRecompute?.(result);
    return result;
  };

  const runOnce = (): Promise<RecomputeResult | undefined> => {
    running ??= pass()
      .catch((error: unknown) => {
        logger?.error('recompute_failed', { error: error instanceof Error ? error.message : String(error) });
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void runOnce(), options.intervalMs ?? DEFAULT_RECOMPUTE_INTERVAL_MS);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Whether a pass has anything to recompute: a ticket listed by ingest, or one not yet closed. */
async function hasWork(db: Database): Promise<boolean> {
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(
      'SELECT EXISTS (SELECT 1 FROM changed_tickets) OR EXISTS (SELECT 1 FROM ticket_sla WHERE closed_at IS NULL)',
    );
    return reader.getRows()[0]![0] === true;
  } finally {
    connection.closeSync();
  }
}
