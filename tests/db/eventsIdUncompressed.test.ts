import { join } from 'node:path';
import { expect, test } from 'vitest';
import { applyMigrations, openDatabase } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { tempDir } from '../ingest/helpers.js';
import { migratedUpTo } from './helpers.js';

// Migration 011 rebuilds events with its id column stored without compression: every event of a
// database made before it must read the same afterwards, in the same order, and still count as
// stored for the next import.

const rowsOf = async (c: Awaited<ReturnType<typeof migratedUpTo>>['c'], sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson();

test('migration 011 keeps every event and its text, in order, drops the recompute watermark, and the next import sees them', async () => {
  const path = join(tempDir(), 'old.duckdb');
  const { instance, c } = await migratedUpTo(path, 10);
  const sent = '{"id":"e-9","ticket":"T-1","at":"2026-03-02T11:00:00Z","type":"ticket.replied","by":"analyst","note":"kept as sent"}';
  const rebuilt = '{"id":"e-2","ticket":"T-2","at":"2026-03-02T11:05:00.250Z","type":"ticket.opened","severity":"alta","client":"Açaí Ltda"}';
  try {
    await c.run("SET TimeZone = 'UTC'");
    await c.run(
      `INSERT INTO events (source, id, ticket, occurred_at, type, by_role, extra, raw, run_id) VALUES
         ('s', 'e-9', 'T-1', '2026-03-02T11:00:00Z', 'ticket.replied', 'analyst', '{"note":"kept as sent"}', $sent, 1)`,
      { sent },
    );
    await c.run(`INSERT INTO events (source, id, ticket, occurred_at, type, severity, client, raw, run_id, raw_keys) VALUES
      ('s', 'e-2', 'T-2', '2026-03-02T11:05:00.250Z', 'ticket.opened', 'alta', 'Açaí Ltda', NULL, 1, 'id"ticket"at"type"severity"client'),
      ('s', 'q-1', 'T-2', '2026-03-03T09:00:00Z', 'quick_service.proposed', NULL, NULL, '{"id":"q-1","ticket":"T-2","at":"2026-03-03T09:00:00Z","type":"quick_service.proposed","hours":2,"hourly_rate":150}', 2, NULL)`);
    await c.run("UPDATE events SET hours = 2, hourly_rate = 150 WHERE id = 'q-1'");
    await c.run('INSERT INTO ticket_sla_state VALUES (1, 3, current_timestamp)');
    const all = 'SELECT rowid AS r, * FROM events ORDER BY rowid';
    const before = await rowsOf(c, all);
    // The table's rules, as DuckDB describes them: columns (types, nullability, defaults) and constraints.
    const shape = async () => ({
      columns: await rowsOf(c, "SELECT column_name, column_index, data_type, is_nullable, column_default FROM duckdb_columns() WHERE table_name = 'events' ORDER BY column_index"),
      constraints: await rowsOf(c, "SELECT constraint_type, constraint_text, expression FROM duckdb_constraints() WHERE table_name = 'events' ORDER BY constraint_text"),
    });
    const shapeBefore = await shape();
    expect(shapeBefore.columns).toHaveLength(26);
    const asSent = 'SELECT id, raw FROM events_as_sent ORDER BY id';
    expect(await rowsOf(c, asSent)).toEqual([
      { id: 'e-2', raw: rebuilt },
      { id: 'e-9', raw: sent },
      { id: 'q-1', raw: '{"id":"q-1","ticket":"T-2","at":"2026-03-03T09:00:00Z","type":"quick_service.proposed","hours":2,"hourly_rate":150}' },
    ]);

    expect(await applyMigrations(c)).toEqual(['011_events_id_uncompressed.sql']);
    expect(await rowsOf(c, all)).toEqual(before);
    expect(await shape()).toEqual(shapeBefore);
    expect((await rowsOf(c, asSent)).map((r) => r.raw)).toEqual([rebuilt, sent, expect.stringContaining('"hourly_rate":150')]);
    expect(await rowsOf(c, 'SELECT count(*)::INTEGER AS n FROM ticket_sla_state')).toEqual([{ n: 0 }]);
    // The views over events still bind to the rebuilt table.
    expect(await rowsOf(c, 'SELECT ticket, hours, hourly_rate, outcome FROM quick_service_facts')).toEqual([{ ticket: 'T-2', hours: 2, hourly_rate: 150, outcome: 'pending' }]);
    // The rebuilt table keeps its rules: an event with neither text nor keys, or without a ticket, is refused.
    await expect(c.run("INSERT INTO events (source, id, ticket, occurred_at, type, run_id) VALUES ('s', 'x', 'T', now(), 'ticket.replied', 1)")).rejects.toThrow(/CHECK/i);
    await expect(c.run("INSERT INTO events (source, id, ticket, occurred_at, type, raw, run_id) VALUES ('s', 'x', NULL, now(), 'ticket.replied', '{}', 1)")).rejects.toThrow(/NOT NULL/i);
  } finally {
    c.closeSync();
    instance.closeSync();
  }

  const db = await openDatabase(path);
  try {
    const writer = await EventWriter.open(db, { source: 's', origin: 'again', format: 'ndjson' });
    const fresh = '{"id":"e-10","ticket":"T-1","at":"2026-03-02T12:00:00Z","type":"ticket.replied","by":"customer"}';
    const result = await writer.write([sent, rebuilt, fresh].map((raw, i) => ({ position: i + 1, raw, value: JSON.parse(raw) })));
    await writer.finish();
    // (That ids are then stored uncompressed takes more than a row group to see: storageVersion.test.ts.)
    expect(result).toMatchObject({ accepted: 1, duplicates: 2 });
  } finally {
    db.close();
  }
});
