import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { writeNdjsonSetwise } from '../../src/ingest/writeNdjsonSetwise.js';
import { freshDatabase, query, tempDir } from './helpers.js';

// The NDJSON reader splits the next batch into lines (on a connection of its own, into an in-memory
// database) while the writer checks and commits the previous one.

const line = (n: number) =>
  JSON.stringify({ id: `e-${n}`, ticket: `T-${n % 13}`, at: `2026-03-02T11:${String(n % 60).padStart(2, '0')}:00Z`, type: 'ticket.replied', by: 'analyst' });

function fileOf(lines: string[]): string {
  const file = join(tempDir(), 'events.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function stageTables(db: Database): Promise<unknown[]> {
  return query(db, "SELECT table_name FROM duckdb_tables() WHERE database_name = 'prazo_stage'");
}

test('batches are committed in order with their own counts, progress after each, and no table of lines is left', async () => {
  const db = await freshDatabase();
  try {
    // Batches of 100 lines: the third holds a reject and a repeat of an id of the first.
    const lines = Array.from({ length: 450 }, (_, n) => line(n));
    lines[250] = '{"id":"bad","ticket":"T-1","at":"ontem","type":"ticket.replied","by":"analyst"}';
    lines[260] = line(5);
    const writer = await EventWriter.open(db, { source: 's', origin: 'f', format: 'ndjson' });
    const progress: number[] = [];
    await writeNdjsonSetwise(writer, fileOf(lines), { origin: 'f', batchSize: 100, pieceBytes: 1500, onProgress: (done) => progress.push(done) });
    const totals = await writer.finish();
    expect(totals).toMatchObject({ read: 450, accepted: 448, duplicates: 1, rejected: 1 });
    expect(progress).toHaveLength(5);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(await query(db, 'SELECT position::INTEGER AS position, reason FROM rejects')).toEqual([{ position: 251, reason: 'invalid_timestamp' }]);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 448 }]);
    expect(await stageTables(db)).toEqual([]);
  } finally {
    db.close();
  }
});

test('a batch that fails stops the import with its error: earlier batches stay, later ones are not written, nothing is left behind', async () => {
  const db = await freshDatabase();
  try {
    const writer = await EventWriter.open(db, { source: 's', origin: 'f', format: 'ndjson' });
    const commit = writer.commitStaged.bind(writer);
    let calls = 0;
    writer.commitStaged = async (...args) => {
      if (++calls === 2) throw new Error('disk full (injected)');
      return commit(...args);
    };
    const file = fileOf(Array.from({ length: 500 }, (_, n) => line(n)));
    await expect(writeNdjsonSetwise(writer, file, { origin: 'f', batchSize: 100, pieceBytes: 1500 })).rejects.toThrow('disk full (injected)');
    await writer.finish(new Error('disk full (injected)'));
    expect(calls).toBe(2);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 100 }]);
    expect(await query(db, 'SELECT status FROM ingest_runs')).toEqual([{ status: 'failed' }]);
    expect(await stageTables(db)).toEqual([]);
  } finally {
    db.close();
  }
});
