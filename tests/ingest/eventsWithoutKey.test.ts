import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { applyMigrations, openDatabase } from '../../src/db/openDatabase.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { withEventWriteLock } from '../../src/ingest/eventWriteLock.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { writeNdjsonSetwise } from '../../src/ingest/writeNdjsonSetwise.js';
import { prepareRun, writePreparedRuns } from '../../src/ingest/writeRun.js';
import '../../src/ingest/readers/registerReaders.js';
import { FIXTURES, freshDatabase, query, tempDir } from './helpers.js';

// Migration 009: events has no primary key (the writers look up stored ids under one lock), and an
// event whose line is exactly what its typed columns rebuild is stored without its text.

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'src', 'db', 'migrations');

const event = (n: number) =>
  JSON.stringify({ id: `e-${n}`, ticket: `T-${n % 7}`, at: `2026-03-02T11:${String(n % 60).padStart(2, '0')}:00Z`, type: 'ticket.replied', by: 'analyst' });

describe('one event per (source, id) without a key', () => {
  test('two imports of the same file at once, and HTTP runs of the same ids beside them, store each event once', async () => {
    const db = await freshDatabase();
    try {
      const dir = tempDir();
      const file = join(dir, 'events.ndjson');
      writeFileSync(file, `${Array.from({ length: 3000 }, (_, n) => event(n)).join('\n')}\n`);
      const http = Array.from({ length: 6 }, (_, k) => ({
        options: { source: 'same', origin: 'http', format: 'ndjson' },
        batches: prepareRun(
          Array.from({ length: 500 }, (_, i) => {
            const value = JSON.parse(event(k * 500 + i)) as Record<string, unknown>;
            return { position: i + 1, raw: JSON.stringify(value), value };
          }),
          {},
        ),
      }));
      const importFile = async (batchSize: number) => {
        const writer = await EventWriter.open(db, { source: 'same', origin: file, format: 'ndjson' });
        await writeNdjsonSetwise(writer, file, { origin: file, batchSize, pieceBytes: 4096 });
        return writer.finish();
      };
      // The source exists, and one of the ids is stored, before the three start.
      const seed = await EventWriter.open(db, { source: 'same', origin: 'seed', format: 'ndjson' });
      await seed.write([{ position: 1, raw: event(0), value: JSON.parse(event(0)) }]);
      await seed.finish();
      const [a, b, runs] = await Promise.all([importFile(700), importFile(1100), writePreparedRuns(db, http)]);
      const httpAccepted = runs.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value.accepted : Number.NaN), 0);
      expect(a.accepted + b.accepted + httpAccepted).toBe(2999);
      expect(a.duplicates + b.duplicates).toBe(6000 - a.accepted - b.accepted);
      expect(await query(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM events')).toEqual([{ n: 3000, ids: 3000 }]);
    } finally {
      db.close();
    }
  });

  test('a batch with stored and repeated ids stores the first copy of each new id and lists only the tickets of what it stored', async () => {
    const db = await freshDatabase();
    try {
      const line = (id: string, ticket: string, minute: number) =>
        JSON.stringify({ id, ticket, at: `2026-03-02T11:${String(minute).padStart(2, '0')}:00Z`, type: 'ticket.replied', by: 'analyst' });
      const write = async (lines: string[]) => {
        const writer = await EventWriter.open(db, { source: 'dup', origin: 'test', format: 'ndjson' });
        await writer.write(lines.map((raw, i) => ({ position: i + 1, raw, value: JSON.parse(raw) as Record<string, unknown> })));
        return writer.finish();
      };
      await write([line('a', 'T-OLD', 1), line('b', 'T-OLD', 2)]);
      await db.connect().then(async (c) => {
        await c.run('DELETE FROM changed_tickets');
        c.closeSync();
      });
      // Stored (a), new (c, twice: the first copy wins), new (d), stored (b).
      const result = await write([line('a', 'T-OLD', 1), line('c', 'T-NEW', 3), line('c', 'T-OTHER', 4), line('d', 'T-NEW2', 5), line('b', 'T-OLD', 2)]);
      expect(result).toMatchObject({ accepted: 2, duplicates: 3 });
      expect(await query(db, "SELECT id, ticket FROM events WHERE source = 'dup' ORDER BY id")).toEqual([
        { id: 'a', ticket: 'T-OLD' },
        { id: 'b', ticket: 'T-OLD' },
        { id: 'c', ticket: 'T-NEW' },
        { id: 'd', ticket: 'T-NEW2' },
      ]);
      expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-NEW' }, { ticket: 'T-NEW2' }]);
    } finally {
      db.close();
    }
  });

  test('a duplicate whose content differs from the copy kept is counted as a conflict (the first copy stays)', async () => {
    const db = await freshDatabase();
    try {
      const line = (id: string, ticket: string, minute: number) =>
        JSON.stringify({ id, ticket, at: `2026-03-02T11:${String(minute).padStart(2, '0')}:00Z`, type: 'ticket.replied', by: 'analyst' });
      const write = async (lines: string[]) => {
        const writer = await EventWriter.open(db, { source: 'reuse', origin: 'test', format: 'ndjson' });
        await writer.write(lines.map((raw, i) => ({ position: i + 1, raw, value: JSON.parse(raw) as Record<string, unknown> })));
        return writer.finish();
      };
      expect(await write([line('a', 'T-1', 1), line('b', 'T-1', 2)])).not.toHaveProperty('conflicts');
      // a: the same event again; b: its id reused for another ticket; c: twice in the batch, at two times.
      const second = await write([line('a', 'T-1', 1), line('b', 'T-9', 2), line('c', 'T-2', 3), line('c', 'T-2', 4)]);
      expect(second).toMatchObject({ accepted: 1, duplicates: 3, conflicts: 2 });
      expect(await query(db, "SELECT id, ticket, strftime(occurred_at, '%M') AS minute FROM events WHERE source = 'reuse' ORDER BY id")).toEqual([
        { id: 'a', ticket: 'T-1', minute: '01' },
        { id: 'b', ticket: 'T-1', minute: '02' },
        { id: 'c', ticket: 'T-2', minute: '03' },
      ]);
      // Sending the same file again is a plain re-import: duplicates, no conflict.
      expect(await write([line('a', 'T-1', 1), line('b', 'T-1', 2)])).not.toHaveProperty('conflicts');
    } finally {
      db.close();
    }
  });

  test('an incremental helpdesk export stores each event once: a row yields several events at one position, some stored already', async () => {
    const db = await freshDatabase();
    try {
      const mapping = join(FIXTURES, 'mapped', 'helpdesk.mapping.json');
      const header = 'chamado,evento,quando,situacao,prioridade,cliente,solicitante,tecnico,assunto,categoria';
      const dir = tempDir();
      const [day1, day2] = [join(dir, 'day1.csv'), join(dir, 'day2.csv')];
      writeFileSync(day1, `${header}\nT-1,1,02/03/2026 08:05,Aberto,P3,Acme,ana@acme.com.br,,x,\n`);
      // Day 2 holds only T-1's next audit row; being its first row here, it yields T-1's opening (stored yesterday) beside the new change.
      writeFileSync(day2, `${header}\nT-1,2,02/03/2026 08:30,Em andamento,P3,Acme,ana@acme.com.br,Bruno,x,\n`);
      const first = await ingestFiles(db, [day1], { format: 'mapped', mapping, source: 'helpdesk' });
      const second = await ingestFiles(db, [day2], { format: 'mapped', mapping, source: 'helpdesk' });
      expect(second.duplicates).toBeGreaterThan(0);
      const stored = await query(db, 'SELECT id, count(*)::INTEGER AS n FROM events GROUP BY id ORDER BY id');
      expect(stored.filter((row) => row.n !== 1)).toEqual([]);
      expect(stored).toHaveLength(first.accepted + second.accepted);
    } finally {
      db.close();
    }
  });

  test('a batch waits while another transaction holds the event-write lock, and is written once it is released', async () => {
    const db = await freshDatabase();
    try {
      const writer = await EventWriter.open(db, { source: 's', origin: 'a', format: 'ndjson' });
      let release!: () => void;
      const held = withEventWriteLock(db, () => new Promise<void>((resolve) => (release = resolve)));
      let written = false;
      const write = writer.write([{ position: 1, raw: event(1), value: JSON.parse(event(1)) }]).then((r) => ((written = true), r));
      await sleep(150);
      expect(written).toBe(false);
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 0 }]);
      release();
      await held;
      expect(await write).toMatchObject({ accepted: 1 });
      await writer.finish();
    } finally {
      db.close();
    }
  });

  test('an id repeated inside a batch and an id already stored are duplicates; the first copy is the one kept', async () => {
    const db = await freshDatabase();
    try {
      const writer = await EventWriter.open(db, { source: 's', origin: 'a', format: 'ndjson' });
      const rec = (position: number, value: Record<string, unknown>) => ({ position, raw: JSON.stringify(value), value });
      const first = await writer.write([rec(1, JSON.parse(event(1))), rec(2, { ...JSON.parse(event(1)), by: 'customer' })]);
      const second = await writer.write([rec(1, JSON.parse(event(1))), rec(2, JSON.parse(event(2)))]);
      await writer.finish();
      expect([first.accepted, first.duplicates, second.accepted, second.duplicates]).toEqual([1, 1, 1, 1]);
      expect(await query(db, 'SELECT id, by_role FROM events ORDER BY id')).toEqual([
        { id: 'e-1', by_role: 'analyst' },
        { id: 'e-2', by_role: 'analyst' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('raw text left out when the typed columns rebuild it', () => {
  const lines = [
    // Rebuilt exactly: stored without the text.
    '{"id":"a","ticket":"T-1","at":"2026-03-02T11:00:00Z","type":"ticket.opened","severity":"alta","client":"Açaí Ltda","channel":"email"}',
    '{"type":"ticket.replied","by":"analyst","at":"2026-03-02T11:05:00.250Z","ticket":"T-1","id":"b"}',
    '{"id":"c","ticket":"T-1","at":"2026-03-02T11:06:00Z","type":"ticket.status_changed","status":"em_atendimento","reason":null}',
    // Not rebuilt: kept as sent.
    '{ "id": "d", "ticket": "T-1", "at": "2026-03-02T11:07:00Z", "type": "ticket.replied", "by": "analyst" }',
    '{"id":"e","ticket":"T-1","at":"2026-03-02T11:08:00.000Z","type":"ticket.replied","by":"analyst"}',
    '{"id":"f","ticket":"T-1","at":"2026-03-02T11:09:00Z","type":"ticket.status_changed","status":"aguardando_cliente","reason":""}',
    '{"id":"g","ticket":"T-1","at":"2026-03-02T11:10:00Z","type":"ticket.replied","by":"Analyst"}',
    '{"id":"h","ticket":"T-1","at":"2026-03-02T11:11:00Z","type":"quick_service.proposed","hours":2,"hourly_rate":150}',
    // Not rebuilt, though as long as their rebuilding: whitespace makes up for a token written shorter.
    '{"id":"i","ticket":"T-1","at":"2026-03-02T11:12:00Z","type":"ticket.status_changed","status":"resolvido","reason":""  }',
    '{"id":"j","ticket":"T-1","at":"2026-03-02T11:13:00Z","type":"quick_service.proposed","hours":1234}',
    '{"id":"k","ticket":"T-1","at":"2026-03-02T11:14:00Z", "type":"ticket.replied","by":"analyst","actor":null}',
  ];

  test('every NDJSON line reads back byte for byte through events_as_sent; the rebuilt ones store no text', async () => {
    const db = await freshDatabase();
    try {
      const file = join(tempDir(), 'lines.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const result = await ingestFiles(db, [file], { source: 'raw' });
      expect(result).toMatchObject({ read: lines.length, accepted: lines.length, rejected: 0 });
      const rows = await query(db, 'SELECT e.id, e.raw IS NULL AS rebuilt, s.raw FROM events e JOIN events_as_sent s USING (source, id) ORDER BY e.id');
      expect(rows.map((r) => r.raw)).toEqual(lines);
      expect(rows.filter((r) => r.rebuilt).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    } finally {
      db.close();
    }
  });

  test('a Parquet row reads back as the JSON of its columns, in their order, stored without its text', async () => {
    const db = await freshDatabase();
    try {
      const file = join(tempDir(), 'rows.parquet');
      const instance = await DuckDBInstance.create(':memory:');
      const c = await instance.connect();
      await c.run(`COPY (SELECT 'p-' || i AS id, 'T-' || (i % 3) AS ticket, '2026-03-02T11:0' || i || ':00Z' AS "at", 'ticket.replied' AS type,
        'analyst' AS "by", NULL::VARCHAR AS status FROM range(5) r(i)) TO '${file}' (FORMAT parquet)`);
      c.closeSync();
      instance.closeSync();
      await ingestFiles(db, [file], { source: 'pq' });
      const rows = await query(db, 'SELECT e.raw IS NULL AS rebuilt, s.raw FROM events e JOIN events_as_sent s USING (source, id) ORDER BY e.id');
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.rebuilt)).toBe(true);
      expect(rows[4]!.raw).toBe('{"id":"p-4","ticket":"T-1","at":"2026-03-02T11:04:00Z","type":"ticket.replied","by":"analyst","status":null}');
    } finally {
      db.close();
    }
  });

  test('a Parquet row is left without its text only when the rebuilding is exact: each case reads back as the JavaScript path stores it', async () => {
    const file = join(tempDir(), 'cases.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    await c.run(`COPY (SELECT * FROM (VALUES
        (1::BIGINT, 'T-1', '2026-03-02T11:00:00Z', 'ticket.opened', NULL, 'Açaí "Ltda"', 'alta'),
        (2::BIGINT, 'T-1', '2026-03-02T11:01:00Z', 'ticket.replied', 'analyst', NULL, ''),
        (3::BIGINT, 'T-1', '2026-03-02T11:02:00Z', 'ticket.replied', 'analyst', NULL, NULL),
        (4::BIGINT, 'T-1', '2026-03-02T11:03:00.000Z', 'ticket.replied', 'customer', NULL, NULL),
        (5::BIGINT, 'T-1', '2026-03-02T11:04:00.500Z', 'ticket.opened', NULL, 'Acme', 'baixa'),
        (6::BIGINT, 'T-1', '2026-03-02T11:05:00Z', 'ticket.opened', NULL, 'Tab' || chr(9) || 'VT' || chr(11) || 'text \\u000B / ' || chr(127) || ' é', 'media')
      ) v(id, ticket, "at", type, "by", client, severity)) TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    instance.closeSync();
    const read = async (setwise: boolean) => {
      const db = await freshDatabase();
      try {
        await ingestFiles(db, [file], { source: 'pq', setwise });
        return await query(db, 'SELECT e.id, e.raw IS NULL AS rebuilt, s.raw FROM events e JOIN events_as_sent s USING (source, id) ORDER BY e.id');
      } finally {
        db.close();
      }
    };
    const [sql, js] = [await read(true), await read(false)];
    expect(sql.map((r) => r.raw)).toEqual(js.map((r) => r.raw));
    expect(js.some((r) => r.rebuilt)).toBe(false);
    // Rebuilt, escapes and all (json_text writes a text as JSON.stringify does: \u000b, not DuckDB's \u000B).
    expect(sql.find((r) => r.id === '6')!.raw).toContain(`"client":${JSON.stringify('Tab\tVT\u000btext \\u000B / \u007f é')}`);
    // Kept: an empty text (written "" but stored as no value), an instant not in event_raw's form.
    expect(sql.filter((r) => r.rebuilt).map((r) => r.id)).toEqual(['1', '3', '5', '6']);
  });
});

test('migration 009 keeps the events of a database made before it, and drops the recompute watermark', async () => {
  const path = join(tempDir(), 'old.duckdb');
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)');
  for (const file of readdirSync(MIGRATIONS).filter((f) => /^00[1-8]_.+\.sql$/.test(f)).sort()) {
    await c.run(readFileSync(join(MIGRATIONS, file), 'utf8'));
    await c.run('INSERT INTO schema_migrations (version, name) VALUES ($v, $f)', { v: Number(file.slice(0, 3)), f: file });
  }
  const old = event(1);
  await c.run(`INSERT INTO events (source, id, ticket, occurred_at, type, by_role, raw, run_id) VALUES ('s', 'e-1', 'T-1', '2026-03-02T11:01:00Z', 'ticket.replied', 'analyst', $raw, 1)`, { raw: old });
  await c.run('INSERT INTO ticket_sla_state VALUES (1, 1, current_timestamp)');
  expect(await applyMigrations(c)).toEqual(['009_events_without_key.sql', '010_event_raw_json_text.sql', '011_events_id_uncompressed.sql']);
  c.closeSync();
  instance.closeSync();
  const db = await openDatabase(path);
  try {
    expect(await query(db, 'SELECT id, raw FROM events_as_sent')).toEqual([{ id: 'e-1', raw: old }]);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM ticket_sla_state')).toEqual([{ n: 0 }]);
    const writer = await EventWriter.open(db, { source: 's', origin: 'again', format: 'ndjson' });
    const again = await writer.write([{ position: 1, raw: old, value: JSON.parse(old) }]);
    await writer.finish();
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
  } finally {
    db.close();
  }
});
