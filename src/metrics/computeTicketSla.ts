import type { DuckDBConnection } from '@duckdb/node-api';
import type { Policy } from '../policy/policySchema.js';
import type { BusinessCalendar } from './calendar/types.js';
import { type PseudonymKey, pseudonymParams } from './pseudonymize.js';
import { createSlaContext } from './sla/computeSlaBatch.js';
import { startTicketSlaRun, TICKET_SLA_FUNCTION } from './sla/createTicketSlaFunction.js';
import type { FirstResponseRule } from './sla/foldTicketEvents.js';
import { FULL_RECOMPUTE_MEMORY_BYTES, raiseMemoryLimit } from './sla/raiseMemoryLimit.js';
import { COUNT_MARKED_SQL, EVENT_COLUMNS, insertTicketSlaSql, markOutOfOrderSql } from './sla/ticketSlaSql.js';

export type { FirstResponseRule } from './sla/foldTicketEvents.js';

/**
 * Every ticket, the tickets listed in changed_tickets, or one ticket. For changed tickets, `between`
 * (UTC ms, inclusive) may bound the dates of their events, so DuckDB reads only the row groups
 * of those dates; it must hold every event of every changed ticket.
 */
export type TicketScope =
  | { kind: 'all' }
  | { kind: 'changed'; between?: readonly [number, number] }
  | { kind: 'ticket'; ticket: string };

export interface ComputeTicketSlaOptions {
  scope: TicketScope;
  /** The instant open tickets are evaluated at (UTC ms). */
  now: number;
  /** When the rows are written (UTC ms); defaults to the clock. */
  computedAt?: number;
  firstResponse?: FirstResponseRule;
  pseudonymKey: PseudonymKey;
  /** Compiled calendars to reuse (their tables stay built between runs); from the policy otherwise. */
  calendars?: ReadonlyMap<string, BusinessCalendar>;
}

/** The events of a partial scope, copied once so that the statements below scan `events` once. */
const SCOPE_TABLE = 'prazo_scope_events';

/**
 * Computes ticket_sla rows for the tickets of a scope from their events and inserts them, on a
 * connection whose transaction the caller holds (rows of the scope must have been deleted first).
 * Returns the number of rows written.
 *
 * One INSERT … SELECT does the work (sla/ticketSlaSql.ts): DuckDB groups the events per ticket,
 * the scalar function prazo_ticket_sla folds and measures them in JavaScript a chunk of tickets at
 * a time (sla/createTicketSlaFunction.ts; this call is one "run" of it), and the rows are written
 * as they come. Then the tickets whose events came in several ingest batches are checked for
 * out-of-order arrival. For every ticket, DuckDB's memory limit is raised for that statement
 * (sla/raiseMemoryLimit.ts).
 */
export async function computeTicketSla(
  connection: DuckDBConnection,
  policy: Readonly<Policy>,
  options: ComputeTicketSlaOptions,
): Promise<number> {
  const ctx = createSlaContext(policy, options.now, options.calendars);
  const run = await startTicketSlaRun(connection, ctx, options.firstResponse ?? policy.firstResponse);
  const { scope } = options;
  const source = scope.kind === 'all' ? 'events' : SCOPE_TABLE;
  try {
    if (scope.kind === 'ticket') {
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE ${SCOPE_TABLE} AS SELECT ${EVENT_COLUMNS.join(', ')} FROM events WHERE ticket = $ticket`,
        { ticket: scope.ticket },
      );
    } else if (scope.kind === 'changed') {
      const dates = scope.between ? 'occurred_at BETWEEN $from::TIMESTAMPTZ AND $to::TIMESTAMPTZ AND ' : '';
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE ${SCOPE_TABLE} AS SELECT ${EVENT_COLUMNS.join(', ')} FROM events
         WHERE ${dates}ticket IN (SELECT ticket FROM changed_tickets)`,
        scope.between ? { from: new Date(scope.between[0]).toISOString(), to: new Date(scope.between[1]).toISOString() } : {},
      );
    }
    // Every ticket's events are aggregated at once: give the statement room not to spill (raiseMemoryLimit.ts).
    const restoreMemoryLimit = scope.kind === 'all' ? await raiseMemoryLimit(connection, FULL_RECOMPUTE_MEMORY_BYTES) : undefined;
    let inserted;
    try {
      inserted = await connection.runAndReadAll(insertTicketSlaSql(TICKET_SLA_FUNCTION, source), {
        run: run.id,
        now_us: BigInt(Math.round(options.now * 1000)),
        computed_us: BigInt(Math.round((options.computedAt ?? Date.now()) * 1000)),
        ...pseudonymParams(options.pseudonymKey),
      });
    } finally {
      await restoreMemoryLimit?.();
    }
    const marked = Number((await connection.runAndReadAll(COUNT_MARKED_SQL)).getRows()[0]![0]);
    if (marked > 0) await connection.run(markOutOfOrderSql(source));
    return Number(inserted.getRows()[0]?.[0] ?? 0);
  } finally {
    run.close();
    if (scope.kind !== 'all') await connection.run(`DROP TABLE IF EXISTS ${SCOPE_TABLE}`);
  }
}
