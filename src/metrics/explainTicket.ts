import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import type { Policy, Severity } from '../policy/policySchema.js';
import { createCalendars } from './calendar/createCalendars.js';
import { getHolidays } from './calendar/getHolidays.js';
import type { BusinessCalendar } from './calendar/types.js';
import { computeTicketSla, type FirstResponseRule } from './computeTicketSla.js';
import { type PseudonymKey, resolvePseudonymKey } from './pseudonymize.js';
import { buildTimeline, type ClosedReason, type TimelineSegment } from './sla/buildTimeline.js';
import { packedEventSql } from './sla/eventKinds.js';
import { SLA_EVENTS } from './sla/ticketSlaSql.js';
import { foldTicketEvents, sortTicketEvents, type Transition } from './sla/foldTicketEvents.js';
import { registerTicketSlaFunction } from './sla/createTicketSlaFunction.js';
import { LifecycleBatch } from './sla/LifecycleBatch.js';

export class UnknownTicketError extends Error {
  constructor(readonly ticket: string) {
    super(`no events for ticket "${ticket}"`);
    this.name = 'UnknownTicketError';
  }
}

export interface ExplainOptions {
  now: number | Date;
  firstResponse?: FirstResponseRule;
  pseudonymKey?: PseudonymKey;
  calendars?: ReadonlyMap<string, BusinessCalendar>;
}

export interface TicketExplanation {
  /** Every ticket_sla column (instants as ISO-8601 UTC), as of `now`. */
  [field: string]: unknown;
  severity_history: { at: string; severity: string }[];
  calendar: string | null;
  first_response_rule: FirstResponseRule;
  timeline: TimelineSegment[];
}

/**
 * One ticket explained: its ticket_sla row computed as of `now` (by the same code as a recompute,
 * in a transaction that is rolled back, so nothing is written) and the timeline of its life from
 * the opening to the solution instant (or now). The counting segments of the timeline add up to
 * solution_seconds (consumed_seconds for an open ticket). Throws UnknownTicketError when the
 * ticket has no events.
 */
export async function explainTicket(
  db: Database,
  policy: Readonly<Policy>,
  ticket: string,
  options: ExplainOptions,
): Promise<TicketExplanation> {
  const now = typeof options.now === 'number' ? options.now : options.now.getTime();
  const calendars = options.calendars ?? createCalendars(policy);
  const firstResponse = options.firstResponse ?? policy.firstResponse;
  const connection = await db.connect();
  try {
    await registerTicketSlaFunction(connection, db);
    const row = await computeRow(connection, policy, ticket, { ...options, now, calendars, firstResponse });
    const transitions = await traceTransitions(connection, ticket, firstResponse);
    const severity = row.severity as string | null;
    const calendarName = severity ? policy.severities[severity as Severity].calendar : null;
    const end = row.resolved_at ? Date.parse(row.resolved_at as string) : Math.max(now, Date.parse(row.opened_at as string));
    const timeline = calendarName
      ? buildTimeline(transitions, end, calendars.get(calendarName)!, closedReasons(policy, calendarName))
      : [];
    // Stored only when the severity changed; otherwise the opening severity is the whole history.
    const history: { at: string; severity: string }[] = row.severity_history
      ? JSON.parse(row.severity_history as string)
      : severity
        ? [{ at: row.opened_at as string, severity }]
        : [];
    return { ...row, severity_history: history, calendar: calendarName, first_response_rule: firstResponse, timeline };
  } finally {
    connection.closeSync();
  }
}

async function computeRow(
  connection: DuckDBConnection,
  policy: Readonly<Policy>,
  ticket: string,
  options: { now: number; calendars: ReadonlyMap<string, BusinessCalendar>; firstResponse: FirstResponseRule; pseudonymKey?: PseudonymKey },
): Promise<Record<string, unknown>> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run('DELETE FROM ticket_sla WHERE ticket = $ticket', { ticket });
    const written = await computeTicketSla(connection, policy, {
      scope: { kind: 'ticket', ticket },
      now: options.now,
      firstResponse: options.firstResponse,
      pseudonymKey: options.pseudonymKey ?? resolvePseudonymKey(),
      calendars: options.calendars,
    });
    if (written === 0) throw new UnknownTicketError(ticket);
    const reader = await connection.runAndReadAll('SELECT * FROM ticket_sla WHERE ticket = $ticket', { ticket });
    const [row] = reader.getRowObjectsJS();
    return Object.fromEntries(Object.entries(row!).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
  } finally {
    await connection.run('ROLLBACK');
  }
}

/** The ticket's status changes, by the same fold as ticket_sla. */
async function traceTransitions(connection: DuckDBConnection, ticket: string, rule: FirstResponseRule): Promise<Transition[]> {
  const reader = await connection.runAndReadAll(`SELECT ${packedEventSql()} FROM events WHERE ticket = $ticket AND ${SLA_EVENTS}`, { ticket });
  const events = Float64Array.from(reader.getRows(), (row) => Number(row[0]));
  sortTicketEvents(events, 0, events.length);
  const transitions: Transition[] = [];
  foldTicketEvents(events, 0, events.length, rule, false, new LifecycleBatch(1), transitions);
  return transitions;
}

/** Names what closes a calendar between two instants: the holidays and weekends it spans whole, else its hours. */
function closedReasons(policy: Readonly<Policy>, calendarName: string): ClosedReason {
  const spec = policy.calendars[calendarName];
  if (!spec || spec.type !== 'weekly') return () => 'outside_hours';
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: spec.timezone });
  const localDate = (ms: number) => format.format(ms);
  const holidays = new Map<number, Map<string, string>>();
  const holidayOn = (date: string) => {
    const year = Number(date.slice(0, 4));
    if (!holidays.has(year)) {
      holidays.set(year, new Map(spec.holidays ? getHolidays(policy.holidays, year).map((h) => [h.date, h.name]) : []));
    }
    return holidays.get(year)!.get(date);
  };
  return (from, to) => {
    const reasons = new Set<string>();
    // The local dates strictly between the gap's first and last date lie in it whole.
    const first = localDate(from);
    const last = localDate(to - 1);
    for (let t = from; t < to; t += 3_600_000) {
      const date = localDate(t);
      if (date === first || date === last) continue;
      const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
      const holiday = holidayOn(date);
      if (holiday) reasons.add(`holiday: ${holiday}`);
      else if (spec.hours[(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[weekday]!].length === 0) reasons.add('weekend');
    }
    return reasons.size > 0 ? [...reasons].join(', ') : 'outside_business_hours';
  };
}
