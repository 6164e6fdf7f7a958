import { COMMON_CASE, type FieldRule } from './commonCaseRules.js';
import { type EventType, KNOWN_FIELDS } from './eventSchema.js';
import type { CanonicalEvent } from './types.js';

export interface FastValidation {
  event: CanonicalEvent;
  /**
   * Every field of the event is, as is, the value the record carried under the same name: nothing
   * was trimmed, normalised, coerced, dropped (an empty text) or moved to `extra`, and there are
   * no unknown fields. Then the record's own JSON, read by field name, is the event.
   */
  verbatim: boolean;
}

type Check = (value: unknown) => boolean;

const isInteger1to5 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5;

const CHECKS: Record<Exclude<FieldRule['kind'], 'enum'>, Check> = {
  text: (v) => typeof v === 'string' && isTrimmedText(v),
  string: (v) => typeof v === 'string',
  score: isInteger1to5,
  positive: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  nonnegative: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  gut: (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length !== 3) return false;
    const g = v as Record<string, unknown>;
    return Object.hasOwn(g, 'g') && Object.hasOwn(g, 'u') && Object.hasOwn(g, 't') && isInteger1to5(g.g) && isInteger1to5(g.u) && isInteger1to5(g.t);
  },
};

interface CompiledField {
  check: Check;
  kind: FieldRule['kind'];
}

interface CompiledRules {
  checks: Map<string, CompiledField>;
  required: readonly string[];
  oneOf?: readonly string[];
}

const COMPILED = new Map<string, CompiledRules>(
  Object.entries(COMMON_CASE).map(([type, rules]) => [
    type,
    {
      checks: new Map(
        Object.entries(rules.fields).map(([field, rule]): [string, CompiledField] => {
          if (rule.kind !== 'enum') return [field, { check: CHECKS[rule.kind], kind: rule.kind }];
          const values = new Set<unknown>(rule.values);
          return [field, { check: (v: unknown) => values.has(v), kind: rule.kind }];
        }),
      ),
      required: rules.required,
      oneOf: rules.oneOf,
    },
  ]),
);

/**
 * The common case of validateEvent without zod: a record whose id, ticket and type are already
 * plain text, whose `at` is a UTC instant like 2026-03-02T11:05:00Z (or epoch ms, or a Date) and
 * whose fields already satisfy COMMON_CASE. Returns undefined for anything else — including every
 * invalid record — and the caller then asks validateEvent (zod), which alone gives reject reasons.
 * What it returns is exactly what validateEvent returns for the same record.
 */
export function validateEventFast(value: unknown): FastValidation | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const id = plainText(record.id);
  const ticket = plainText(record.ticket);
  const type = record.type;
  if (id === undefined || ticket === undefined || typeof type !== 'string') return undefined;
  const rules = COMPILED.get(type);
  if (!rules) return undefined;
  const at = fastInstant(record.at);
  if (at === undefined) return undefined;

  let verbatim = typeof record.id === 'string' && typeof record.ticket === 'string' && type !== 'survey.answered';
  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  let foreign: string[] | undefined;
  for (const key of Object.keys(record)) {
    if (key === 'id' || key === 'ticket' || key === 'at' || key === 'type') continue;
    const v = record[key];
    const rule = rules.checks.get(key);
    if (rule === undefined && !KNOWN_FIELDS.has(key)) {
      extra[key] = v;
      verbatim = false;
    } else if (v === null) {
      continue;
    } else if (v === '') {
      // Dropped like a missing value; the record's JSON still says "".
      verbatim = false;
    } else if (rule === undefined) {
      // A field of another type: validateEvent keeps it in extra, after the unknown ones.
      (foreign ??= []).push(key);
      verbatim = false;
    } else if (!rule.check(v)) {
      return undefined;
    } else if (rule.kind === 'gut') {
      const g = v as { g: number; u: number; t: number };
      fields[key] = { g: g.g, u: g.u, t: g.t };
    } else {
      fields[key] = v;
      // A fraction read back by another JSON parser is left to the explicit path.
      if ((rule.kind === 'positive' || rule.kind === 'nonnegative') && !Number.isSafeInteger(v)) verbatim = false;
    }
  }
  for (const field of rules.required) if (!(field in fields)) return undefined;
  if (rules.oneOf && !rules.oneOf.some((field) => field in fields)) return undefined;
  if (foreign) for (const key of foreign) extra[key] = record[key];
  return { event: { id, ticket, at, type: type as EventType, ...fields, extra } as CanonicalEvent, verbatim };
}

/** Text that validateEvent would keep as is (a finite number becomes its text, as there). */
function plainText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 && isTrimmedText(value) ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** True when String.prototype.trim (what zod's .trim() and validateEvent use) would not change it. */
function isTrimmedText(value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first > 32 && first < 127 && last > 32 && last < 127) return true;
  return value.length > 0 && value.trim() === value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of `2026-03-02T11:05:00Z` or `2026-03-02T11:05:00.123Z` (years 1000–9999), of epoch ms
 * within a Date's range, or of a valid Date; undefined for any other form, which validateEvent
 * then reads.
 */
export function fastInstant(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? value : undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const n = value.length;
  if (n !== 20 && n !== 24) return undefined;
  if (
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(n - 1) !== 90 // Z
  ) {
    return undefined;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  let ms = 0;
  if (n === 24) {
    if (value.charCodeAt(19) !== 46) return undefined; // .
    ms = digits(value, 20, 3);
  }
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  if (second < 0 || second > 59 || ms < 0) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The decimal number of `length` ASCII digits at `start`, or -1 if one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
