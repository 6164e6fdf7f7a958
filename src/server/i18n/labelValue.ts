import { CATEGORIES, STATUS_VALUES } from '../../ingest/eventSchema.js';
import { SEVERITIES } from '../../policy/severities.js';
import { type Lang, type MessageKey, MESSAGES, translate } from './messages.js';

/** The values stored as codes that pages name in words, and their codes in the guide's order. */
const CODES = { severity: SEVERITIES, status: STATUS_VALUES, category: CATEGORIES } as const;
export type LabelledKind = keyof typeof CODES;

/**
 * How the pages name a code — a severity, status or closing category — as the support guide
 * writes it (messages.ts, `value.<kind>.<code>`). An unknown code is shown as it is.
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
