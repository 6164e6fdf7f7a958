import { SEVERITIES } from '../../policy/severities.js';

/**
 * What the SLA fold needs of an event, as one small code per event ("kind"), and how events travel
 * from DuckDB to the fold: one DOUBLE per event, `epoch_ms(occurred_at) * KINDS + kind`, so that a
 * ticket's events are one list of numbers and sorting that list orders them by time, then by kind.
 *
 * The kinds are numbered in the order that events of the same instant are applied: opening first,
 * then severity, replies, status changes in lifecycle order, approval answers last. Sources with
 * minute-resolution times (ServiceNow) put several changes in one minute, and the lifecycle order is
 * right more often there than event ids ("#10" sorts before "#9"). Two events of the same kind at the
 * same instant are interchangeable for the fold, so no further tie-break is needed.
 *
 * Severity codes are indexes in SEVERITIES (policy/severities.ts).
 */

export const STATUS_NAMES = ['novo', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado'] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

/** Status codes: indexes in STATUS_NAMES. */
export const NOVO = 0;
export const EM_ATENDIMENTO = 1;
export const AGUARDANDO_CLIENTE = 2;
export const RESOLVIDO = 3;
export const FECHADO = 4;

export const CLOSE_REASON_NAMES = ['approved', 'auto', 'manual'] as const;
export type CloseReasonName = (typeof CLOSE_REASON_NAMES)[number];
/** Close reason codes: 0 none, else index + 1 in CLOSE_REASON_NAMES. */
export const REASON_NONE = 0;
export const REASON_APPROVED = 1;
export const REASON_AUTO = 2;
export const REASON_MANUAL = 3;

/** Event kinds, in the order events of one instant are applied. */
export const Kind = {
  /** ticket.opened with severity urgente … baixa: OPENED + severity code. */
  OPENED: 0,
  /** ticket.severity_changed: SEVERITY_CHANGED + severity code. */
  SEVERITY_CHANGED: 4,
  /** Any other event of the ticket (assigned, categorized, survey, quick service…). */
  OTHER: 8,
  REPLY_ANALYST: 9,
  REPLY_CUSTOMER: 10,
  /** ticket.status_changed: STATUS + status code (novo … resolvido). */
  STATUS: 11,
  /** ticket.status_changed to fechado: FECHADO + reason code (none, approved, auto, manual). */
  CLOSED: 15,
  APPROVAL_NAO: 19,
  APPROVAL_SIM: 20,
} as const;

/** Kinds per event; the multiplier that packs a kind beside the time in ms. */
export const KINDS = 32;

/** Packs an event; exact while |ms| < 2^48 (beyond the year 10000). */
export function packEvent(ms: number, kind: number): number {
  return ms * KINDS + kind;
}

export function eventTime(packed: number): number {
  return Math.floor(packed / KINDS);
}

export function eventKind(packed: number): number {
  return packed - Math.floor(packed / KINDS) * KINDS;
}

const severityCase = (column: string) =>
  `CASE ${column} ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/**
 * SQL for the kind of an event row of `events` (unknown values count as OTHER, so they still show
 * up as events of the ticket without changing its lifecycle).
 */
export function eventKindSql(): string {
  return `coalesce(CASE type
    WHEN 'ticket.opened' THEN ${Kind.OPENED} + ${severityCase('severity')}
    WHEN 'ticket.severity_changed' THEN ${Kind.SEVERITY_CHANGED} + ${severityCase('severity')}
    WHEN 'ticket.replied' THEN CASE by_role WHEN 'analyst' THEN ${Kind.REPLY_ANALYST} WHEN 'customer' THEN ${Kind.REPLY_CUSTOMER} END
    WHEN 'ticket.status_changed' THEN CASE status
      ${STATUS_NAMES.slice(0, FECHADO).map((s, i) => `WHEN '${s}' THEN ${Kind.STATUS + i}`).join(' ')}
      WHEN 'fechado' THEN ${Kind.CLOSED} + coalesce(CASE reason ${CLOSE_REASON_NAMES.map((r, i) => `WHEN '${r}' THEN ${i + 1}`).join(' ')} END, 0)
      END
    WHEN 'ticket.approval' THEN CASE answer WHEN 'nao' THEN ${Kind.APPROVAL_NAO} WHEN 'sim' THEN ${Kind.APPROVAL_SIM} END
  END, ${Kind.OTHER})`;
}

/** SQL for the packed value of an event row: time in ms times KINDS plus its kind. */
export function packedEventSql(): string {
  return `epoch_ms(occurred_at)::DOUBLE * ${KINDS} + ${eventKindSql()}`;
}
