import { pseudonymSql } from '../pseudonymize.js';
import { STATE_NAMES } from './computeSlaBatch.js';
import { SEVERITIES } from '../../policy/severities.js';
import { CLOSE_REASON_NAMES, packedEventSql, STATUS_NAMES } from './eventKinds.js';
import { CHECK_ORDER_BIT, Flag } from './qualityFlags.js';

/** The columns of `events` the computation reads. */
/**
 * The events the SLA and a ticket's timeline read: not survey answers, which are the satisfaction
 * zone's (src/metrics/satisfaction), so no SLA instant or timeline tells when a customer answered.
 */
export const SLA_EVENTS = "type NOT LIKE 'survey.%'";

export const EVENT_COLUMNS = [
  'ticket', 'occurred_at', 'ingested_at', 'type', 'severity', 'status', 'reason', 'by_role', 'answer',
  'client', 'requester', 'channel', 'gut_g', 'gut_u', 'gut_t', 'analyst', 'category',
] as const;

/** The stored columns of ticket_sla, in the order insertTicketSlaSql produces them. */
export const TICKET_SLA_COLUMNS = [
  'ticket', 'client', 'requester', 'analyst', 'category', 'channel', 'gut_score', 'severity', 'severity_history',
  'status', 'opened_at', 'first_response_at', 'resolved_at', 'closed_at', 'close_reason', 'reopen_count',
  'response_target_seconds', 'solution_target_seconds', 'response_seconds', 'solution_seconds', 'paused_seconds',
  'response_deadline', 'solution_deadline', 'consumed_seconds', 'state', 'auto_close_due_at', 'quality_mask',
  'first_event_at', 'last_event_at', 'evaluated_at', 'computed_at',
] as const;

const listLiteral = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * INSERT INTO ticket_sla for every ticket of `source` (`events`, or a table of some tickets' events
 * with EVENT_COLUMNS), in one streaming statement: DuckDB groups each ticket's events into one list
 * of packed numbers (no sort of the event table), the JS function `fn` (createTicketSlaFunction)
 * folds and computes a chunk of tickets at a time, and the rows go straight into the table.
 * Descriptive columns come from the events in SQL: client, requester, channel and GUT from the
 * first ticket.opened, analyst and category from the last assignment and categorization;
 * requesters are pseudonymised once per distinct requester. Parameters: $run (startTicketSlaRun),
 * $now_us, $computed_us and the pseudonym key (pseudonymParams).
 */
export function insertTicketSlaSql(fn: string, source: string): string {
  return `
INSERT INTO ticket_sla (${TICKET_SLA_COLUMNS.join(', ')})
WITH per_ticket AS (
  SELECT ticket,
    list(${packedEventSql()}) AS events,
    min(ingested_at) <> max(ingested_at) AS multi_batch,
    arg_min({'client': client, 'requester': requester, 'channel': channel, 'gut': gut_g::SMALLINT * gut_u * gut_t}, occurred_at)
      FILTER (WHERE type = 'ticket.opened') AS opening,
    arg_max(analyst, occurred_at) FILTER (WHERE type = 'ticket.assigned') AS analyst,
    arg_max(category, occurred_at) FILTER (WHERE type = 'ticket.categorized') AS category
  FROM ${source}
  -- Survey answers are the satisfaction zone's, not the SLA's: a ticket known only from a survey
  -- gets no row, and no SLA instant (last_event_at) can tell when a customer answered.
  WHERE ${SLA_EVENTS}
  GROUP BY ticket
), pseudonyms AS (
  SELECT requester, ${pseudonymSql('requester')} AS pseudonym
  FROM (SELECT DISTINCT requester FROM ${source} WHERE type = 'ticket.opened' AND requester IS NOT NULL)
), computed AS (
  SELECT ticket, opening, analyst, category, ${fn}(events, multi_batch, $run::INTEGER) AS r FROM per_ticket
)
SELECT ticket, opening.client, pseudonyms.pseudonym, analyst, category, opening.channel, opening.gut,
  ${listLiteral(SEVERITIES)}[r.severity::INTEGER + 1], r.severity_history,
  ${listLiteral(STATUS_NAMES)}[r.status::INTEGER + 1],
  r.opened_at, r.first_response_at, r.resolved_at, r.closed_at,
  ${listLiteral(CLOSE_REASON_NAMES)}[nullif(r.close_reason, 0)], r.reopen_count,
  r.response_target_seconds, r.solution_target_seconds, r.response_seconds, r.solution_seconds, r.paused_seconds,
  r.response_deadline, r.solution_deadline, r.consumed_seconds, ${listLiteral(STATE_NAMES)}[nullif(r.state, 0)], r.auto_close_due_at,
  r.flags, r.first_event_at, r.last_event_at, make_timestamptz($now_us::BIGINT), make_timestamptz($computed_us::BIGINT)
FROM computed LEFT JOIN pseudonyms ON pseudonyms.requester = computed.opening.requester`;
}

const MARKED = `(quality_mask & ${CHECK_ORDER_BIT}) <> 0`;

/** How many rows just written wait for the out-of-order check. */
export const COUNT_MARKED_SQL = `SELECT count(*)::INTEGER FROM ticket_sla WHERE ${MARKED}`;

/**
 * Sets out_of_order on the rows the fold marked with CHECK_ORDER_BIT (their events came in more
 * than one ingest batch) and clears the mark. An event is out of order when an event of the same
 * ticket that happened earlier was ingested after it. `source` as for insertTicketSlaSql.
 */
export function markOutOfOrderSql(source: string): string {
  return `
UPDATE ticket_sla SET quality_mask = (quality_mask & ~${CHECK_ORDER_BIT}) |
  CASE WHEN ticket IN (
    SELECT ticket FROM (
      SELECT ticket, first_ingested,
        max(last_ingested) OVER (PARTITION BY ticket ORDER BY occurred_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_last_ingested
      FROM (
        SELECT ticket, occurred_at, min(ingested_at) AS first_ingested, max(ingested_at) AS last_ingested
        FROM ${source}
        WHERE ticket IN (SELECT ticket FROM ticket_sla WHERE ${MARKED})
        GROUP BY ticket, occurred_at
      )
    ) WHERE earlier_last_ingested > first_ingested
  ) THEN ${Flag.out_of_order} ELSE 0 END
WHERE ${MARKED}`;
}
