/**
 * Data-quality flags of a ticket: stored as a bit mask (ticket_sla.quality_mask) and read as names
 * (ticket_sla.quality_flags, a generated column). Each flag names defined behaviour, not a failure:
 * the ticket is still computed, and the flag says what rule was applied.
 */
export const QUALITY_FLAGS = [
  /** An event was ingested after an event of the same ticket that happened later. Folded in time order anyway. */
  'out_of_order',
  /** A status change to the status the ticket was already in. Ignored. */
  'duplicate_status',
  /** fechado without a resolvido before it. The closing instant is taken as the solution. */
  'closed_without_resolved',
  /** The ticket is still in aguardando_cliente: the pause runs until "now". */
  'unended_pause',
  /** resolvido with no answer and no fechado past the auto-close date (an anomaly to chase). */
  'auto_close_overdue',
  /** Events dated before ticket.opened. Taken as happening at the opening. */
  'events_before_opened',
  /** No ticket.opened. The first event of the ticket is taken as its opening. */
  'missing_opened',
  /** No severity known (no ticket.opened nor severity change): no targets, no SLA numbers. */
  'unknown_severity',
  /** An instant outside the years the calendars cover (1902–2198): no SLA numbers. */
  'time_out_of_range',
] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

export const Flag = Object.fromEntries(QUALITY_FLAGS.map((name, i) => [name, 1 << i])) as Record<QualityFlag, number>;

/**
 * Not a flag: set by the fold on tickets whose events came in more than one ingest batch, so that
 * the out-of-order check (which needs ingest times) runs on those tickets only; cleared before commit.
 */
export const CHECK_ORDER_BIT = 1 << 30;

export function flagNames(mask: number): QualityFlag[] {
  return QUALITY_FLAGS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** SQL turning a mask column into the list of flag names (no lambdas: generated columns refuse them). */
export function flagNamesSql(column: string): string {
  const parts = QUALITY_FLAGS.map((name, i) => `CASE WHEN (${column} & ${1 << i}) <> 0 THEN ['${name}'] ELSE [] END`);
  return `flatten([${parts.join(', ')}])`;
}
