import { CATEGORIES, CLOSE_REASONS, EVENT_TYPES, RATINGS, STATUS_VALUES } from '../../ingest/eventSchema.js';
import { SEVERITIES } from '../../policy/severities.js';
import { type Lang, type MessageKey, MESSAGES, translate } from './messages.js';

/**
 * The values stored as codes that pages name in words, and their codes in the guide's order:
 * severities, statuses, closing categories, survey ratings, event types, who replied
 * (ticket.replied `by`) and why a ticket was closed (ticket.status_changed `reason`).
 */
const CODES = {
  severity: SEVERITIES,
  status: STATUS_VALUES,
  category: CATEGORIES,
  rating: RATINGS,
  event: EVENT_TYPES,
  by: ['analyst', 'customer'],
  reason: CLOSE_REASONS,
} as const;
export type LabelledKind = keyof typeof CODES;

/**
 * How the pages name a code — a severity, status, closing category, rating… — as the support
 * guide writes it (messages.ts, `value.<kind>.<code>`). An unknown code is shown as it is.
 */
export function labelValue(lang: Lang, kind: LabelledKind, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  const key = `value.${kind}.${value}`;
  return key in MESSAGES.pt ? translate(lang, key as MessageKey) : value;
}

/** The codes of a kind, in the guide's order. */
export function codesOf(kind: LabelledKind): readonly string[] {
  return CODES[kind];
}
