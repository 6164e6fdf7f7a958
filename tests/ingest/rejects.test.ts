import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { freshDatabase, query, tempDir } from './helpers.js';

const BAD = '{"id": "r-1", "ticket": oops';

describe('a reject is identified by source, origin, position and text', () => {
  test('the same bad line at the same position of two files of one source is two rejects', async () => {
    const dir = tempDir();
    const files = ['a.ndjson', 'b.ndjson'].map((name, i) => {
      const file = join(dir, name);
      const good = JSON.stringify({ id: `g-${i}`, ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.assigned', analyst: 'ana' });
      writeFileSync(file, `${good}\n${BAD}\n`);
      return file;
    });
    const db = await freshDatabase();
    try {
      // As one run and as two runs alike.
      expect(await ingestFiles(db, files, { source: 'crm' })).toMatchObject({ accepted: 2, rejected: 2 });
      const rejects = () => query(db, 'SELECT source, origin, position::INTEGER AS position, reason, raw FROM rejects ORDER BY origin');
      const expected = files.map((origin) => ({ source: 'crm', origin, position: 2, reason: 'invalid_json', raw: BAD }));
      expect(await rejects()).toEqual(expected);
      // Sent again, each is the same reject: nothing added.
      expect(await ingestFiles(db, [files[1]!], { source: 'crm' })).toMatchObject({ rejected: 1 });
      expect(await ingestFiles(db, [files[0]!], { source: 'crm' })).toMatchObject({ rejected: 1 });
      expect(await rejects()).toEqual(expected);
    } finally {
      db.close();
    }
  });

  test('migration 008 keeps the rejects stored under the old key and moves them to the new one', async () => {
    const path = join(tempDir(), 'prazo.duckdb');
    const db = await openDatabase(path);
    const c = await db.connect();
    // The table as 001_ingest.sql made it, with a reject in it, and 008 not applied yet.
    await c.run('DROP TABLE rejects');
    await c.run(`CREATE TABLE rejects (
      source VARCHAR NOT NULL, origin VARCHAR NOT NULL, position BIGINT NOT NULL, raw VARCHAR NOT NULL, raw_hash VARCHAR NOT NULL,
      reason VARCHAR NOT NULL, message VARCHAR NOT NULL, run_id BIGINT NOT NULL,
      rejected_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, PRIMARY KEY (source, position, raw_hash))`);
    await c.run(`INSERT INTO rejects VALUES ('crm', '/old/a.ndjson', 2, 'x', md5('x'), 'invalid_json', 'not valid JSON', 1, '2026-03-02 10:00:00+00')`);
    await c.run('DELETE FROM schema_migrations WHERE version = 8');
    c.closeSync();
    db.close();

    const migrated = await openDatabase(path);
    try {
      expect(await query(migrated, `SELECT origin, position::INTEGER AS position, raw, strftime(rejected_at, '%Y-%m-%d %H:%M') AS at FROM rejects`)).toEqual([
        { origin: '/old/a.ndjson', position: 2, raw: 'x', at: '2026-03-02 10:00' },
      ]);
      expect(await query(migrated, "SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'rejects' AND constraint_type = 'PRIMARY KEY'")).toEqual([
        { constraint_text: 'PRIMARY KEY("source", origin, "position", raw_hash)' },
      ]);
      expect(await query(migrated, 'SELECT name FROM schema_migrations WHERE version = 8')).toEqual([{ name: '008_rejects_origin.sql' }]);
    } finally {
      migrated.close();
    }
  });
});
