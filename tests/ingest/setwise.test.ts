import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { writeNdjsonSetwise } from '../../src/ingest/writeNdjsonSetwise.js';
import { writeParquetSetwise } from '../../src/ingest/writeParquetSetwise.js';
import { KNOWN_FIELDS } from '../../src/ingest/eventSchema.js';
import { fieldValue, instant, record } from './eventArbitraries.js';
import { freshDatabase, query, tempDir } from './helpers.js';

// The set-wise paths (DuckDB checks the common case in SQL, JavaScript and zod take the rest)
// must store exactly what reading every row in JavaScript stores: the same events, survey
// answers, rejects (reason, message, raw text) and counts, on random input.

/** Everything an import leaves, as comparable rows. */
async function snapshot(db: Database) {
  return {
    events: await query(
      db,
      `SELECT id, ticket, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS at, type, severity, status, reason, by_role, actor,
         analyst, category, answer, client, requester, channel, gut_g, gut_u, gut_t, hours::VARCHAR AS hours,
         hourly_rate::VARCHAR AS hourly_rate, extra, raw
       FROM (SELECT e.* EXCLUDE (raw), s.raw FROM events e JOIN events_as_sent s ON s.source = e.source AND s.id = e.id) ORDER BY id`,
    ),
    surveys: await query(db, `SELECT id, ticket, rating, score, comment FROM survey_answers ORDER BY id`),
    rejects: await query(db, 'SELECT position::INTEGER AS position, raw, reason, message FROM rejects ORDER BY position, raw'),
    tickets: await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket'),
    runs: await query(db, 'SELECT read::INTEGER AS read, accepted::INTEGER AS accepted, duplicates::INTEGER AS duplicates, rejected::INTEGER AS rejected FROM ingest_runs'),
  };
}

/** Imports `file` with the set-wise writer (small batches and reads, to cross their edges). */
async function importSetwise(file: string, format: 'ndjson' | 'parquet', batchSize: number, pieceBytes: number) {
  const db = await freshDatabase();
  const writer = await EventWriter.open(db, { source: 'file', origin: file, format });
  const options = { origin: file, batchSize, pieceBytes };
  const counts = format === 'ndjson' ? await writeNdjsonSetwise(writer, file, options) : await writeParquetSetwise(writer, file, options);
  const totals = await writer.finish();
  return { db, counts: counts!, totals };
}

/** A Parquet file of an NDJSON file's lines, a column per key (of the type read_json gives it: `at` a TIMESTAMP). */
async function writeParquetFromNdjson(ndjson: string, file: string) {
  const maker = await freshDatabase();
  const c = await maker.connect();
  try {
    await c.run(`COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${file}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    maker.close();
  }
}

async function importInJavaScript(file: string) {
  const db = await freshDatabase();
  const totals = await ingestFiles(db, [file], { setwise: false });
  return { db, totals };
}

// ---------------------------------------------------------------------------------------------
// NDJSON lines: JSON.stringify of random records, sometimes bent in ways JSON.parse and DuckDB's
// JSON reader might not agree on.

const mutation = fc.constantFrom(
  'none', 'none', 'none', 'none', 'none', 'spaces', 'trailing-comma', 'repeat-key', 'repeat-key-null', 'escape',
  'nan', 'crlf', 'blank', 'nbsp', 'truncate', 'bom', 'nested-unknown', 'not-object', 'leading-space', 'slash',
  'escaped-value', 'escaped-value', 'repeat-key-spaced', 'repeat-key-null-first', 'nested-known', 'empty-id', 'empty-ticket',
);

function bend(json: string, how: string): string {
  switch (how) {
    case 'spaces':
      return json.replaceAll('":', '" : ').replaceAll(',"', ', "');
    case 'trailing-comma':
      return `${json.slice(0, -1)},}`;
    case 'repeat-key':
      return `{"client":"Outro","severity":"alta",${json.slice(1)}`;
    case 'repeat-key-null':
      return json.replace(/}$/, ',"client":null,"id":null}');
    case 'repeat-key-spaced':
      return json.replace(/}$/, ',"severity" :"baixa","id"\t:"e-9"}');
    case 'repeat-key-null-first':
      return `{"severity":null,"status":null,${json.slice(1)}`;
    case 'nested-known':
      return json.replace(/}$/, ',"x":{"status":"novo","gut":{"g":1,"u":1,"t":1}}}');
    case 'escape':
      return json.replace(/"([a-z])/, '"\\u00$1'.replace('$1', '65'));
    case 'nan':
      return json.replace(/}$/, ',"hours":NaN}');
    case 'crlf':
      return `${json}\r`;
    case 'blank':
      return '';
    case 'nbsp':
      return '\u00a0';
    case 'truncate':
      return json.slice(0, Math.max(1, json.length - 3));
    case 'bom':
      return `\ufeff${json}`;
    case 'nested-unknown':
      return json.replace(/}$/, ',"x":{"y":null}}');
    case 'not-object':
      return '["e-1"]';
    case 'leading-space':
      return ` ${json}`;
    case 'slash':
      return json.replace('T-', 'T\\/');
    case 'empty-id':
      return json.replace(/"id":"[^"]*"/, '"id":""');
    case 'empty-ticket':
      return json.replace(/"ticket":"[^"]*"/, '"ticket":""');
    case 'escaped-value':
      return json.replace('"Cliente ', '"Cli\\u0065nte ').replace('"ana"', '"a\\"na"').replace('"resolvido"', '"resolvid\\u006f"');
    default:
      return json;
  }
}

const ndjsonLine = fc.tuple(record, mutation, fc.constantFrom('e-1', 'e-2', 'e-3', null)).map(([r, how, forcedId]) => {
  // Now and then the same id twice, so duplicates inside a batch and across batches happen.
  if (forcedId && typeof r.id === 'string') r.id = forcedId;
  return bend(JSON.stringify(r), how);
});

/** A canonical event, which the SQL path must take (so the comparison is not vacuous). */
const canonicalEvent = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('ticket.opened', 'ticket.status_changed', 'ticket.replied', 'quick_service.proposed', 'survey.answered'), fc.boolean())
  .map(([n, type, nulls]) => {
    const base = { id: `c-${n}`, ticket: `T-${n % 7}`, at: `2026-03-0${(n % 9) + 1}T1${n % 10}:05:00Z`, type };
    const fields: Record<string, unknown> =
      type === 'ticket.opened'
        ? { severity: 'alta', client: `Cliente ${n}`, channel: 'email', ...(n % 2 ? { gut: { g: 1, u: 2, t: 3 } } : {}) }
        : type === 'ticket.status_changed'
          ? { status: 'resolvido', ...(n % 3 ? {} : { reason: 'approved' }) }
          : type === 'ticket.replied'
            ? { by: 'customer', actor: 'ana' }
            : type === 'survey.answered'
              ? { rating: 'neutro', comment: 'ok' }
              : { hours: (n % 4) + 1, hourly_rate: 180.5 };
    return { ...base, ...fields, ...(nulls ? { analyst: null, comment: null } : {}) } as Record<string, unknown>;
  });

/** One change to a canonical event, which may or may not leave it in the common case. */
const nearCanonicalLine = fc
  .tuple(
    canonicalEvent,
    fc.oneof(fc.constantFrom(...[...KNOWN_FIELDS], 'crm_id', 'extra', '__proto__'), fc.string({ maxLength: 3 })),
    fieldValue,
    instant,
    fc.constantFrom('set', 'set', 'delete', 'at', 'repeat-first', 'repeat-last', 'text', 'escaped'),
    mutation,
  )
  .map(([event, key, value, at, how, textual]) => {
    const out = { ...event };
    if (how === 'set') Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
    if (how === 'delete') delete out[key];
    if (how === 'at') out.at = at;
    const json = JSON.stringify(out);
    // A key written twice: JSON.parse keeps the last, DuckDB's parser the first.
    if (how === 'repeat-first') return `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},${json.slice(1)}`;
    if (how === 'repeat-last') return json.replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`);
    if (how === 'escaped') return bend(json, 'escaped-value');
    return how === 'text' ? bend(json, textual) : json;
  });

describe('NDJSON set-wise stores what the JavaScript path stores', () => {
  test.each([1, 2, 3, 4, 5, 6])('random file %i', async (seed) => {
    const lines = fc.sample(fc.array(fc.oneof(ndjsonLine, canonicalEvent.map((e) => JSON.stringify(e)), nearCanonicalLine, nearCanonicalLine), { minLength: 200, maxLength: 500 }), { seed, numRuns: 1 })[0]!;
    const file = join(tempDir(), 'events.ndjson');
    writeFileSync(file, lines.join('\n') + (seed % 2 ? '\n' : ''));
    const setwise = await importSetwise(file, 'ndjson', 17 + seed * 5, 300 + seed * 97);
    const javascript = await importInJavaScript(file);
    try {
      expect(await snapshot(setwise.db)).toEqual(await snapshot(javascript.db));
      expect(setwise.totals).toEqual({ read: javascript.totals.read, accepted: javascript.totals.accepted, duplicates: javascript.totals.duplicates, rejected: javascript.totals.rejected, tickets: javascript.totals.tickets, conflicts: javascript.totals.conflicts });
      // Not vacuous: SQL took a good share of the lines.
      expect(setwise.counts.inSql).toBeGreaterThan(lines.length / 5);
    } finally {
      setwise.db.close();
      javascript.db.close();
    }
  }, 60_000);

  test('a file without a final newline, a long line, Windows line ends and a byte that is not UTF-8', async () => {
    const long = JSON.stringify({ id: 'long', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.assigned', analyst: 'x'.repeat(5000) });
    const file = join(tempDir(), 'edges.ndjson');
    const notUtf8 = Buffer.from(`${JSON.stringify({ id: 'bytes', ticket: 'T-1', at: '2026-03-02T11:07:00Z', type: 'ticket.assigned', analyst: 'a?b' })}\n`);
    notUtf8[notUtf8.indexOf('?')] = 0xff;
    const text = ['', long, `${JSON.stringify({ id: 'crlf', ticket: 'T-1', at: '2026-03-02T11:06:00Z', type: 'ticket.assigned', analyst: 'a' })}\r`, ''].join('\n');
    writeFileSync(file, Buffer.concat([Buffer.from(text), notUtf8, Buffer.from('{"id":')]));
    const setwise = await importSetwise(file, 'ndjson', 2, 64);
    const javascript = await importInJavaScript(file);
    try {
      expect(await snapshot(setwise.db)).toEqual(await snapshot(javascript.db));
      expect(setwise.totals).toMatchObject({ read: 4, accepted: 3, rejected: 1 });
      // A byte that is not UTF-8 reads as U+FFFD, as Node reads text.
      expect(await query(setwise.db, "SELECT analyst FROM events WHERE id = 'bytes'")).toEqual([{ analyst: 'a\ufffdb' }]);
    } finally {
      setwise.db.close();
      javascript.db.close();
    }
  });
});

test('an empty id or ticket is missing, in SQL as in JavaScript, whatever the characters around it', async () => {
  // Edges the fast check reads by their codes: a quote (the other quote of ""), '!' (33), '~' (126).
  const event = { id: 'e', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.replied', by: 'analyst' };
  const lines = [
    { ...event, id: '' },
    { ...event, id: 'e-2', ticket: '' },
    { ...event, id: '!', ticket: '~' },
    { ...event, id: '!e!', ticket: '~T~' },
    { ...event, id: 'e-5' },
  ].map((e) => JSON.stringify(e));
  for (const format of ['ndjson', 'parquet'] as const) {
    const file = join(tempDir(), `empty.${format}`);
    writeFileSync(join(dirname(file), 'empty.ndjson'), `${lines.join('\n')}\n`);
    if (format === 'parquet') await writeParquetFromNdjson(join(dirname(file), 'empty.ndjson'), file);
    const setwise = await importSetwise(file, format, 2, 64);
    const javascript = await importInJavaScript(file);
    try {
      expect(await snapshot(setwise.db)).toEqual(await snapshot(javascript.db));
      expect(await query(setwise.db, 'SELECT position::INTEGER AS position, reason, message FROM rejects ORDER BY position')).toEqual([
        { position: 1, reason: 'missing_field', message: 'id: missing' },
        { position: 2, reason: 'missing_field', message: 'ticket: missing' },
      ]);
      expect(await query(setwise.db, 'SELECT id, ticket FROM events ORDER BY id')).toEqual([
        { id: '!', ticket: '~' },
        { id: '!e!', ticket: '~T~' },
        { id: 'e-5', ticket: 'T-1' },
      ]);
      // The three good ones went through SQL.
      expect(setwise.counts.inSql).toBe(3);
    } finally {
      setwise.db.close();
      javascript.db.close();
    }
  }
});

test('a Parquet file without a column its rows’ type requires: those rows go to JavaScript and are refused there', async () => {
  // No client column: a ticket.opened row cannot be vouched for in SQL (its client is required).
  const at = '2026-03-02T11:05:00Z';
  const lines = [
    { id: 'o-1', ticket: 'T-1', at, type: 'ticket.opened', severity: 'alta' },
    { id: 'r-1', ticket: 'T-1', at, type: 'ticket.replied', severity: null, by: 'analyst' },
    { id: 'o-2', ticket: 'T-2', at, type: 'ticket.opened', severity: 'baixa' },
  ].map((e) => JSON.stringify(e));
  const dir = tempDir();
  writeFileSync(join(dir, 'noclient.ndjson'), `${lines.join('\n')}\n`);
  const file = join(dir, 'noclient.parquet');
  await writeParquetFromNdjson(join(dir, 'noclient.ndjson'), file);
  const setwise = await importSetwise(file, 'parquet', 2, 0);
  const javascript = await importInJavaScript(file);
  try {
    expect(await snapshot(setwise.db)).toEqual(await snapshot(javascript.db));
    expect(await query(setwise.db, 'SELECT position::INTEGER AS position, reason FROM rejects ORDER BY position')).toEqual([
      { position: 1, reason: 'missing_field' },
      { position: 3, reason: 'missing_field' },
    ]);
    expect(setwise.counts.inSql).toBe(1);
  } finally {
    setwise.db.close();
    javascript.db.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Parquet: random rows in columns of the types a Parquet file may give each field.

type Column = { name: string; type: string; value: fc.Arbitrary<string> };
const lit = (text: string) => `'${text.replaceAll("'", "''")}'`;
const nullable = (arb: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: arb }, fc.constant('NULL'));
const textValue = (canonical: string[]) =>
  nullable(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...canonical) }, fc.constantFrom('', ' x', 'Média', 'URGENTE', 'x\u0001', 'Ágata', 'a"b', 'a\\b', "it's").map((v) => v))).map((v) =>
    v === 'NULL' ? v : lit(v),
  );
const intValue = nullable(fc.integer({ min: -1, max: 7 }).map(String));
const doubleValue = nullable(fc.oneof(fc.integer({ min: -1, max: 7 }).map((n) => `${n}.0`), fc.constantFrom("'NaN'", "'inf'", '-0.0', '2.5', '0.1', '1e30')));
const textNumber = nullable(fc.constantFrom('3', '5', '0', '2.5', ' 3', '3.0', 'x', '').map(lit));

function columnsVariant(variant: number): Column[] {
  const isoText = fc.constantFrom('2026-03-02T11:05:00Z', '2026-03-02T11:05:00.123Z', '2026-02-30T10:00:00Z', '2026-03-02T24:00:00Z', '2026-03-02 10:00', '2026-03-02T08:35:00-03:00', '').map(lit);
  const stamp = fc.constantFrom('2026-03-02 11:05:00', '2026-03-02 11:05:00.123', '2026-03-02 11:05:00.123456', '0999-01-01 00:00:00');
  const at: Column =
    variant % 3 === 0
      ? { name: 'at', type: 'VARCHAR', value: nullable(isoText) }
      : variant % 3 === 1
        ? { name: 'at', type: 'TIMESTAMP', value: nullable(stamp.map((s) => `TIMESTAMP ${lit(s)}`)) }
        : { name: 'at', type: 'TIMESTAMPTZ', value: nullable(stamp.map((s) => `TIMESTAMPTZ ${lit(`${s}+00`)}`)) };
  const id: Column =
    variant % 2 === 0
      ? { name: 'id', type: 'VARCHAR', value: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => lit(`p-${n}`)) }, fc.constant("''")) }
      : { name: 'id', type: 'BIGINT', value: nullable(fc.integer({ min: -3, max: 60 }).map(String)) };
  const gutType = ['TINYINT', 'DOUBLE', 'VARCHAR'][variant % 3]!;
  const gut = gutType === 'TINYINT' ? intValue : gutType === 'DOUBLE' ? doubleValue : textNumber;
  const hoursType = ['DOUBLE', 'INTEGER', 'VARCHAR', 'FLOAT'][variant % 4]!;
  const hours = hoursType === 'DOUBLE' || hoursType === 'FLOAT' ? doubleValue : hoursType === 'INTEGER' ? intValue : textNumber;
  return [
    id,
    { name: 'ticket', type: 'VARCHAR', value: textValue(['T-1', 'T-2', 'T-3']) },
    at,
    { name: 'type', type: 'VARCHAR', value: nullable(fc.constantFrom('ticket.opened', 'ticket.opened', 'ticket.status_changed', 'ticket.replied', 'survey.answered', 'quick_service.proposed', 'Ticket.Opened', 'x').map(lit)) },
    { name: 'severity', type: 'VARCHAR', value: textValue(['alta', 'media']) },
    { name: 'client', type: 'VARCHAR', value: textValue(['Acme', 'Beta']) },
    { name: 'status', type: 'VARCHAR', value: textValue(['resolvido', 'em_atendimento']) },
    { name: 'by', type: 'VARCHAR', value: textValue(['analyst', 'customer']) },
    { name: 'rating', type: 'VARCHAR', value: textValue(['neutro']) },
    { name: 'score', type: gutType, value: gut },
    { name: 'gut_g', type: gutType, value: gut },
    { name: 'gut_u', type: gutType, value: gut },
    { name: 'gut_t', type: gutType, value: gut },
    { name: 'hours', type: hoursType, value: hours },
    { name: 'hourly_rate', type: hoursType, value: hours },
    { name: 'crm_id', type: 'VARCHAR', value: fc.constantFrom('NULL', "'X-9'", "''") },
    { name: 'flag', type: 'BOOLEAN', value: fc.constantFrom('NULL', 'true') },
  ];
}

/** Rows the SQL path must take: one event type's canonical fields, every other column empty. */
function canonicalRow(columns: Column[]): fc.Arbitrary<string[]> {
  const byName = new Map(columns.map((c) => [c.name, c]));
  return fc.tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom('ticket.opened', 'ticket.status_changed', 'ticket.replied', 'quick_service.proposed')).map(([n, type]) => {
    const number = (name: string, v: number) => (byName.get(name)!.type === 'VARCHAR' ? lit(String(v)) : String(v));
    const at = byName.get('at')!.type;
    const values: Record<string, string> = {
      id: byName.get('id')!.type === 'VARCHAR' ? lit(`p-${n}`) : String(n),
      ticket: lit(`T-${n % 3}`),
      at: at === 'VARCHAR' ? lit(`2026-03-02T11:0${n % 10}:00Z`) : `${at} ${lit(`2026-03-02 11:0${n % 10}:00${at === 'TIMESTAMPTZ' ? '+00' : ''}`)}`,
      type: lit(type),
      ...(type === 'ticket.opened' ? { severity: "'alta'", client: "'Acme'", ...(n % 2 ? { gut_g: number('gut_g', 1), gut_u: number('gut_u', 2), gut_t: number('gut_t', 3) } : {}) } : {}),
      ...(type === 'ticket.status_changed' ? { status: "'resolvido'" } : {}),
      ...(type === 'ticket.replied' ? { by: "'customer'" } : {}),
      ...(type === 'quick_service.proposed' ? { hours: number('hours', 2), hourly_rate: number('hourly_rate', 180) } : {}),
    };
    return columns.map((c) => values[c.name] ?? (c.name === 'crm_id' && n % 2 ? "''" : 'NULL'));
  });
}

describe('Parquet set-wise stores what the JavaScript path stores', () => {
  test.each([0, 1, 2, 3, 4, 5])('random file, column types %i', async (variant) => {
    const columns = columnsVariant(variant);
    // One column changed; most often one the row's type uses (those are where the rules differ).
    const used = ['id', 'ticket', 'at', 'severity', 'client', 'status', 'by', 'gut_g', 'hours', 'hourly_rate'].map((name) => columns.findIndex((c) => c.name === name));
    const perturbed = fc
      .tuple(canonicalRow(columns), fc.oneof(fc.constantFrom(...used), fc.integer({ min: 0, max: columns.length - 1 })), fc.tuple(...columns.map((c) => c.value)))
      .map(([canonical, i, random]) => canonical.map((v, k) => (k === i ? random[k]! : v)));
    const row = fc.oneof(fc.tuple(...columns.map((c) => c.value)), canonicalRow(columns), perturbed, perturbed);
    const rows = fc.sample(fc.array(row, { minLength: 300, maxLength: 500 }), { seed: variant, numRuns: 1 })[0]!;
    const file = join(tempDir(), 'events.parquet');
    const maker = await freshDatabase();
    const c = await maker.connect();
    await c.run(`CREATE TABLE t (${columns.map((col) => `"${col.name}" ${col.type}`).join(', ')})`);
    await c.run(`INSERT INTO t VALUES ${rows.map((r) => `(${r.join(', ')})`).join(',\n')}`);
    await c.run(`COPY t TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    maker.close();

    const setwise = await importSetwise(file, 'parquet', 23 + variant, 0);
    const javascript = await importInJavaScript(file);
    try {
      expect(await snapshot(setwise.db)).toEqual(await snapshot(javascript.db));
      expect(setwise.totals).toEqual({ read: javascript.totals.read, accepted: javascript.totals.accepted, duplicates: javascript.totals.duplicates, rejected: javascript.totals.rejected, tickets: javascript.totals.tickets, conflicts: javascript.totals.conflicts });
      expect(setwise.counts.inSql).toBeGreaterThan(0);
    } finally {
      setwise.db.close();
      javascript.db.close();
    }
  }, 60_000);
});
