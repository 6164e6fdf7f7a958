import { tableFromJSON, tableToIPC } from 'apache-arrow';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { IngestInputError, ingestFiles } from '../../src/ingest/ingestFile.js';
import { FIXTURES, freshDatabase, query, tempDir } from './helpers.js';

const EVENTS = join(FIXTURES, 'events.ndjson');
const lines = readFileSync(EVENTS, 'utf8').trim().split('\n');
const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/** The typed columns every format must produce alike. */
const TYPED = `SELECT id, ticket, strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ') AS at, type, severity, status, reason,
  by_role, actor, analyst, category, answer, client, requester, channel, gut_g, gut_u, gut_t, hours, hourly_rate
  FROM events ORDER BY ticket, occurred_at, id`;

describe('canonical NDJSON', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.close());

  test('every event is accepted and normalised', async () => {
    const result = await ingestFiles(db, [EVENTS]);
    expect(result).toMatchObject({ read: 15, accepted: 15, duplicates: 0, rejected: 0, tickets: 2 });
    const [opened] = await query(db, `SELECT severity, gut_g, gut_u, gut_t, extra FROM events WHERE id = 'e-1'`);
    // "Média" → media; the GUT object becomes three columns; an unknown field is kept in extra.
    expect(opened).toEqual({ severity: 'media', gut_g: 3, gut_u: 4, gut_t: 2, extra: '{"crm_id":"X-9"}' });
    // 08:35 −03:00 is 11:35Z.
    expect(await query(db, `SELECT strftime(occurred_at, '%H:%M') AS t FROM events WHERE id = 'e-2'`)).toEqual([{ t: '11:35' }]);
    expect(await query(db, `SELECT status FROM events WHERE id IN ('e-3', 'e-5') ORDER BY id`)).toEqual([
      { status: 'em_atendimento' },
      { status: 'em_atendimento' },
    ]);
    expect(await query(db, `SELECT category FROM events WHERE id = 'e-6'`)).toEqual([{ category: 'duvida_explicita' }]);
  });

  test('re-importing the same file adds nothing', async () => {
    const again = await ingestFiles(db, [EVENTS]);
    expect(again).toMatchObject({ read: 15, accepted: 0, duplicates: 15, rejected: 0, tickets: 2 });
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 15 }]);
  });

  test('survey answers live only in the satisfaction zone', async () => {
    expect(await query(db, `SELECT rating, comment FROM survey_answers WHERE id = 'e-10'`)).toEqual([
      { rating: 'insatisfeito', comment: 'MARCADOR-COMENTARIO demorou' },
    ]);
    const leaked = await query(db, `SELECT id FROM events WHERE raw::VARCHAR LIKE '%MARCADOR%' OR raw::VARCHAR LIKE '%insatisfeito%'`);
    expect(leaked).toEqual([]);
    expect(await query(db, `SELECT type FROM events WHERE id = 'e-10'`)).toEqual([{ type: 'survey.answered' }]);
  });

  test('the tickets it touched are recorded for the metrics', async () => {
    expect(await query(db, 'SELECT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-1001' }, { ticket: 'T-1002' }]);
  });

  test('each run is recorded with its counts', async () => {
    expect(await query(db, 'SELECT status, read::INTEGER AS read, accepted::INTEGER AS accepted, duplicates::INTEGER AS duplicates FROM ingest_runs ORDER BY id')).toEqual([
      { status: 'done', read: 15, accepted: 15, duplicates: 0 },
      { status: 'done', read: 15, accepted: 0, duplicates: 15 },
    ]);
  });
});

describe('CSV, Parquet and Arrow give the same events as NDJSON', () => {
  const dir = tempDir();
  const flat = events.map(({ gut, ...rest }) => {
    const g = gut as { g: number; u: number; t: number } | undefined;
    return { ...rest, gut_g: g?.g ?? null, gut_u: g?.u ?? null, gut_t: g?.t ?? null };
  });
  let expected: unknown[];

  beforeAll(async () => {
    const db = await freshDatabase();
    await ingestFiles(db, [EVENTS]);
    expected = await query(db, TYPED);
    // Write the other formats with DuckDB itself (CSV, Parquet) and apache-arrow (IPC).
    const jsonPath = join(dir, 'flat.json');
    writeFileSync(jsonPath, JSON.stringify(flat));
    const c = await db.connect();
    const columns = [...new Set(flat.flatMap((e) => Object.keys(e)))];
    const select = columns.map((k) => `"${k}"`).join(', ');
    await c.run(`COPY (SELECT ${select} FROM read_json('${jsonPath}', format = 'array', columns = {${columns.map((k) => `"${k}": 'VARCHAR'`).join(', ')}})) TO '${join(dir, 'events.csv')}' (HEADER)`);
    await c.run(`COPY (SELECT * FROM read_json_auto('${jsonPath}')) TO '${join(dir, 'events.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    db.close();
    writeFileSync(join(dir, 'events.arrow'), tableToIPC(tableFromJSON(flat.map((e) => Object.fromEntries(columns.map((k) => [k, (e as Record<string, unknown>)[k] ?? null])))), 'stream'));
  });

  test.each(['events.csv', 'events.parquet', 'events.arrow'])('%s', async (name) => {
    const db = await freshDatabase();
    try {
      const result = await ingestFiles(db, [join(dir, name)]);
      expect(result).toMatchObject({ read: 15, accepted: 15, rejected: 0, tickets: 2 });
      expect(await query(db, TYPED)).toEqual(expected);
    } finally {
      db.close();
    }
  });
});

describe('Parquet read set-wise, again and after other formats', () => {
  /** A Parquet file of `select`, written by DuckDB. */
  async function parquet(select: string): Promise<string> {
    const file = join(tempDir(), 'events.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    instance.closeSync();
    return file;
  }
  const replies = (n: number, from = 0) =>
    `SELECT 'p-' || (i + ${from}) AS id, 'T-' || (i % 3) AS ticket, '2026-03-02T11:00:00Z' AS "at", 'ticket.replied' AS type, 'analyst' AS "by" FROM range(${n}) r(i)`;

  test('a column named file_row_number (the name DuckDB gives a row’s number) is read in JavaScript, kept as an unknown field', async () => {
    const db = await freshDatabase();
    try {
      const file = await parquet(`SELECT r.*, 7 AS "File_Row_Number" FROM (${replies(3)}) r`);
      expect(await ingestFiles(db, [file], { source: 'pq' })).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
      expect(await query(db, 'SELECT id, extra FROM events ORDER BY id')).toEqual(['p-0', 'p-1', 'p-2'].map((id) => ({ id, extra: '{"File_Row_Number":7}' })));
    } finally {
      db.close();
    }
  });

  test('a timestamp JavaScript cannot hold (infinity, year 280000) is one row’s reject, not a failed import', async () => {
    for (const setwise of [true, false]) {
      const db = await freshDatabase();
      try {
        const file = await parquet(
          `SELECT 'p-' || i AS id, 'T-1' AS ticket, CASE i WHEN 1 THEN 'infinity'::TIMESTAMPTZ WHEN 2 THEN '-infinity'::TIMESTAMPTZ WHEN 3 THEN make_timestamp(280000, 1, 1, 0, 0, 0)::TIMESTAMPTZ ELSE TIMESTAMPTZ '2026-03-02 11:00:00+00' END AS "at", 'ticket.replied' AS type, 'analyst' AS "by", CASE i WHEN 4 THEN '-infinity'::DATE END AS due FROM range(5) r(i)`,
        );
        expect(await ingestFiles(db, [file], { source: 'pq', setwise })).toMatchObject({ read: 5, accepted: 2, rejected: 3 });
        // A date column too: kept as an unknown field, as text.
        expect(await query(db, "SELECT extra FROM events WHERE id = 'p-4'")).toEqual([{ extra: '{"due":"-infinity"}' }]);
        const rejects = await query(db, 'SELECT position::INTEGER AS position, reason, message, raw FROM rejects ORDER BY position');
        expect(rejects.map((r) => [r.position, r.reason])).toEqual([
          [2, 'invalid_timestamp'],
          [3, 'invalid_timestamp'],
          [4, 'invalid_timestamp'],
        ]);
        for (const r of rejects) expect(String(r.message)).toMatch(/^at: /);
        expect(String(rejects[0]!.raw)).toContain('"at":"infinity"');
        expect(String(rejects[1]!.raw)).toContain('"at":"-infinity"');
      } finally {
        db.close();
      }
    }
  });

  test('importing the same file again, and twice in one run, adds nothing', async () => {
    const db = await freshDatabase();
    try {
      const file = await parquet(replies(5));
      expect(await ingestFiles(db, [file], { source: 'pq' })).toMatchObject({ read: 5, accepted: 5, duplicates: 0 });
      expect(await ingestFiles(db, [file, file], { source: 'pq' })).toMatchObject({ read: 10, accepted: 0, duplicates: 10, tickets: 3 });
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 5 }]);
    } finally {
      db.close();
    }
  });

  test('a file overlapping what is stored, with an id repeated inside it: the new events once, their tickets listed as changed', async () => {
    const db = await freshDatabase();
    try {
      await ingestFiles(db, [await parquet(replies(4))], { source: 'pq' });
      await query(db, 'DELETE FROM changed_tickets');
      // p-2, p-3 stored; p-4 (T-2), p-5 (T-0) new; p-5 again with ticket T-9 (the first copy is kept).
      const file = await parquet(`${replies(4, 2)} UNION ALL SELECT 'p-5', 'T-9', '2026-03-02T12:00:00Z', 'ticket.replied', 'analyst'`);
      expect(await ingestFiles(db, [file], { source: 'pq' })).toMatchObject({ read: 5, accepted: 2, duplicates: 3 });
      expect(await query(db, "SELECT id, ticket FROM events WHERE id IN ('p-4', 'p-5') ORDER BY id")).toEqual([
        { id: 'p-4', ticket: 'T-2' },
        { id: 'p-5', ticket: 'T-0' },
      ]);
      expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-0' }, { ticket: 'T-2' }]);
    } finally {
      db.close();
    }
  });

  test('after a CSV in the same run (its batch read in JavaScript), and before one', async () => {
    const db = await freshDatabase();
    try {
      const dir = tempDir();
      const csv = join(dir, 'a.csv');
      writeFileSync(csv, 'id,ticket,at,type,by\nc-1,T-1,2026-03-02T11:00:00Z,ticket.replied,analyst\n');
      const file = await parquet(replies(3));
      expect(await ingestFiles(db, [csv, file, csv], { source: 'mix' })).toMatchObject({ read: 5, accepted: 4, duplicates: 1 });
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 4 }]);
    } finally {
      db.close();
    }
  });
});

describe('every reject reason, each with a row that triggers it', () => {
  const ok = { ticket: 'T-9', at: '2026-03-02T11:05:00Z' };
  const cases: [string, string, RegExp][] = [
    ['invalid_json', '{"id": "r-1", ', /^not valid JSON/],
    ['not_an_object', '["r-2"]', /expected a JSON object/],
    ['missing_field', JSON.stringify({ ...ok, type: 'ticket.opened', severity: 'alta', client: 'X' }), /^id: missing/],
    ['missing_field', JSON.stringify({ id: 'r-4', at: ok.at, type: 'ticket.assigned', analyst: 'a' }), /^ticket: missing/],
    ['missing_field', JSON.stringify({ id: 'r-5', ticket: 'T-9', type: 'ticket.assigned', analyst: 'a' }), /^at: missing/],
    ['missing_field', JSON.stringify({ id: 'r-6', ...ok, severity: 'alta' }), /^type: missing/],
    ['missing_field', JSON.stringify({ id: 'r-7', ...ok, type: 'ticket.opened', severity: 'alta' }), /^client: missing/],
    ['unknown_type', JSON.stringify({ id: 'r-8', ...ok, type: 'ticket.exploded' }), /^type: unknown event type "ticket.exploded"/],
    ['invalid_timestamp', JSON.stringify({ id: 'r-9', ...ok, at: 'ontem às 10h', type: 'ticket.assigned', analyst: 'a' }), /^at: expected an ISO-8601 instant/],
    ['invalid_timestamp', JSON.stringify({ id: 'r-10', ...ok, at: '2026-02-30T10:00:00Z', type: 'ticket.assigned', analyst: 'a' }), /^at: not a real date/],
    ['invalid_timestamp', JSON.stringify({ id: 'r-19', ...ok, at: 1e300, type: 'ticket.assigned', analyst: 'a' }), /^at: not a valid instant/],
    ['timestamp_without_zone', JSON.stringify({ id: 'r-11', ...ok, at: '2026-03-02 10:00', type: 'ticket.assigned', analyst: 'a' }), /^at: .* has no offset/],
    ['unknown_severity', JSON.stringify({ id: 'r-12', ...ok, type: 'ticket.opened', severity: 'crítica', client: 'X' }), /^severity: expected one of urgente, alta, media, baixa/],
    ['unknown_status', JSON.stringify({ id: 'r-13', ...ok, type: 'ticket.status_changed', status: 'pendente' }), /^status: expected one of/],
    ['unknown_category', JSON.stringify({ id: 'r-14', ...ok, type: 'ticket.categorized', category: 'reclamação' }), /^category: expected one of/],
    ['rating_out_of_range', JSON.stringify({ id: 'r-15', ...ok, type: 'survey.answered', score: 9 }), /^score: expected a score from 1 to 5/],
    ['rating_out_of_range', JSON.stringify({ id: 'r-16', ...ok, type: 'survey.answered', rating: 'amei' }), /^rating: expected one of satisfeito, neutro, insatisfeito/],
    ['invalid_value', JSON.stringify({ id: 'r-17', ...ok, type: 'ticket.replied', by: 'robot' }), /^by: expected one of analyst, customer/],
    ['invalid_value', JSON.stringify({ id: 'r-18', ...ok, type: 'ticket.opened', severity: 'alta', client: 'X', gut: { g: 6, u: 1, t: 1 } }), /^gut\.g: /],
  ];
  let db: Database;
  let result: Awaited<ReturnType<typeof ingestFiles>>;
  beforeAll(async () => {
    db = await freshDatabase();
    const file = join(tempDir(), 'bad.ndjson');
    writeFileSync(file, `${cases.map(([, line]) => line).join('\n')}\n`);
    result = await ingestFiles(db, [file]);
  });
  afterAll(() => db.close());

  test('all are rejected, none accepted', () => {
    expect(result).toMatchObject({ read: cases.length, accepted: 0, rejected: cases.length });
  });
  test.each(cases.map(([reason, line, message], i) => [i + 1, reason, line, message] as const))(
    'line %i: %s',
    async (position, reason, line, message) => {
      const [row] = await query(db, 'SELECT reason, message, raw FROM rejects WHERE position = $position', { position });
      // A survey line is kept without its rating, score and comment (the satisfaction zone's).
      const kept = line.includes('"survey.answered"')
        ? JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).filter(([k]) => !['rating', 'score', 'comment'].includes(k))))
        : line;
      expect(row).toMatchObject({ reason, raw: kept });
      expect(String(row!.message)).toMatch(message);
    },
  );
  test('a malformed CSV row is rejected with its line, the others kept', async () => {
    const file = join(tempDir(), 'bad.csv');
    writeFileSync(file, `id,ticket,at,type,analyst\nc-1,T-1,2026-03-02T11:05:00Z,ticket.assigned,ana\nc-2,T-1,"2026-03-02T11:06:00Z,ticket.assigned,bia,extra,cells\nc-3,T-1,2026-03-02T11:07:00Z,ticket.assigned,caio\n`);
    const db2 = await freshDatabase();
    try {
      const r = await ingestFiles(db2, [file]);
      expect(r.read).toBe(r.accepted + r.rejected);
      expect(r.accepted).toBeGreaterThanOrEqual(1);
      expect(r.rejected).toBeGreaterThanOrEqual(1);
      const rejects = await query(db2, 'SELECT reason FROM rejects');
      expect(rejects.map((x) => x.reason)).toContain('invalid_csv');
    } finally {
      db2.close();
    }
  });
});

describe('a CSV line DuckDB reports twice (an unterminated quote)', () => {
  test('is one reject, stored: every reject counted is one a user can list', async () => {
    const file = join(tempDir(), 'unterminated.csv');
    writeFileSync(file, 'id,ticket,at,type\nc-1,T-1,2026-03-02T11:05:00Z,ticket.opened\n"unterminated,T-2\n');
    const db2 = await freshDatabase();
    try {
      const r = await ingestFiles(db2, [file]);
      const rejects = await query(db2, 'SELECT position, reason, message, raw FROM rejects ORDER BY position');
      expect(rejects).toHaveLength(r.rejected);
      expect(rejects.filter((x) => x.reason === 'invalid_csv')).toEqual([
        { position: '2', reason: 'invalid_csv', message: expect.stringMatching(/^line 3: the row could not be read as CSV \(Expected Number of Columns: 4/), raw: '"unterminated,T-2' },
      ]);
    } finally {
      db2.close();
    }
  });
});

describe('positions in a CSV with an unreadable line', () => {
  test('the rows after it keep their own data-row numbers (the unreadable line keeps its)', async () => {
    const file = join(tempDir(), 'positions.csv');
    writeFileSync(
      file,
      'id,ticket,at,type,severity,client\n"broken,T-1\np-2,T-2,2026-03-02T11:05:00Z,ticket.opened,gravíssima,Acme\np-3,T-3,2026-03-02T11:05:00Z,ticket.opened,alta,Acme\np-4,T-4,2026-03-02T11:05:00Z,ticket.opened,urgentíssima,Acme\n',
    );
    const db2 = await freshDatabase();
    try {
      const r = await ingestFiles(db2, [file]);
      expect(r).toMatchObject({ accepted: 1, rejected: 3 });
      expect(await query(db2, 'SELECT position::INTEGER AS position, reason FROM rejects ORDER BY position')).toEqual([
        { position: 1, reason: 'invalid_csv' },
        { position: 2, reason: 'unknown_severity' },
        { position: 4, reason: 'unknown_severity' },
      ]);
    } finally {
      db2.close();
    }
  });
});

describe('a CSV saved by Excel, with a byte order mark before its header', () => {
  // DuckDB's CSV reader drops the U+FEFF, so the first column is "id", not "\ufeffid" (checked:
  // nothing to fix in readTable). Plain, quoted and semicolon-separated headers alike.
  test.each([
    ['plain', 'id,ticket,at,type,analyst\r\nb-1,T-1,2026-03-02T11:05:00Z,ticket.assigned,ana\r\n'],
    ['quoted', '"id","ticket","at","type","analyst"\r\n"b-1","T-1","2026-03-02T11:05:00Z","ticket.assigned","ana"\r\n'],
    ['semicolons', 'id;ticket;at;type;analyst\r\nb-1;T-1;2026-03-02T11:05:00Z;ticket.assigned;ana\r\n'],
  ])('%s: its first column is still "id"', async (_, text) => {
    const file = join(tempDir(), 'excel.csv');
    writeFileSync(file, `\ufeff${text}`);
    expect(readFileSync(file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const db = await freshDatabase();
    try {
      expect(await ingestFiles(db, [file])).toMatchObject({ read: 1, accepted: 1, rejected: 0 });
      const [event] = await query(db, 'SELECT id, analyst, extra FROM events');
      expect(event).toEqual({ id: 'b-1', analyst: 'ana', extra: null });
    } finally {
      db.close();
    }
  });
});

describe('zone-less timestamps with a configured zone', () => {
  test('are read in that zone, daylight saving included', async () => {
    const file = join(tempDir(), 'local.ndjson');
    writeFileSync(
      file,
      [
        // 2019-01-15 was in Brazil's daylight saving (−02:00): 10:00 local = 12:00Z.
        JSON.stringify({ id: 'z-1', ticket: 'T-1', at: '2019-01-15 10:00', type: 'ticket.assigned', analyst: 'a' }),
        // 2026-03-02 is −03:00: 10:00 local = 13:00Z.
        JSON.stringify({ id: 'z-2', ticket: 'T-1', at: '2026-03-02T10:00:00', type: 'ticket.assigned', analyst: 'a' }),
      ].join('\n'),
    );
    const db = await freshDatabase();
    try {
      await ingestFiles(db, [file], { timezone: 'America/Sao_Paulo' });
      expect(await query(db, `SELECT id, strftime(occurred_at, '%Y-%m-%dT%H:%M') AS at FROM events ORDER BY id`)).toEqual([
        { id: 'z-1', at: '2019-01-15T12:00' },
        { id: 'z-2', at: '2026-03-02T13:00' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('files that cannot be read at all', () => {
  test.each([
    [['/nonexistent/events.ndjson'], /cannot read it \(ENOENT\)/],
    [[mkdirReturning(join(tempDir(), 'folder.ndjson'))], /not a file/],
    [[join(FIXTURES, 'events.txt')], /cannot tell the format/],
    [[], /no file to import/],
  ])('%j', async (files, message) => {
    const db = await freshDatabase();
    try {
      await expect(ingestFiles(db, files)).rejects.toThrow(IngestInputError);
      await expect(ingestFiles(db, files)).rejects.toThrow(message);
    } finally {
      db.close();
    }
  });
});

function mkdirReturning(path: string): string {
  mkdirSync(path);
  return path;
}
