import type { BatchResult } from './EventWriter.js';
import type { CanonicalEvent, RawRecord } from './types.js';
import { type ValidateOptions, validateEventWithZod } from './validateEvent.js';
import { validateEventFast } from './validateEventFast.js';

/** Survey answers go to the satisfaction zone only; the event log keeps that a survey was answered. */
const SURVEY_FIELDS = ['rating', 'score', 'comment'];

export interface PrepareOptions {
  /**
   * Each record's `raw` is the JSON text its `value` was parsed from (an NDJSON line, an element
   * of a JSON body). Events already in canonical form are then staged as that text alone and
   * DuckDB reads their fields from it, instead of from a second, serialised copy.
   */
  rawIsJson?: boolean;
}

/** A batch validated and serialised in JavaScript, column by column, ready for commit. */
export interface PreparedBatch {
  read: number;
  positions: number[];
  /** Event instants, UTC epoch ms. */
  ats: number[];
  /** The canonical event as JSON, or null when the raw text reads as the event. */
  docs: (string | null)[];
  raws: string[];
  surveys: number;
  rejects: BatchResult['rejects'];
  rejectRaws: string[];
  /** The ticket of each valid event. */
  tickets: string[];
}

/**
 * The JavaScript half of a batch: validation and serialisation, column by column. Events in
 * canonical form go through validateEventFast, the rest through zod (`validateOptions`).
 */
export function prepareBatch(records: RawRecord[], validateOptions: ValidateOptions, options: PrepareOptions = {}): PreparedBatch {
  const batch: PreparedBatch = { read: records.length, positions: [], ats: [], docs: [], raws: [], surveys: 0, rejects: [], rejectRaws: [], tickets: [] };
  for (const record of records) {
    let event: CanonicalEvent;
    let verbatim = false;
    const fast = record.error ? undefined : validateEventFast(record.value);
    if (fast) {
      event = fast.event;
      verbatim = fast.verbatim && options.rawIsJson === true && isJsonTextOf(record.raw, record.value as object, event);
    } else {
      const checked = record.error ? ({ ok: false, ...record.error } as const) : validateEventWithZod(record.value, validateOptions);
      if (!checked.ok) {
        batch.rejects.push({ position: record.position, reason: checked.reason, message: checked.message });
        batch.rejectRaws.push(rejectRawOf(record));
        continue;
      }
      event = checked.event;
    }
    batch.positions.push(record.position);
    batch.tickets.push(event.ticket);
    batch.ats.push(event.at);
    batch.docs.push(verbatim ? null : toJsonText(event));
    batch.raws.push(rawOf(record, event));
    if (event.type === 'survey.answered') batch.surveys++;
  }
  return batch;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The event as JSON for DuckDB. A lone surrogate (JSON.parse makes one of "\ud800") has no
 * UTF-8 form: JSON.stringify escapes it and DuckDB's parser refuses the text, so it is stored
 * as U+FFFD, as any text DuckDB receives from JavaScript.
 */
function toJsonText(event: CanonicalEvent): string {
  const json = JSON.stringify(event);
  if (!json.includes('\\ud')) return json;
  return JSON.stringify(event, (_, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v));
}

/** The event as sent, minus survey answers (they live only in the satisfaction zone). */
function rawOf(record: RawRecord, event: CanonicalEvent): string {
  if (event.type !== 'survey.answered' && record.raw.startsWith('{')) return record.raw;
  const value = { ...(record.value as Record<string, unknown>) };
  if (event.type === 'survey.answered') for (const field of SURVEY_FIELDS) delete value[field];
  return JSON.stringify(value);
}

/**
 * What a reject keeps of its line: the line as sent, except that a survey answer's rating, score
 * and comment stay out of the rejects as they stay out of the event log (operators read rejects,
 * and the satisfaction zone is for leads). A survey line that is not even readable JSON is kept
 * only as a note, since its text cannot be told apart from a comment.
 */
export function rejectRawOf(record: RawRecord): string {
  const value = record.value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const type = (value as Record<string, unknown>).type;
    if (typeof type !== 'string' || !/^\s*survey\./i.test(type)) return record.raw;
    const kept = { ...(value as Record<string, unknown>) };
    for (const field of SURVEY_FIELDS) delete kept[field];
    return JSON.stringify(kept);
  }
  return /survey\./i.test(record.raw) ? '{"prazo_note":"unreadable survey line: its text is not kept"}' : record.raw;
}

/** A key spelt with white space before its colon (which the count of `":` below would not see). */
const SPACED_KEY = /"[ \t\n\r]+:/;

/**
 * True when DuckDB, reading `raw` by field name, sees exactly `value` (which JSON.parse made of
 * it): no escapes, no key spelt with white space before its colon, and one `":` per key, so no
 * key is repeated (JSON.parse keeps the last of a repeated key, DuckDB the first). Without
 * backslashes every `"` delimits a string, so `"` then a colon can only close a key.
 */
function isJsonTextOf(raw: string, value: object, event: CanonicalEvent): boolean {
  if (raw.indexOf('\\') !== -1 || SPACED_KEY.test(raw)) return false;
  let keys = 0;
  for (let i = raw.indexOf('":'); i !== -1; i = raw.indexOf('":', i + 2)) keys++;
  return keys === Object.keys(value).length + (event.gut ? 3 : 0);
}
