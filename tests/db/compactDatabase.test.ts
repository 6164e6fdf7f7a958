import { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { compactDatabase } from '../../src/db/compactDatabase.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { createSourceToken } from '../../src/server/tokens.js';
import { query, tempDir } from '../ingest/helpers.js';

// prazo db compact: a database file rewritten into a new one (newest storage format, no free
// space kept), with everything in it, or left as it was.

const events = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const value = { id: `e-${from + i}`, ticket: `T-${(from + i) % 97}`, at: '2026-03-02T11:00:00Z', type: 'ticket.replied', by: 'analyst' };
    return { position: i + 1, raw: JSON.stringify(value), value };
  });

async function store(path: string, from: number, n: number): Promise<number> {
  const db = await openDatabase(path);
  try {
    const writer = await EventWriter.open(db, { source: 's', origin: `batch ${from}`, format: 'ndjson' });
    await writer.write(events(from, n));
    await writer.finish();
    return writer.runId;
  } finally {
    db.close();
  }
}

/** What a database holds, table by table, in a form two files can be compared by. */
async function contents(path: string) {
  const db = await openDatabase(path);
  try {
    return {
      events: await query(db, 'SELECT count(*)::INTEGER AS n, sum(hash(id || ticket || raw_keys))::VARCHAR AS h FROM events'),
      asSent: await query(db, "SELECT raw FROM events_as_sent WHERE id IN ('e-0', 'e-149999') ORDER BY id"),
      runs: await query(db, 'SELECT id::INTEGER AS id, source, origin, status, accepted::INTEGER AS accepted FROM ingest_runs ORDER BY id'),
      tokens: await query(db, 'SELECT id, source, token_hash FROM source_tokens ORDER BY id'),
      migrations: await query(db, 'SELECT version, name FROM schema_migrations ORDER BY version'),
      format: await query(db, "SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()"),
      compression: await query(
        db,
        "SELECT column_name AS c, string_agg(DISTINCT compression, ',') AS k FROM pragma_storage_info('events') WHERE column_name IN ('id', 'ticket') AND segment_type = 'VARCHAR' GROUP BY ALL ORDER BY 1",
      ),
    };
  } finally {
    db.close();
  }
}

describe('compactDatabase', () => {
  test('a file in DuckDB’s old format, grown by a rebuilt table, comes back smaller and in the new format, with everything in it', async () => {
    const path = join(tempDir(), 'old.duckdb');
    (await DuckDBInstance.create(path)).closeSync();
    await store(path, 0, 150_000);
    const db = await openDatabase(path);
    await createSourceToken(db, { source: 'hook' });
    // A table rebuilt, as migrations 009 and 011 do: DuckDB keeps the freed space in the file.
    await query(db, 'CREATE TABLE events_copy AS SELECT * FROM events');
    await query(db, 'DROP TABLE events_copy');
    await query(db, 'CHECKPOINT');
    db.close();
    const before = await contents(path);
    expect(before.format[0]!.v).not.toMatch(/^v1\.3/);

    const result = await compactDatabase(path);
    expect(result).toMatchObject({ path, backup: `${path}.before-compact`, formatBefore: before.format[0]!.v });
    expect(result.tables).toBeGreaterThan(15);
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore);
    expect(statSync(path).size).toBe(result.bytesAfter);
    expect(existsSync(`${path}.compacting`)).toBe(false);

    const after = await contents(path);
    expect({ ...after, format: undefined, compression: undefined }).toEqual({ ...before, format: undefined, compression: undefined });
    expect(after.format).toEqual([{ v: 'v1.3.0+' }]);
    expect(after.compression).toEqual([
      { c: 'id', k: 'Uncompressed' },
      { c: 'ticket', k: 'DICT_FSST' },
    ]);
    // Sequences go on where they stood: the next run takes the next id, and the events are still known.
    const next = await store(path, 149_990, 20);
    expect(next).toBe(Math.max(...before.runs.map((r) => Number(r.id))) + 1);
    const db2 = await openDatabase(path);
    try {
      expect(await query(db2, 'SELECT accepted::INTEGER AS a, duplicates::INTEGER AS d FROM ingest_runs WHERE id = $id', { id: next })).toEqual([{ a: 10, d: 10 }]);
    } finally {
      db2.close();
    }
    // The file as it was stays beside it.
    expect(statSync(result.backup).size).toBe(result.bytesBefore);
  }, 60_000);

  test('the new file keeps the old one’s mode; through a symlink, the file it points to is rewritten and the link kept', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'prazo.duckdb');
    await store(real, 0, 10);
    chmodSync(real, 0o600);
    const link = join(dir, 'prazo.duckdb');
    symlinkSync(real, link);
    const result = await compactDatabase(link);
    expect(result).toMatchObject({ path: real, backup: `${real}.before-compact` });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect((await contents(link)).runs).toHaveLength(1);
  });

  test('with a backup of an earlier compaction in the way it refuses, and changes nothing', async () => {
    const path = join(tempDir(), 'p.duckdb');
    await store(path, 0, 10);
    writeFileSync(`${path}.before-compact`, 'an earlier backup');
    const size = statSync(path).size;
    await expect(compactDatabase(path)).rejects.toThrow(/before-compact exists/);
    expect(statSync(path).size).toBe(size);
    expect(existsSync(`${path}.compacting`)).toBe(false);
  });
});

describe('prazo db compact', () => {
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };

  test('prints what it did as JSON, the backup on stderr', async () => {
    const path = join(tempDir(), 'p.duckdb');
    await store(path, 0, 10);
    const { code, stdout, stderr } = await run(['db', 'compact', '--db', path]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ path, backup: `${path}.before-compact`, tables: expect.any(Number), format_before: 'v1.3.0+' });
    expect(stderr).toContain(`${path}.before-compact`);
  });

  test('a path with no database, or an unknown subcommand: a clear message, nothing created', async () => {
    const path = join(tempDir(), 'none.duckdb');
    expect(await run(['db', 'compact', '--db', path])).toMatchObject({ code: 2, stderr: expect.stringContaining('no database file there') });
    expect(existsSync(path)).toBe(false);
    expect(await run(['db', 'shrink'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown db command "shrink"') });
    expect((await run(['db', '--help'])).stdout).toContain('prazo db compact');
  });
});
