import { SEVERITIES } from '../policy/severities.js';
import { CATEGORIES, CLOSE_REASONS, type EventType, RATINGS, STATUS_VALUES } from './eventSchema.js';

/**
 * The common case of each event type's fields, as plain data: what a value must already look like
 * for the fast paths (validateEventFast in JavaScript, getCommonCaseSql in DuckDB) to accept it
 * without zod. These rules are a strict subset of TYPE_FIELDS: a value they accept, zod accepts
 * unchanged; anything else is left to zod, which alone decides validity and reject reasons.
 * tests/ingest/validateEventFast.test.ts checks the agreement on random events.
 *
 * - enum: one of the canonical spellings exactly (no accents, case or aliases to normalise);
 * - text: a non-empty string that trimming would not change;
 * - string: any string (the survey comment);
 * - score: an integer number 1–5;
 * - positive / nonnegative: a finite number > 0 / ≥ 0;
 * - gut: an object with exactly g, u and t, each an integer number 1–5.
 */
export type FieldRule =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'text' | 'string' | 'score' | 'positive' | 'nonnegative' | 'gut' };

export interface TypeRules {
  fields: Record<string, FieldRule>;
  required: readonly string[];
  /** At least one of these must be present (survey: a rating or a score). */
  oneOf?: readonly string[];
}

const enumOf = (values: readonly string[]): FieldRule => ({ kind: 'enum', values });
const text: FieldRule = { kind: 'text' };
const quickService: TypeRules = { fields: { hours: { kind: 'positive' }, hourly_rate: { kind: 'nonnegative' } }, required: [] };

export const COMMON_CASE: Record<EventType, TypeRules> = {
  'ticket.opened': {
    fields: { severity: enumOf(SEVERITIES), client: text, requester: text, channel: text, gut: { kind: 'gut' } },
    required: ['severity', 'client'],
  },
  'ticket.status_changed': { fields: { status: enumOf(STATUS_VALUES), reason: enumOf(CLOSE_REASONS) }, required: ['status'] },
  'ticket.replied': { fields: { by: enumOf(['analyst', 'customer']), actor: text }, required: ['by'] },
  'ticket.severity_changed': { fields: { severity: enumOf(SEVERITIES) }, required: ['severity'] },
  'ticket.assigned': { fields: { analyst: text }, required: ['analyst'] },
  'ticket.categorized': { fields: { category: enumOf(CATEGORIES) }, required: ['category'] },
  'ticket.approval': { fields: { answer: enumOf(['sim', 'nao']) }, required: ['answer'] },
  'survey.answered': {
    fields: { rating: enumOf(RATINGS), score: { kind: 'score' }, comment: { kind: 'string' } },
    required: [],
    oneOf: ['rating', 'score'],
  },
  'quick_service.proposed': quickService,
  'quick_service.accepted': quickService,
  'quick_service.declined': quickService,
};
