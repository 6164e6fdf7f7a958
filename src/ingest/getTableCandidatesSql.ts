import type { FieldRule } from './commonCaseRules.js';
import { KNOWN_FIELDS } from './eventSchema.js';
import {
  slimCandidatesSql,
  DECIMAL,
  type FieldSql,
  isoInstantOk,
  list,
  MAX_SAFE,
  NO_FIELD,
  quoteIdent,
  quoteLiteral,
  RAW_STRING_FIELDS,
  ruleCheck,
  SCALAR_FIELDS,
  SQL_TYPES,
  trimmedText,
} from './commonCaseSql.js';

// Tables (Parquet): typed columns, as readTable and rowToRecord read them in JavaScript.

export interface ColumnInfo {
  name: string;
  /** DuckDB type name, e.g. VARCHAR, BIGINT, TIMESTAMP WITH TIME ZONE. */
  type: string;
}

const SMALL_INTEGERS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
/** Integers that reach JavaScript as bigint (rowToRecord makes them numbers; their raw JSON is a string). */
const BIG_INTEGERS = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);
const FLOATS = new Set(['DOUBLE', 'FLOAT']);
const TIMESTAMPS = new Set(['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']);

type ColumnClass = 'text' | 'integer' | 'float' | 'timestamp' | 'boolean' | 'other';

function classOf(type: string): ColumnClass {
  if (type === 'VARCHAR') return 'text';
  if (SMALL_INTEGERS.has(type) || BIG_INTEGERS.has(type)) return 'integer';
  if (FLOATS.has(type)) return 'float';
  if (TIMESTAMPS.has(type)) return 'timestamp';
  if (type === 'BOOLEAN') return 'boolean';
  return 'other';
}

/** A field read from a column (NO_FIELD when the file has no such column). */
function columnField(column: ColumnInfo | undefined): FieldSql {
  if (!column) return NO_FIELD;
  const c = quoteIdent(column.name);
  switch (classOf(column.type)) {
    case 'text':
      return {
        absent: `(${c} IS NULL OR ${c} = '')`,
        check: (rule) =>
          rule.kind === 'enum'
            ? `${c} IN (${list(rule.values)})`
            : ruleCheck(rule, {
                text: trimmedText(c),
                string: 'true',
                score: `${c} IN ('1', '2', '3', '4', '5')`,
                positive: `(regexp_full_match(${c}, ${DECIMAL}) AND TRY_CAST(${c} AS DOUBLE) > 0)`,
                nonnegative: `regexp_full_match(${c}, ${DECIMAL})`,
              }),
        value: (rule) => (rule.kind === 'score' ? `${c}::TINYINT` : rule.kind === 'positive' || rule.kind === 'nonnegative' ? `${c}::DOUBLE` : c),
      };
    case 'integer':
      return {
        absent: `(${c} IS NULL)`,
        check: (rule) =>
          ruleCheck(rule, {
            score: `${c} BETWEEN 1 AND 5`,
            positive: `${c} BETWEEN 1 AND ${MAX_SAFE}`,
            nonnegative: `${c} BETWEEN 0 AND ${MAX_SAFE}`,
          }),
        value: (rule) => (rule.kind === 'score' ? `${c}::TINYINT` : `${c}::DOUBLE`),
      };
    case 'float':
      // Whole numbers only: JavaScript prints 3.0 as 3, a float32 2.3 as 2.299999952316284.
      return {
        absent: `(${c} IS NULL)`,
        check: (rule) => {
          const whole = `(isfinite(${c}) AND ${c} = trunc(${c}))`;
          return ruleCheck(rule, {
            score: `(${whole} AND ${c} BETWEEN 1 AND 5)`,
            positive: `(${whole} AND ${c} BETWEEN 1 AND ${MAX_SAFE})`,
            nonnegative: `(${whole} AND ${c} BETWEEN 0 AND ${MAX_SAFE})`,
          });
        },
        value: (rule) => (rule.kind === 'score' ? `${c}::TINYINT` : `${c}::BIGINT::DOUBLE`),
      };
    default:
      return { absent: `(${c} IS NULL)`, check: () => 'false', value: () => 'NULL' };
  }
}

/** id or ticket: text, or a whole number JavaScript holds exactly (validateEvent makes it text). */
function textColumn(column: ColumnInfo | undefined): { ok: string; value: string } {
  if (!column) return { ok: 'false', value: 'NULL' };
  const c = quoteIdent(column.name);
  switch (classOf(column.type)) {
    case 'text':
      // trimmedText refuses an empty text.
      return { ok: trimmedText(c), value: c };
    case 'integer':
      return { ok: `(${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE})`, value: `${c}::VARCHAR` };
    case 'float':
      return { ok: `(isfinite(${c}) AND ${c} = trunc(${c}) AND ${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE})`, value: `${c}::BIGINT::VARCHAR` };
    default:
      return { ok: 'false', value: 'NULL' };
  }
}

/** `at`: ISO text, or a timestamp with whole milliseconds (what a JavaScript Date holds). */
function atColumn(column: ColumnInfo | undefined): { ok: string; value: string } {
  if (!column) return { ok: 'false', value: 'NULL' };
  const c = quoteIdent(column.name);
  // __ts: the text parsed once, beside the file's columns (getTableCandidatesSql).
  if (column.type === 'VARCHAR') return { ok: isoInstantOk(c, '__ts'), value: '__ts' };
  if (TIMESTAMPS.has(column.type)) {
    return { ok: `(${c} IS NOT NULL AND epoch_us(${c}) % 1000 = 0 AND year(${c}) BETWEEN 1000 AND 9999)`, value: `${c}::TIMESTAMPTZ` };
  }
  return { ok: 'false', value: 'NULL' };
}

/** The JSON text JSON.stringify gives the row as readTable reads it (rowJson), for rows on the SQL path. */
function rowJsonSql(columns: ColumnInfo[]): string {
  const parts = columns.map((column, i) => {
    const c = quoteIdent(column.name);
    const key = quoteLiteral(`${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`);
    let value: string;
    // json_text (migration 010): to_json, with \u escapes in JavaScript's lower-case hex.
    if (column.type === 'VARCHAR') value = `coalesce(json_text(${c}), 'null')`;
    else if (SMALL_INTEGERS.has(column.type) || column.type === 'BOOLEAN') value = `coalesce(${c}::VARCHAR, 'null')`;
    else if (BIG_INTEGERS.has(column.type)) value = `coalesce('"' || ${c}::VARCHAR || '"', 'null')`;
    else if (FLOATS.has(column.type)) value = `coalesce(${c}::BIGINT::VARCHAR, 'null')`;
    else if (TIMESTAMPS.has(column.type)) value = `coalesce('"' || strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ') || '"', 'null')`;
    else value = `CASE WHEN ${c} IS NULL THEN 'null' END`;
    return `${key} || ${value}`;
  });
  return `(${parts.join(' || ')} || '}')`;
}

/**
 * For a row SQL vouched for: whether event_raw() rebuilds exactly the text rowJsonSql would give
 * it, so that text need not be built nor stored. Column by column, the cheap conditions under
 * which both write the same: a text that is not empty (both write a text with json_text, but an
 * empty one is stored as no value), an instant in event_raw's own form, null wherever event_raw
 * writes null.
 * tests/ingest/setwise.test.ts compares what both paths store on random rows.
 */
function rebuildableSql(columns: ColumnInfo[]): string {
  if (tableKeys(columns) === undefined || columns.some((c) => JSON.stringify(c.name) !== `"${c.name}"`)) return 'false';
  const conditions = columns.map((column) => {
    const c = quoteIdent(column.name);
    if (column.name === 'at') {
      // An ok row's text is 2026-03-02T11:05:00Z or …:00.123Z and reads back the same once
      // parsed and printed in that form; event_raw prints milliseconds only when there are some.
      if (column.type !== 'VARCHAR') return 'false';
      return `(strlen(${c}) = 20 OR NOT ends_with(${c}, '.000Z'))`;
    }
    if (!RAW_STRING_FIELDS.has(column.name)) return `${c} IS NULL`;
    if (BIG_INTEGERS.has(column.type)) return 'true'; // rowJsonSql writes it as a string, as event_raw does
    if (column.type !== 'VARCHAR') return `${c} IS NULL`;
    // A row SQL vouched for has an id, a ticket and a type, none of them empty.
    if (column.name === 'id' || column.name === 'ticket' || column.name === 'type') return 'true';
    return `(${c} IS NULL OR ${c} <> '')`;
  });
  return `(${conditions.join(' AND ')})`;
}

/**
 * The keys of a row's raw text (rowJsonSql): the file's columns, joined by '"' as batchSql.ts reads
 * them; undefined when a name holds a '"'.
 */
function tableKeys(columns: ColumnInfo[]): string | undefined {
  return columns.some((c) => c.name.includes('"')) ? undefined : columns.map((c) => c.name).join('"');
}

/**
 * Whether the SQL path can read this table at all: column names JavaScript keeps in their order
 * (an integer-like name would move to the front of a row object) and no column that shares a
 * field's name case-insensitively (DuckDB binds names without case).
 */
export function canReadTableInSql(columns: ColumnInfo[]): boolean {
  const lower = new Set<string>();
  for (const { name } of columns) {
    if (/^(0|[1-9]\d*)$/.test(name) || name.startsWith('__')) return false;
    if (lower.has(name.toLowerCase())) return false;
    lower.add(name.toLowerCase());
  }
  return true;
}

/**
 * Candidate rows of a table (`relation` yields the file's columns plus `pos`), as slimCandidatesSql
 * gives them: the columns the file can fill, and the whole batch over a table of those. Unknown columns
 * must be empty (else the event would carry them in extra); `gut_g`, `gut_u` and `gut_t` are
 * the GUT scores, all three or none.
 */
export function getTableCandidatesSql(columns: ColumnInfo[], relation: string): ReturnType<typeof slimCandidatesSql> {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const fields = Object.fromEntries(SCALAR_FIELDS.map((f) => [f, columnField(byName.get(f))]));
  const gutParts = ['gut_g', 'gut_u', 'gut_t'].map((name) => columnField(byName.get(name)));
  const gutScore: FieldRule = { kind: 'score' };
  const gut: FieldSql = gutParts.every((part) => part === NO_FIELD) ? NO_FIELD : {
    absent: `(${gutParts.map((p) => p.absent).join(' AND ')})`,
    check: () => `(${gutParts.map((p) => `NOT ${p.absent} AND ${p.check(gutScore)}`).join(' AND ')})`,
    value: () => 'NULL',
  };
  fields.gut = gut;
  const unknown = columns.filter((c) => !KNOWN_FIELDS.has(c.name) && !['gut_g', 'gut_u', 'gut_t'].includes(c.name) || c.name === 'gut');
  const empty = unknown.map((c) => (c.type === 'VARCHAR' ? `(${quoteIdent(c.name)} IS NULL OR ${quoteIdent(c.name)} = '')` : `${quoteIdent(c.name)} IS NULL`));
  const id = textColumn(byName.get('id'));
  const ticket = textColumn(byName.get('ticket'));
  const at = atColumn(byName.get('at'));
  const typeColumn = byName.get('type');
  const type = typeColumn?.type === 'VARCHAR' ? quoteIdent('type') : 'NULL::VARCHAR';
  const gutDigit = (i: number) => {
    const v = gutParts[i]!.value(gutScore);
    return v === 'NULL' ? v : `CASE WHEN ${gut.absent} THEN NULL ELSE ${v} END`;
  };
  const keys = tableKeys(columns);
  return slimCandidatesSql({
    fields,
    base: [id.ok, ticket.ok, at.ok, ...empty].join(' AND '),
    type,
    typeOk: `${type} IN (${list(SQL_TYPES)})`,
    occurredAt: at.value,
    // NULL, for batchSql.ts to store the row's keys instead, when event_raw() rebuilds the text.
    raw: { text: rowJsonSql(columns), rebuilds: rebuildableSql(columns) },
    id: id.value,
    ticket: ticket.value,
    gut: [gutDigit(0), gutDigit(1), gutDigit(2)],
    keys: keys === undefined ? undefined : quoteLiteral(keys),
    from: at.value === '__ts' ? `(SELECT *, TRY_CAST("at" AS TIMESTAMPTZ) AS __ts FROM ${relation})` : relation,
  });
}
