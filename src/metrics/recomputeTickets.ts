import type { DuckDBConnection } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import type { Database } from '../db/openDatabase.js';
import type { Policy } from '../policy/policySchema.js';
import type { BusinessCalendar } from './calendar/types.js';
import { computeTicketSla, type FirstResponseRule } from './computeTicketSla.js';
import { type PseudonymKey, resolvePseudonymKey } from './pseudonymize.js';
import { registerTicketSlaFunction } from './sla/createTicketSlaFunction.js';

export interface RecomputeOptions {
  /** Every ticket; otherwise only those listed in changed_tickets. */
  full?: boolean;
  /**
   * Incremental: also every ticket not yet closed (its live clock moves with time alone). They are
   * listed in changed_tickets inside the recompute's transaction, so a run that fails lists nothing.
   */
  includeOpen?: boolean;
  /** The instant open tickets are evaluated at (UTC ms or a Date). */
  now: number | Date;
  firstResponse?: FirstResponseRule;
  /** The pseudonym key; resolved from the environment (PRAZO_PSEUDONYM_KEY) when absent. */
  pseudonymKey?: PseudonymKey;
  calendars?: ReadonlyMap<string, BusinessCalendar>;
  /** Wall clock for computed_at (injected in tests). */
  clock?: () => number;
}

export interface RecomputeResult {
  tickets: number;
  seconds: number;
  mode: 'full' | 'incremental';
}

/**
 * Appended, like ingest's rows (src/ingest/batchSql.ts): never an upsert, which a concurrent ingest
 * batch's own append could not survive. The DELETE at the end of the same transaction clears them.
 */
const INSERT_OPEN_TICKETS = 'INSERT INTO changed_tickets SELECT ticket, current_timestamp FROM ticket_sla WHERE closed_at IS NULL';

/** DuckDB reports a write-write conflict with a concurrent transaction (an ingest batch) like this. */
const CONFLICT = /conflict/i;
const ATTEMPTS = 3;
/** Event times have ms precision in ticket_sla and µs in events: widen the window by a ms each side. */
const MS = 1;

/**
 * Recomputes ticket_sla in one transaction: every ticket (full), or only the tickets listed in
 * changed_tickets (incremental; with includeOpen, every ticket not yet closed too); then clears the
 * changed_tickets rows it saw, so a ticket touched by an ingest that commits meanwhile stays listed
 * for the next run. A transaction that conflicts with a concurrent ingest is retried; one that
 * fails leaves changed_tickets as it was.
 *
 * Rows of untouched tickets keep the "now" they were evaluated at (evaluated_at): an incremental
 * run refreshes the live clock only of the tickets it recomputes.
 */
export async function recomputeTickets(
  db: Database,
  policy: Readonly<Policy>,
  options: RecomputeOptions,
): Promise<RecomputeResult> {
  const clock = options.clock ?? Date.now;
  const started = performance.now();
  const now = typeof options.now === 'number' ? options.now : options.now.getTime();
  const pseudonymKey = options.pseudonymKey ?? resolvePseudonymKey();
  const connection = await db.connect();
  try {
    await registerTicketSlaFunction(connection, db);
    for (let attempt = 1; ; attempt++) {
      await connection.run('BEGIN TRANSACTION');
      try {
        if (options.includeOpen && !options.full) await connection.run(INSERT_OPEN_TICKETS);
        const seen = await countEventRows(connection);
        const between = options.full ? undefined : await changedEventDates(connection, seen);
        await connection.run(options.full ? 'DELETE FROM ticket_sla' : 'DELETE FROM ticket_sla WHERE ticket IN (SELECT ticket FROM changed_tickets)');
        const tickets = await computeTicketSla(connection, policy, {
          scope: options.full ? { kind: 'all' } : { kind: 'changed', between },
          now,
          computedAt: clock(),
          firstResponse: options.firstResponse,
          pseudonymKey,
          calendars: options.calendars,
        });
        await connection.run('DELETE FROM changed_tickets');
        await connection.run(
          `INSERT INTO ticket_sla_state VALUES (1, $seen, current_timestamp)
           ON CONFLICT (id) DO UPDATE SET events_seen = excluded.events_seen, updated_at = excluded.updated_at`,
          { seen: seen ?? 0 },
        );
        await connection.run('COMMIT');
        return { tickets, seconds: (performance.now() - started) / 1000, mode: options.full ? 'full' : 'incremental' };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        if (attempt >= ATTEMPTS || !CONFLICT.test((error as Error).message)) throw error;
      }
    }
  } finally {
    connection.closeSync();
  }
}

/**
 * The rows of events this transaction sees, when they are numbered 0…n−1 without gaps (events is
 * append-only); undefined when they are not (something deleted events), so no watermark is kept.
 */
async function countEventRows(connection: DuckDBConnection): Promise<number | undefined> {
  const reader = await connection.runAndReadAll('SELECT count(*)::DOUBLE, coalesce(max(rowid) + 1, 0)::DOUBLE FROM events');
  const [count, next] = reader.getRows()[0]!.map(Number) as [number, number];
  return count === next ? count : undefined;
}

/**
 * The dates between which every event of the changed tickets lies, so the incremental recompute
 * reads only those row groups of events: events committed since the last recompute (rowid >=
 * events_seen, DuckDB numbers rows in commit order) may have any date; the older events of a
 * ticket lie between its first_event_at and last_event_at, computed from exactly those events.
 * Undefined (search all of events by ticket) when there is no valid watermark.
 */
async function changedEventDates(connection: DuckDBConnection, seen: number | undefined): Promise<[number, number] | undefined> {
  if (seen === undefined) return undefined;
  const state = await connection.runAndReadAll('SELECT events_seen::DOUBLE FROM ticket_sla_state WHERE id = 1');
  const watermark = Number(state.getRows()[0]?.[0] ?? 0);
  if (watermark > seen) return undefined;
  const reader = await connection.runAndReadAll(
    `SELECT epoch_ms(least(o.lo, n.lo))::DOUBLE, epoch_ms(greatest(o.hi, n.hi))::DOUBLE
     FROM (SELECT min(first_event_at) AS lo, max(last_event_at) AS hi FROM ticket_sla WHERE ticket IN (SELECT ticket FROM changed_tickets)) o,
          (SELECT min(occurred_at) AS lo, max(occurred_at) AS hi FROM events WHERE rowid >= $watermark) n`,
    { watermark },
  );
  const [lo, hi] = reader.getRows()[0]!;
  if (lo === null || hi === null) return undefined;
  return [Number(lo) - MS, Number(hi) + MS];
}
