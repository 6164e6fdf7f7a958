import { DateTime } from 'luxon';
import { EVENT_TYPES, type EventType, FIELD_REASONS, KNOWN_FIELDS, TYPE_FIELDS } from './eventSchema.js';
import type { CanonicalEvent, Validation } from './types.js';
import { validateEventFast } from './validateEventFast.js';

const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TYPES = new Set<string>(EVENT_TYPES);
const BASE_FIELDS = new Set(['id', 'ticket', 'at', 'type']);

export interface ValidateOptions {
  /** IANA zone for timestamps written without an offset; without it they are rejected. */
  timezone?: string;
}

const reject = (reason: string, message: string): Validation => ({ ok: false, reason, message });

/** The instant of `at` in UTC ms, or the reject that says why it has none. */
function parseAt(value: unknown, options: ValidateOptions): number | Validation {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : reject('invalid_timestamp', 'at: not a valid instant');
  if (typeof value === 'number') return isInstantMs(value) ? value : reject('invalid_timestamp', 'at: not a valid instant');
  if (typeof value !== 'string' || value.trim() === '') return reject('missing_field', 'at: missing');
  const text = value.trim();
  if (!ISO_LIKE.test(text)) return reject('invalid_timestamp', `at: expected an ISO-8601 instant like 2026-03-02T11:05:00Z (got ${JSON.stringify(text)})`);
  if (!isRealDate(text)) return reject('invalid_timestamp', `at: not a real date or time (got ${JSON.stringify(text)})`);
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    return Number.isFinite(ms) ? ms : reject('invalid_timestamp', `at: not a real date or time (got ${JSON.stringify(text)})`);
  }
  if (!options.timezone) {
    return reject('timestamp_without_zone', `at: ${JSON.stringify(text)} has no offset and no --timezone was given`);
  }
  const local = DateTime.fromISO(text.replace(' ', 'T'), { zone: options.timezone });
  return local.isValid ? local.toMillis() : reject('invalid_timestamp', `at: not a real date or time (got ${JSON.stringify(text)})`);
}

/** Epoch ms a JavaScript Date can hold (±8.64e15; DuckDB's timestamps reach further). */
export function isInstantMs(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}

/** Date.parse rolls 2026-02-30 over to March; refuse days a month does not have, and hours past 23:59. */
function isRealDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function requiredText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Checks one parsed record against the canonical event (DESIGN.md §2): the common fields, then
 * the zod schema of its type. Values are normalised (`Média` → `media`); unknown fields are kept.
 * A problem becomes a reason code and a message naming the field.
 *
 * Records already in canonical form take a path without zod (validateEventFast), which returns
 * the same event; everything else, and every reject, goes through validateEventWithZod.
 */
export function validateEvent(value: unknown, options: ValidateOptions = {}): Validation {
  const fast = validateEventFast(value);
  return fast ? { ok: true, event: fast.event } : validateEventWithZod(value, options);
}

/** validateEvent without the fast path: the definition of validity. */
export function validateEventWithZod(value: unknown, options: ValidateOptions = {}): Validation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reject('not_an_object', 'expected a JSON object with id, ticket, at and type');
  }
  const record = value as Record<string, unknown>;
  const id = requiredText(record.id);
  if (!id) return reject('missing_field', 'id: missing');
  const ticket = requiredText(record.ticket);
  if (!ticket) return reject('missing_field', 'ticket: missing');
  const typeText = requiredText(record.type);
  if (!typeText) return reject('missing_field', 'type: missing');
  const type = typeText.toLowerCase();
  if (!TYPES.has(type)) return reject('unknown_type', `type: unknown event type ${JSON.stringify(typeText)}`);
  const at = parseAt(record.at, options);
  if (typeof at !== 'number') return at;

  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (BASE_FIELDS.has(key)) continue;
    if (KNOWN_FIELDS.has(key)) {
      if (v !== null && v !== '') fields[key] = v;
    } else extra[key] = v;
  }
  const parsed = TYPE_FIELDS[type as EventType].safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const reason = missing ? 'missing_field' : (FIELD_REASONS[field] ?? 'invalid_value');
    // A value that is not one of a list is quoted as sent (`gravíssima`, not the normalised `gravissima`).
    const sent = issue.code === 'invalid_value' && issue.path.length === 1 ? ` (got ${JSON.stringify(fields[field])})` : '';
    return reject(reason, `${issue.path.join('.') || field}: ${missing ? 'missing' : issue.message}${sent}`);
  }
  // Fields that belong to another type are kept as extra, not dropped.
  for (const key of Object.keys(fields)) if (!(key in parsed.data)) extra[key] = fields[key];
  const event: CanonicalEvent = { id, ticket, at, type: type as EventType, ...(parsed.data as object), extra };
  return { ok: true, event };
}
