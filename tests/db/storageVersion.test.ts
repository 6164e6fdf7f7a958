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

/** The compressions DuckDB chose for events' id column after a checkpoint. */
async function idCompressions(path: string): Promise<string[]> {
  const db = await openDatabase(path);
  try {
    const writer = await EventWriter.open(db, { source: 's', origin: 'test', format: 'ndjson' });
    await writer.write(events(Number((await query(db, 'SELECT count(*)::INTEGER AS n FROM events'))[0]!.n), 150_000));
    await writer.finish();
    await query(db, 'CHECKPOINT');
    const rows = await query(db, "SELECT DISTINCT compression FROM pragma_storage_info('events') WHERE column_name = 'id' AND segment_type = 'VARCHAR'");
    return rows.map((r) => String(r.compression)).sort();
  } finally {
    db.close();
  }
}

describe('storage format of the database file', () => {
  test('a new file is written in the v1.3.0 format: string columns compressed with DICT_FSST', async () => {
    expect(await idCompressions(join(tempDir(), 'new.duckdb'))).toEqual(['DICT_FSST']);
  });

  test('a file made in DuckDB’s default format opens, keeps its format and takes more events', async () => {
    const path = join(tempDir(), 'old.duckdb');
    const instance = await DuckDBInstance.create(path);
    (await instance.connect()).closeSync();
    instance.closeSync();
    expect(await idCompressions(path)).not.toContain('DICT_FSST');
    expect(await idCompressions(path)).not.toContain('DICT_FSST');
    const db = await openDatabase(path);
    try {
      expect(await query(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM events')).toEqual([{ n: 300_000, d: 300_000 }]);
    } finally {
      db.close();
    }
  });
});
