import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { query, tempDir } from '../ingest/helpers.js';

// New database files are written in DuckDB v1.3.0's storage format (openDatabase.ts, instanceConfig):
// its one string compression (DICT_FSST) stores events ~30% faster than the default v0.10.2 format's
// two. A file made before keeps its own format and must go on working.

const events = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const value = { id: `e-${from + i}`, ticket: `T-${(from + i) % 97}`, at: '2026-03-02T11:00:00Z', type: 'ticket.replied', by: 'analyst' };
    return { position: i + 1, raw: JSON.stringify(value), value };
  });

/** The compressions DuckDB chose for events' id and ticket columns after a checkpoint, once more events are stored. */
async function compressions(path: string): Promise<{ id: string[]; ticket: string[] }> {
  const db = await openDatabase(path);
  try {
    const writer = await EventWriter.open(db, { source: 's', origin: 'test', format: 'ndjson' });
    await writer.write(events(Number((await query(db, 'SELECT count(*)::INTEGER AS n FROM events'))[0]!.n), 150_000));
    await writer.finish();
    await query(db, 'CHECKPOINT');
    const of = async (column: string) =>
      (await query(db, "SELECT DISTINCT compression FROM pragma_storage_info('events') WHERE column_name = $column AND segment_type = 'VARCHAR'", { column }))
        .map((r) => String(r.compression))
        .sort();
    return { id: await of('id'), ticket: await of('ticket') };
  } finally {
    db.close();
  }
}

describe('storage format of the database file', () => {
  test('a new file is written in the v1.3.0 format: string columns compressed with DICT_FSST, ids not at all (migration 011)', async () => {
    expect(await compressions(join(tempDir(), 'new.duckdb'))).toEqual({ id: ['Uncompressed'], ticket: ['DICT_FSST'] });
  });

  test('a file made in DuckDB’s default format opens, keeps its format and takes more events', async () => {
    const path = join(tempDir(), 'old.duckdb');
    const instance = await DuckDBInstance.create(path);
    (await instance.connect()).closeSync();
    instance.closeSync();
    for (let i = 0; i < 2; i++) {
      const { id, ticket } = await compressions(path);
      expect(id).toEqual(['Uncompressed']);
      expect(ticket.length).toBeGreaterThan(0);
      expect(ticket).not.toContain('DICT_FSST');
    }
    const db = await openDatabase(path);
    try {
      expect(await query(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM events')).toEqual([{ n: 300_000, d: 300_000 }]);
    } finally {
      db.close();
    }
  });
});
