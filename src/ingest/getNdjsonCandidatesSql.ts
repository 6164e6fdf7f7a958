import { KNOWN_FIELDS } from './eventSchema.js';
import {
  candidatesSql,
  DECIMAL,
  type FieldSql,
  isoInstantOk,
  list,
  quoteIdent,
  RAW_STRING_FIELDS,
  ruleCheck,
  SQL_TYPES,
  trimmedText,
  TYPE_FIELD_NAMES,
} from './commonCaseSql.js';

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

// Every key a common-case line may have is read as its JSON text (rebuildsSql counts on it).
for (const key of KNOWN_FIELDS) if (!LINE_FIELDS.includes(key)) throw new Error(`getNdjsonCandidatesSql: ${key} is not read`);

/**
 * Whether event_raw() rebuilds a common-case line exactly, so its text need not be stored. The
 * line is a JSON object without backslashes whose keys (known, none repeated) are read in order.
 * Each of its tokens is then what event_raw writes, under three conditions: a string field's
 * value is the text between its quotes (no backslash, and DuckDB's parser refuses a control
 * character unescaped, so json_text writes it back unchanged), but an empty string "" is stored as no value
 * and would be rebuilt as null, so none may be ""; event_raw writes null for the fields that are
 * not strings (gut, hours, …), so those must be null; `at` must be in event_raw's form (no
 * milliseconds when they are .000). With every token equal, the line differs from the rebuilding
 * only by whitespace between tokens, and whitespace only lengthens it: they are equal exactly when
 * their lengths are. The rebuilding's length is '{' and '}', each key quoted with its colon, the
 * commas, each value's JSON text (null: 4):
 * 2 + Σ(strlen(key) + 3) + (n − 1) + Σ strlen(json) + 4·(n − non-null) = 2 + strlen(keys joined
 * by '"') + 7n + Σ strlen(json) − 4·non-null.
 */
function rebuildsSql(): string {
  const strings = ['id', 'ticket', 'type', ...TYPE_FIELD_NAMES.filter((f) => RAW_STRING_FIELDS.has(f))];
  const others = TYPE_FIELD_NAMES.filter((f) => !RAW_STRING_FIELDS.has(f));
  const n = 'len(__keys)';
  const sum = LINE_FIELDS.map((f) => `coalesce(strlen(${j(f)}), 0)`).join(' + ');
  const nonNull = LINE_FIELDS.map((f) => `(${j(f)} IS NOT NULL)::INTEGER`).join(' + ');
  return `(${strings.map((f) => `coalesce(${j(f)} <> '""', true)`).join(' AND ')}
    AND ${others.map((f) => `${j(f)} IS NULL`).join(' AND ')}
    AND (strlen(${j('at')}) = 22 OR NOT ends_with(${j('at')}, '.000Z"'))
    AND strlen(raw) = 2 + strlen(array_to_string(__keys, '"')) + 7 * ${n} + ${sum} - 4 * (${nonNull}))`;
}

/**
 * Candidate rows from a table `lines (pos, line)` (pos from 1 within the batch;
 * `$base` is added). The common case of a line: one JSON object without backslashes (so a JSON
 * string is the text between its quotes); its keys all known and none repeated (JSON.parse keeps
 * the last of a repeated key, DuckDB's parser the first); no trailing comma (which DuckDB's
 * parser tolerates); its fields in canonical form. Its raw text is the line.
 */
export function getNdjsonCandidatesSql(lines = 'lines'): string {
  const fields = Object.fromEntries(TYPE_FIELD_NAMES.map((f) => [f, jsonField(j(f))]));
  const gut = fields.gut!;
  const gutDigit = (i: number) => `CASE WHEN ${gut.absent} THEN NULL ELSE (${j('gut')}[${i}])::TINYINT END`;
  const text = (field: string) => `${j(field)}[2:-2]`;
  const base = `__doc IS NOT NULL AND __keys IS NOT NULL AND NOT regexp_matches(raw, ',\\s*[\\]}]')
    AND starts_with(${j('id')}, '"') AND ${trimmedText(j('id'), true)}
    AND starts_with(${j('ticket')}, '"') AND ${trimmedText(j('ticket'), true)}
    AND starts_with(${j('at')}, '"') AND ${isoInstantOk(j('at'), '__ts', { quoted: true })}`;
  const plain = `starts_with(raw, '{') AND strpos(raw, '\\') = 0`;
  // The instant is parsed once, for its check and its value.
  const parsed = `(SELECT *, TRY_CAST(${text('at')} AS TIMESTAMPTZ) AS __ts FROM (SELECT pos + $base AS __prazo_pos, raw, __keys, __doc, ${LINE_FIELDS.map((f) => `__doc.${quoteIdent(f)}::VARCHAR AS ${j(f)}`).join(', ')}
    FROM (SELECT pos, raw,
        CASE WHEN ${plain} THEN try(json_keys(raw)) END AS __keys,
        CASE WHEN ${plain} THEN try(json_transform(raw, '${LINE_STRUCT}')) END AS __doc
      FROM (SELECT pos, CASE WHEN ends_with(line, chr(13)) THEN line[:-2] ELSE line END AS raw FROM ${lines}))))`;
  return candidatesSql({
    fields,
    base,
    type: text('type'),
    typeOk: `${j('type')} IN (${list(SQL_TYPES.map((t) => JSON.stringify(t)))})`,
    occurredAt: '__ts',
    // NULL, for batchSql.ts to store the line's keys instead, when event_raw() rebuilds it.
    raw: { text: 'raw', rebuilds: rebuildsSql() },
    id: text('id'),
    ticket: text('ticket'),
    gut: [gutDigit(6), gutDigit(12), gutDigit(18)],
    keys: `array_to_string(__keys, '"')`,
    from: parsed,
  });
}
