import { AccessError } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { isoSql, withConnection } from '../../db/withConnection.js';
import { SLA_EVENTS } from '../../metrics/sla/ticketSlaSql.js';

export const TICKET_STATES = ['on_track', 'at_risk', 'breached'] as const;
export const MAX_TICKETS = 1000;

export interface OpenTicketsParams {
  state?: string;
  analyst?: string;
  severity?: string;
  client?: string;
  limit?: number;
}

export interface OpenTicket {
  ticket: string;
  client: string | null;
  analyst: string | null;
  severity: string | null;
  status: string | null;
  state: string | null;
  opened_at: string | null;
  solution_deadline: string | null;
  /** Business seconds left of the solution target (negative: over by that much), as of evaluated_at. */
  remaining_seconds: number | null;
  solution_target_seconds: number | null;
  paused_seconds: number | null;
  evaluated_at: string;
}

const iso = (column: string) => `${isoSql(column)} AS ${column}`;
const invalid = (message: string) => new AccessError(400, 'invalid_query', message);

/** Checks the query-string values; 400 invalid_query on a bad state or limit. */
export function parseOpenTicketsParams(query: Record<string, string | undefined>): OpenTicketsParams {
  const params: OpenTicketsParams = {};
  if (query.state) {
    if (!(TICKET_STATES as readonly string[]).includes(query.state)) throw invalid(`state: esperava ${TICKET_STATES.join(', ')}`);
    params.state = query.state;
  }
  for (const key of ['analyst', 'severity', 'client'] as const) if (query[key]) params[key] = query[key];
  if (query.limit !== undefined) {
    const limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TICKETS) throw invalid(`limit: esperava um inteiro de 1 a ${MAX_TICKETS}`);
    params.limit = limit;
  }
  return params;
}

/** The columns a ticket row of the at-risk queue and the breach list shows. */
const openTicketColumns = () =>
  `ticket, client, analyst, severity::VARCHAR AS severity, status::VARCHAR AS status, state::VARCHAR AS state,
   ${iso('opened_at')}, ${iso('solution_deadline')}, remaining_seconds, solution_target_seconds, paused_seconds,
   ${iso('evaluated_at')}`;

/** `column = $column` for each given (non-empty) filter; the columns come from a fixed list, the values are bound. */
function addEqualityFilters<K extends string>(
  where: string[],
  bound: Record<string, string | number>,
  params: Partial<Record<K, string | number | undefined>>,
  columns: readonly K[],
): void {
  for (const column of columns) {
    const value = params[column];
    if (value === undefined || value === '') continue;
    where.push(`${column}::VARCHAR = $${column}`);
    bound[column] = value;
  }
}

/**
 * Open tickets (no solution instant yet), least remaining support time first. Filters are
 * equality on whitelisted columns, values bound.
 */
export async function listOpenTickets(db: Database, params: OpenTicketsParams = {}): Promise<OpenTicket[]> {
  const where = ['resolved_at IS NULL'];
  const bound: Record<string, string | number> = { limit: params.limit ?? 100 };
  addEqualityFilters(where, bound, params, ['state', 'analyst', 'severity', 'client']);
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT ${openTicketColumns()}
       FROM ticket_sla WHERE ${where.join(' AND ')}
       ORDER BY remaining_seconds ASC NULLS LAST, opened_at, ticket
       LIMIT $limit`,
      bound,
    );
    return reader.getRowObjectsJS() as unknown as OpenTicket[];
  });
}

export interface TicketEvent {
  occurred_at: string;
  type: string;
  status: string | null;
  severity: string | null;
  by_role: string | null;
  analyst: string | null;
  category: string | null;
  reason: string | null;
  answer: string | null;
  /** A Serviço Rápido's hours and rate (R$ per hour). */
  hours: number | null;
  hourly_rate: number | null;
  source: string;
}

/**
 * A ticket's events in time order, without survey events (the satisfaction zone is read
 * through src/metrics/satisfaction only) and without the raw or unknown fields as sent.
 */
export async function listTicketEvents(db: Database, ticket: string): Promise<TicketEvent[]> {
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT ${iso('occurred_at')}, type, status, severity, by_role, analyst, category, reason, answer, hours, hourly_rate, source
       FROM events WHERE ticket = $ticket AND ${SLA_EVENTS}
       ORDER BY occurred_at, id`,
      { ticket },
    );
    return reader.getRowObjectsJS() as unknown as TicketEvent[];
  });
}

/** Tickets opened in [from, to) that missed the response or the solution target, worst first. */
export async function listBreaches(
  db: Database,
  params: { fromSeconds: number; toSeconds: number; severity?: string; client?: string; analyst?: string; limit?: number },
): Promise<(OpenTicket & { response_met: boolean | null; solution_met: boolean | null; solution_margin_seconds: number | null })[]> {
  const where = ['opened_at >= to_timestamp($from)', 'opened_at < to_timestamp($to)', '(response_met = false OR solution_met = false)'];
  const bound: Record<string, string | number> = { from: params.fromSeconds, to: params.toSeconds, limit: params.limit ?? 100 };
  addEqualityFilters(where, bound, params, ['severity', 'client', 'analyst']);
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT ${openTicketColumns()}, response_met, solution_met, solution_margin_seconds
       FROM ticket_sla WHERE ${where.join(' AND ')}
       ORDER BY coalesce(solution_margin_seconds, remaining_seconds) ASC NULLS LAST, ticket
       LIMIT $limit`,
      bound,
    );
    return reader.getRowObjectsJS() as never;
  });
}
