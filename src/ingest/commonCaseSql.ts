import { COMMON_CASE, type FieldRule } from './commonCaseRules.js';
import { quoteIdent, quoteLiteral } from '../db/sqlText.js';
import { EVENT_TYPES } from './eventSchema.js';

/**
 * The common case in SQL, for the set-wise readers: for each row of a source (NDJSON lines, a
 * Parquet file), whether it is an event that validateEvent would accept exactly as it stands —
 * COMMON_CASE's rules, checked by DuckDB — and if so, its canonical columns. A row the SQL cannot
 * vouch for (a reject, a value to normalise, an unknown field, an unusual type or spelling) is
 * marked not ok and goes to JavaScript and zod like any other record. So this SQL only needs to
 * be a strict subset of the rules: tests/ingest/setwise.test.ts checks that both paths store
 * the same events, rejects and raw text on random input. The sources: getNdjsonCandidatesSql.ts,
 * getTableCandidatesSql.ts.
 */

/** The columns of the `batch` table, with their types, in order (see batchSql.ts). */
export const BATCH_SHAPE: [string, string][] = [
  ['pos', 'BIGINT'],
  ['ok', 'BOOLEAN'],
  ['occurred_at', 'TIMESTAMPTZ'],
  ['raw', 'VARCHAR'],
  ['id', 'VARCHAR'],
  ['ticket', 'VARCHAR'],
  ['type', 'VARCHAR'],
  ['severity', 'VARCHAR'],
  ['status', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['by', 'VARCHAR'],
  ['actor', 'VARCHAR'],
  ['analyst', 'VARCHAR'],
  ['category', 'VARCHAR'],
  ['answer', 'VARCHAR'],
  ['client', 'VARCHAR'],
  ['requester', 'VARCHAR'],
  ['channel', 'VARCHAR'],
  ['gut_g', 'TINYINT'],
  ['gut_u', 'TINYINT'],
  ['gut_t', 'TINYINT'],
  ['hours', 'DOUBLE'],
  ['hourly_rate', 'DOUBLE'],
  ['rating', 'VARCHAR'],
  ['score', 'TINYINT'],
  ['comment', 'VARCHAR'],
  ['extra', 'VARCHAR'],
  // NDJSON: the line's keys joined by '"' (see areCommonKeys); NULL from other sources.
  ['keys', 'VARCHAR'],
];

/** Fields of events that the SQL path takes (survey answers need their raw text rewritten: JavaScript). */
export const SQL_TYPES = EVENT_TYPES.filter((type) => type !== 'survey.answered');
/** Every field an event type may carry, beyond id, ticket, at and type. */
export const TYPE_FIELD_NAMES = [...new Set(Object.values(COMMON_CASE).flatMap((rules) => Object.keys(rules.fields)))];
export const SCALAR_FIELDS = TYPE_FIELD_NAMES.filter((field) => field !== 'gut');
export const MAX_SAFE = '9007199254740991';
/**
 * The keys event_raw() (migrations 009, 010) writes back as JSON strings (json_text), besides `at`;
 * it writes any other key as null. The set-wise readers leave a row's text out only when that rebuilds it.
 */
export const RAW_STRING_FIELDS = new Set(['id', 'ticket', 'type', 'severity', 'status', 'reason', 'by', 'actor', 'analyst', 'category', 'answer', 'client', 'requester', 'channel']);
/** A decimal number any correct parser reads to the same double. */
export const DECIMAL = `'[0-9]{1,9}(\\.[0-9]{1,6})?'`;

export { quoteIdent, quoteLiteral };
export const list = (values: readonly string[]) => values.map(quoteLiteral).join(', ');

/**
 * What String.prototype.trim would leave as is: the first and last characters are not spaces,
 * separators or controls (printable ASCII, the usual case, is settled without the regex). `v` is
 * the text; `quoted` when it is a JSON string literal, quotes included (and without escapes).
 */
export function trimmedText(v: string, quoted = false): string {
  // ascii(v) reads the first character without cutting a string out first (a third of the cost).
  const first = quoted ? `ascii(substr(${v}, 2, 1))` : `ascii(${v})`;
  const last = `ascii(substr(${v}, ${quoted ? -2 : -1}, 1))`;
  const text = quoted ? `${v}[2:-2]` : v;
  // Both printable (33–126) as one least and one greatest: a third cheaper than two BETWEENs. An empty
  // text falls to the regex, which wants a character, so is not ok: '' reads as 0; in a JSON string,
  // whose text holds no quote (a line with a backslash is not vouched for), a quote at either end is
  // the other quote of "" — so 34 is left out there ('!' at an end goes to the regex too).
  const lowest = quoted ? 35 : 33;
  return `CASE WHEN least(${first}, ${last}) >= ${lowest} AND greatest(${first}, ${last}) <= 126 THEN true
    ELSE regexp_full_match(${text}, '(?s)[^\\pZ\\pC](.*[^\\pZ\\pC])?') END`;
}

const DIGIT = '[0-9]';
/** 2026-03-02T11:05:00, a year from 1000. */
const INSTANT_GLOB = `[1-9]${DIGIT.repeat(3)}-${DIGIT.repeat(2)}-${DIGIT.repeat(2)}T${DIGIT.repeat(2)}:${DIGIT.repeat(2)}:${DIGIT.repeat(2)}`;

/**
 * An ISO instant in the one form the fast paths read: 2026-03-02T11:05:00Z or …:00.123Z, years
 * 1000–9999, hours to 23, minutes and seconds to 59. `ts` is the text cast to TIMESTAMPTZ, when the
 * caller has it already. DuckDB's cast refuses impossible days, minutes and seconds past 59 and
 * hours past 24, but reads 24:00:00 as the next midnight: the one hour to refuse by hand, and
 * in this form 'T24' can only be that hour (tests/ingest/commonCaseSql.test.ts tries every hh:mm
 * from 00:00 to 99:99, with seconds 00, 01, 59, 60, 61 and 99, against the JavaScript parser).
 */
export function isoInstantOk(v: string, ts = `TRY_CAST(${v} AS TIMESTAMPTZ)`, options: { quoted?: boolean } = {}): string {
  // The form as GLOB patterns, one per length (bytes): half the cost of the same regular expression.
  // `quoted`: v is the JSON string, quotes included (no slice to take, once per use, to read it).
  const q = options.quoted ? '"' : '';
  const n = options.quoted ? 2 : 0;
  return `(CASE strlen(${v}) WHEN ${20 + n} THEN ${v} GLOB '${q}${INSTANT_GLOB}Z${q}' WHEN ${24 + n} THEN ${v} GLOB '${q}${INSTANT_GLOB}.${DIGIT.repeat(3)}Z${q}' ELSE false END
    AND NOT contains(${v}, 'T24') AND ${ts} IS NOT NULL)`;
}

/** How to read one field of a source row in SQL. */
export interface FieldSql {
  /** The row has no value: missing, null or an empty text. */
  absent: string;
  /** Assuming a value: it satisfies the rule as it stands. */
  check(rule: FieldRule): string;
  /** The canonical value, once checked. */
  value(rule: FieldRule): string;
}

export const NO_FIELD: FieldSql = { absent: 'true', check: () => 'false', value: () => 'NULL' };

export function ruleCheck(rule: FieldRule, parts: Partial<Record<FieldRule['kind'], string>>): string {
  return parts[rule.kind] ?? 'false';
}

// ---------------------------------------------------------------------------------------------

export interface CandidateParts {
  fields: Record<string, FieldSql>;
  /** Checks of the row as a whole and of id, ticket and at. */
  base: string;
  type: string;
  typeOk: string;
  occurredAt: string;
  /**
   * The row's raw text, and whether event_raw() rebuilds it (a row that does is stored without its
   * text: NULL, and its keys). One flat CASE: a CASE nested in the ok one cost a sixth of the checks.
   */
  raw: { text: string; rebuilds: string };
  id: string;
  ticket: string;
  gut: [string, string, string];
  keys?: string;
  from: string;
}

/** The one rule each field follows, whatever the event type (COMMON_CASE never differs on a field). */
const RULE_OF: Record<string, FieldRule> = {};
for (const rules of Object.values(COMMON_CASE)) {
  for (const [name, rule] of Object.entries(rules.fields)) {
    if (RULE_OF[name] && JSON.stringify(RULE_OF[name]) !== JSON.stringify(rule)) throw new Error(`COMMON_CASE: ${name} has two rules`);
    RULE_OF[name] = rule;
  }
}

/**
 * SELECT of the batch table's columns, `ok` true for rows the common case covers. In layers, so
 * each check is written (and computed) once: each field's absence and check, then `ok`, then the
 * values of the rows that are ok.
 */
export function candidatesSql(p: CandidateParts): string {
  return candidateRowsSql(p, false).sql;
}

/**
 * The batch of a source whose columns are known before reading it (a Parquet file): `rows`
 * selects only the batch's columns that vary by row, for a table of its own; `batch(table)`
 * selects every batch column from that table, the others (constant NULLs, the keys) as expressions. Storing a dozen
 * columns of NULLs in the batch table, then reading them back, cost ~6% of an import.
 */
export function slimCandidatesSql(p: CandidateParts): { rows: string; batch(table: string): string } {
  const { sql, derived } = candidateRowsSql(p, true);
  return {
    rows: sql,
    batch: (table) => `SELECT ${BATCH_SHAPE.map(([name]) => `${derived.get(name) ?? quoteIdent(name)} AS ${quoteIdent(name)}`).join(', ')} FROM ${table}`,
  };
}

/**
 * The candidates' SELECT; with `slim`, without the columns that are the same on every row (constant
 * NULLs, and the keys of a table's rows), which `derived` gives as expressions over the others.
 */
function candidateRowsSql(p: CandidateParts, slim: boolean): { sql: string; derived: Map<string, string> } {
  const field = (name: string) => p.fields[name] ?? NO_FIELD;
  const absent = (name: string) => quoteIdent(`__a_${name}`);
  const check = (name: string) => quoteIdent(`__c_${name}`);
  // A field the source cannot hold (NO_FIELD) is absent from every row: no columns, and no terms in
  // the types' conditions (DuckDB evaluated its constants on every row, a third of their cost).
  const held = TYPE_FIELD_NAMES.filter((name) => field(name) !== NO_FIELD);
  const perField = held.flatMap((name) => [
    `${field(name).absent} AS ${absent(name)}`,
    `${field(name).check(RULE_OF[name]!)} AS ${check(name)}`,
  ]);
  const perType = SQL_TYPES.map((type) => {
    const rules = COMMON_CASE[type];
    if (rules.required.some((name) => field(name) === NO_FIELD)) return `WHEN ${quoteLiteral(type)} THEN false`;
    const conditions = held.map((name) => {
      if (!rules.fields[name]) return absent(name);
      if (rules.required.includes(name)) return `(NOT ${absent(name)} AND ${check(name)})`;
      return `(${absent(name)} OR ${check(name)})`;
    });
    return `WHEN ${quoteLiteral(type)} THEN ${conditions.length > 0 ? conditions.join(' AND ') : 'true'}`;
  });
  const ok = `coalesce(${p.base} AND ${p.typeOk} AND CASE ${p.type} ${perType.join('\n      ')} ELSE false END, false)`;
  const value = (name: string) => {
    const v = field(name).value(RULE_OF[name]!);
    return v === 'NULL' ? v : `CASE WHEN ${absent(name)} THEN NULL ELSE ${v} END`;
  };
  const columns: Record<string, string> = {
    occurred_at: p.occurredAt,
    id: p.id,
    ticket: p.ticket,
    type: p.type,
    ...Object.fromEntries(SCALAR_FIELDS.map((f) => [f, value(f)])),
    gut_g: p.gut[0],
    gut_u: p.gut[1],
    gut_t: p.gut[2],
    extra: 'NULL',
    keys: p.keys ?? 'NULL',
  };
  // Slim (a table, whose keys are one literal for every row): what is the same on every row is left
  // out of the rows and given back as an expression.
  const derived = new Map<string, string>();
  for (const [name, type] of slim ? BATCH_SHAPE : []) {
    if (columns[name] === 'NULL') derived.set(name, `NULL::${type}`);
    else if (name === 'keys') derived.set(name, `CASE WHEN ok THEN (${columns[name]})::${type} END`);
  }
  const select = BATCH_SHAPE.filter(([name]) => !derived.has(name)).map(([name, type]) => {
    if (name === 'pos') return '__prazo_pos AS pos';
    if (name === 'ok') return '__prazo_ok AS ok';
    if (name === 'raw') return `CASE WHEN __prazo_ok AND NOT coalesce(${p.raw.rebuilds}, false) THEN (${p.raw.text})::VARCHAR END AS raw`;
    // A field the source cannot hold (a column the file lacks) is a constant: no per-row CASE.
    if (columns[name] === 'NULL') return `NULL::${type} AS ${quoteIdent(name)}`;
    return `CASE WHEN __prazo_ok THEN (${columns[name]})::${type} END AS ${quoteIdent(name)}`;
  });
  const sql = `SELECT ${select.join(',\n  ')}
FROM (SELECT *, ${ok} AS __prazo_ok
  FROM (SELECT *${perField.map((column) => `,\n    ${column}`).join('')} FROM ${p.from}))`;
  return { sql, derived };
}
