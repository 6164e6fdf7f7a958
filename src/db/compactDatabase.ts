import { existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { type Database, openDatabase, STORAGE_VERSION } from './openDatabase.js';

export interface CompactResult {
  path: string;
  /** The file as it was, kept beside the new one: delete it once Prazo has started on the new file. */
  backup: string;
  bytesBefore: number;
  bytesAfter: number;
  /** Tables copied, each with as many rows as before. */
  tables: number;
  /** The storage format the file was in (new files: STORAGE_VERSION). */
  formatBefore: string;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Rewrites a database file into a new one in STORAGE_VERSION's format: DuckDB never shrinks a file
 * (what a migration that rebuilt a table freed stays inside it), and a file keeps the storage format
 * it was created in (a file from before Prazo chose v1.3.0 stores events ~30% slower). The file is
 * brought up to date first (migrations), copied whole with DuckDB's COPY FROM DATABASE — tables with
 * their rules and column compressions, views, macros, types, sequences where they stood — and each
 * table's rows counted on both sides. Only then does the new file take the path (an atomic rename);
 * the old one stays as `<path>.before-compact`. Anything going wrong before that leaves the file as it
 * was. The file must not be held by another process (a running server): openDatabase says which.
 */
export async function compactDatabase(path: string): Promise<CompactResult> {
  const target = `${path}.compacting`;
  const backup = `${path}.before-compact`;
  if (existsSync(backup)) throw new Error(`${backup} exists (a compaction's backup): delete or move it first`);
  for (const leftover of [target, `${target}.wal`]) rmSync(leftover, { force: true });
  const bytesBefore = statSync(path).size;
  const db = await openDatabase(path);
  let tables: number;
  let formatBefore: string;
  try {
    ({ tables, formatBefore } = await copyInto(db, target));
  } catch (error) {
    for (const leftover of [target, `${target}.wal`]) rmSync(leftover, { force: true });
    throw error;
  } finally {
    db.close();
  }
  // A write-ahead log left beside the old file would be replayed into the new one.
  if (existsSync(`${path}.wal`)) {
    rmSync(target, { force: true });
    throw new Error(`${path}.wal is still there after closing the database; nothing was changed`);
  }
  // The old file gets a second name, then the new one takes the path in one step: at no moment is
  // there no database at the path.
  linkSync(path, backup);
  renameSync(target, path);
  return { path, backup, bytesBefore, bytesAfter: statSync(path).size, tables, formatBefore };
}

async function copyInto(db: Database, target: string): Promise<{ tables: number; formatBefore: string }> {
  const c = await db.connect();
  try {
    await c.run('CHECKPOINT');
    const name = String((await c.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);
    const formatBefore = String(
      (await c.runAndReadAll('SELECT tags[\'storage_version\'] FROM duckdb_databases() WHERE database_name = $name', { name })).getRows()[0]?.[0] ?? 'unknown',
    );
    await c.run(`ATTACH ${literal(target)} AS prazo_compact (STORAGE_VERSION '${STORAGE_VERSION}')`);
    try {
      await c.run(`COPY FROM DATABASE ${ident(name)} TO prazo_compact`);
      const names = (await c.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE database_name = $name AND schema_name = \'main\' ORDER BY 1', { name }))
        .getRows()
        .map(([table]) => String(table));
      for (const table of names) {
        const [before, after] = (
          await c.runAndReadAll(`SELECT (SELECT count(*) FROM ${ident(name)}.main.${ident(table)})::DOUBLE, (SELECT count(*) FROM prazo_compact.main.${ident(table)})::DOUBLE`)
        ).getRows()[0] as [number, number];
        if (before !== after) throw new Error(`table ${table}: ${before} rows, ${after} in the copy; nothing was changed`);
      }
      await c.run('CHECKPOINT prazo_compact');
      return { tables: names.length, formatBefore };
    } finally {
      await c.run('DETACH prazo_compact');
    }
  } finally {
    c.closeSync();
  }
}
