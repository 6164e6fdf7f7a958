import { COMMON_CASE, type FieldRule } from './commonCaseRules.js';
import { EVENT_TYPES, KNOWN_FIELDS } from './eventSchema.js';

/**
 * The common case in SQL, for the set-wise readers: for each row of a source (NDJSON lines, a
 * Parquet file), whether it is an event that validateEvent would accept exactly as it stands —
 * COMMON_CASE's rules, checked by DuckDB — and if so, its canonical columns. A row the SQL cannot
 * vouch for (a reject, a value to normalise, an unknown field, an unusual type or spelling) is
 * marked not ok and goes to JavaScript and zod like any other record. So this SQL only needs to
 * be a strict subset of the rules: tests/ingest/setwise.test.ts checks that both paths store
 * the same events, rejects and raw text on random input.
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
  // NDJSON: the line's keys joined by '"' (see BAD_KEYS_NDJSON); NULL from other sources.
  ['keys', 'VARCHAR'],
];

/** Fields of events that the SQL path takes (survey answers need their raw text rewritten: JavaScript). */
const SQL_TYPES = EVENT_TYPES.filter((type) => type !== 'survey.answered');
/** Every field an event type may carry, beyond id, ticket, at and type. */
const TYPE_FIELD_NAMES = [...new Set(Object.values(COMMON_CASE).flatMap((rules) => Object.keys(rules.fields)))];
const SCALAR_FIELDS = TYPE_FIELD_NAMES.filter((field) => field !== 'gut');
const MAX_SAFE = '9007199254740991';
/** A decimal number any correct parser reads to the same double. */
const DECIMAL = `'[0-9]{1,9}(\\.[0-9]{1,6})?'`;

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
const list = (values: readonly string[]) => values.map(quoteLiteral).join(', ');

/**
 * What String.prototype.trim would leave as is: the first and last characters are not spaces,
 * separators or controls (printable ASCII, the usual case, is settled without the regex). `v` is
 * the text; `quoted` when it is a JSON string literal, quotes included (and without escapes).
 */
function trimmedText(v: string, quoted = false): string {
  const [first, last] = quoted ? [2, -2] : [1, -1];
  const text = quoted ? `${v}[2:-2]` : v;
  return `CASE WHEN ascii(substr(${v}, ${first}, 1)) BETWEEN 33 AND 126 AND ascii(substr(${v}, ${last}, 1)) BETWEEN 33 AND 126 THEN true
    ELSE regexp_full_match(${text}, '(?s)[^\\pZ\\pC](.*[^\\pZ\\pC])?') END`;
}

/** An ISO instant in the one form the fast paths read: 2026-03-02T11:05:00Z or …:00.123Z, years 1000–9999. */
function isoInstantOk(v: string): string {
  return `(regexp_full_match(${v}, '[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?Z')
    AND substr(${v}, 12, 2) <= '23' AND substr(${v}, 15, 2) <= '59' AND substr(${v}, 18, 2) <= '59'
    AND TRY_CAST(${v} AS TIMESTAMPTZ) IS NOT NULL)`;
}

/** How to read one field of a source row in SQL. */
interface FieldSql {
  /** The row has no value: missing, null or an empty text. */
  absent: string;
  /** Assuming a value: it satisfies the rule as it stands. */
  check(rule: FieldRule): string;
  /** The canonical value, once checked. */
  value(rule: FieldRule): string;
}

const NO_FIELD: FieldSql = { absent: 'true', check: () => 'false', value: () => 'NULL' };

function ruleCheck(rule: FieldRule, parts: Partial<Record<FieldRule['kind'], string>>): string {
  return parts[rule.kind] ?? 'false';
}

// ---------------------------------------------------------------------------------------------
// NDJSON: the line's JSON, each known field read as its JSON text.

/**
 * A field of an NDJSON line without backslashes: `j` is its JSON text, NULL when missing or
 * null. Without escapes a JSON string is its text between the quotes.
 */
function jsonField(j: string): FieldSql {
  return {
    absent: `(${j} IS NULL OR ${j} = '""')`,
    check: (rule) =>
      rule.kind === 'enum'
        ? `${j} IN (${list(rule.values.map((v) => JSON.stringify(v)))})`
        : ruleCheck(rule, {
            text: `(starts_with(${j}, '"') AND ${trimmedText(j, true)})`,
            string: `starts_with(${j}, '"')`,
            score: `${j} IN ('1', '2', '3', '4', '5')`,
            positive: `(regexp_full_match(${j}, ${DECIMAL}) AND TRY_CAST(${j} AS DOUBLE) > 0)`,
            nonnegative: `regexp_full_match(${j}, ${DECIMAL})`,
            gut: `regexp_full_match(${j}, '\\{"g":[1-5],"u":[1-5],"t":[1-5]\\}')`,
          }),
    value: (rule) =>
      rule.kind === 'score' ? `${j}::TINYINT` : rule.kind === 'positive' || rule.kind === 'nonnegative' ? `${j}::DOUBLE` : `${j}[2:-2]`,
  };
}

const LINE_FIELDS = ['id', 'ticket', 'at', 'type', ...TYPE_FIELD_NAMES];
const LINE_STRUCT = JSON.stringify(Object.fromEntries(LINE_FIELDS.map((f) => [f, 'JSON'])));
/**
 * A line's keys, joined by '"' (which a key of a line without backslashes cannot hold), make a
 * common case when they are all known fields and none is repeated (an unknown key belongs in
 * extra; JSON.parse keeps the last of a repeated key, DuckDB's parser the first). Lines almost
 * always share a few key lists, so the check runs in JavaScript once per distinct list.
 */
export function areCommonKeys(keys: string): boolean {
  const list = keys.split('"');
  return list.every((key) => KNOWN_FIELDS.has(key)) && new Set(list).size === list.length;
}

/** The column holding a field's JSON text. */
const j = (field: string) => quoteIdent(`__j_${field}`);

/**
 * Candidate rows from the temporary table `lines (pos, line)` (pos from 1 within the batch;
 * `$base` is added). The common case of a line: one JSON object without backslashes (so a JSON
 * string is the text between its quotes); its keys all known and none repeated (JSON.parse keeps
 * the last of a repeated key, DuckDB's parser the first); no trailing comma (which DuckDB's
 * parser tolerates); its fields in canonical form. Its raw text is the line.
 */
export function getNdjsonCandidatesSql(): string {
  const fields = Object.fromEntries(TYPE_FIELD_NAMES.map((f) => [f, jsonField(j(f))]));
  const gut = fields.gut!;
  const gutDigit = (i: number) => `CASE WHEN ${gut.absent} THEN NULL ELSE (${j('gut')}[${i}])::TINYINT END`;
  const text = (field: string) => `${j(field)}[2:-2]`;
  const base = `__doc IS NOT NULL AND __keys IS NOT NULL AND NOT regexp_matches(raw, ',\\s*[\\]}]')
    AND starts_with(${j('id')}, '"') AND ${trimmedText(j('id'), true)}
    AND starts_with(${j('ticket')}, '"') AND ${trimmedText(j('ticket'), true)}
    AND starts_with(${j('at')}, '"') AND ${isoInstantOk(text('at'))}`;
  const plain = `starts_with(raw, '{') AND strpos(raw, '\\') = 0`;
  const parsed = `(SELECT pos + $base AS __prazo_pos, raw, __keys, __doc, ${LINE_FIELDS.map((f) => `__doc.${quoteIdent(f)}::VARCHAR AS ${j(f)}`).join(', ')}
    FROM (SELECT pos, raw,
        CASE WHEN ${plain} THEN try(json_keys(raw)) END AS __keys,
        CASE WHEN ${plain} THEN try(json_transform(raw, '${LINE_STRUCT}')) END AS __doc
      FROM (SELECT pos, CASE WHEN ends_with(line, chr(13)) THEN line[:-2] ELSE line END AS raw FROM lines)))`;
  return candidatesSql({
    fields,
    base,
    type: text('type'),
    typeOk: `${j('type')} IN (${list(SQL_TYPES.map((t) => JSON.stringify(t)))})`,
    occurredAt: `TRY_CAST(${text('at')} AS TIMESTAMPTZ)`,
    raw: 'raw',
    id: text('id'),
    ticket: text('ticket'),
    gut: [gutDigit(6), gutDigit(12), gutDigit(18)],
    keys: `array_to_string(__keys, '"')`,
    from: parsed,
  });
}

// ---------------------------------------------------------------------------------------------
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
      return { ok: `(${c} <> '' AND ${trimmedText(c)})`, value: c };
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
  if (column.type === 'VARCHAR') return { ok: isoInstantOk(c), value: `TRY_CAST(${c} AS TIMESTAMPTZ)` };
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
    if (column.type === 'VARCHAR') value = `coalesce(to_json(${c})::VARCHAR, 'null')`;
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
 * Candidate rows of a table (`relation` yields the file's columns plus `pos`). Unknown columns
 * must be empty (else the event would carry them in extra); `gut_g`, `gut_u` and `gut_t` are
 * the GUT scores, all three or none.
 */
export function getTableCandidatesSql(columns: ColumnInfo[], relation: string): string {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const fields = Object.fromEntries(SCALAR_FIELDS.map((f) => [f, columnField(byName.get(f))]));
  const gutParts = ['gut_g', 'gut_u', 'gut_t'].map((name) => columnField(byName.get(name)));
  const gutScore: FieldRule = { kind: 'score' };
  const gut: FieldSql = {
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
  const gutDigit = (i: number) => `CASE WHEN ${gut.absent} THEN NULL ELSE ${gutParts[i]!.value(gutScore)} END`;
  return candidatesSql({
    fields,
    base: [id.ok, ticket.ok, at.ok, ...empty].join(' AND '),
    type,
    typeOk: `${type} IN (${list(SQL_TYPES)})`,
    occurredAt: at.value,
    raw: rowJsonSql(columns),
    id: id.value,
    ticket: ticket.value,
    gut: [gutDigit(0), gutDigit(1), gutDigit(2)],
    from: relation,
  });
}

// ---------------------------------------------------------------------------------------------

interface CandidateParts {
  fields: Record<string, FieldSql>;
  /** Checks of the row as a whole and of id, ticket and at. */
  base: string;
  type: string;
  typeOk: string;
  occurredAt: string;
  raw: string;
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
function candidatesSql(p: CandidateParts): string {
  const field = (name: string) => p.fields[name] ?? NO_FIELD;
  const absent = (name: string) => quoteIdent(`__a_${name}`);
  const check = (name: string) => quoteIdent(`__c_${name}`);
  const perField = TYPE_FIELD_NAMES.flatMap((name) => [
    `${field(name).absent} AS ${absent(name)}`,
    `${field(name).check(RULE_OF[name]!)} AS ${check(name)}`,
  ]);
  const perType = SQL_TYPES.map((type) => {
    const rules = COMMON_CASE[type];
    const conditions = TYPE_FIELD_NAMES.map((name) => {
      if (!rules.fields[name]) return absent(name);
      if (rules.required.includes(name)) return `(NOT ${absent(name)} AND ${check(name)})`;
      return `(${absent(name)} OR ${check(name)})`;
    });
    return `WHEN ${quoteLiteral(type)} THEN ${conditions.join(' AND ')}`;
  });
  const ok = `coalesce(${p.base} AND ${p.typeOk} AND CASE ${p.type} ${perType.join('\n      ')} ELSE false END, false)`;
  const value = (name: string) => `CASE WHEN ${absent(name)} THEN NULL ELSE ${field(name).value(RULE_OF[name]!)} END`;
  const columns: Record<string, string> = {
    occurred_at: p.occurredAt,
    raw: p.raw,
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
  const select = BATCH_SHAPE.map(([name, type]) => {
    if (name === 'pos') return '__prazo_pos AS pos';
    if (name === 'ok') return '__prazo_ok AS ok';
    return `CASE WHEN __prazo_ok THEN (${columns[name]})::${type} END AS ${quoteIdent(name)}`;
  });
  return `SELECT ${select.join(',\n  ')}
FROM (SELECT *, ${ok} AS __prazo_ok
  FROM (SELECT *, ${perField.join(',\n    ')} FROM ${p.from}))`;
}
