import { chmodSync, chownSync, existsSync, linkSync, realpathSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Database, openDatabase, STORAGE_VERSION } from './openDatabase.js';
import { quoteIdent, quoteLiteral } from './sqlText.js';

export interface CompactResult {
  /** The database file (a symlink's target: the file itself is rewritten, the link left as it was). */
  path: string;
  /** The file as it was, kept beside the new one: delete it once Prazo has started on the new file. */
  backup: string;
  /** The file's size once brought up to date (migrations, write-ahead log), and the new file's. */
  bytesBefore: number;
  bytesAfter: number;
  /** Tables copied, each with as many rows as before. */
  tables: number;
  /** The storage format the file was in (new files: STORAGE_VERSION). */
  formatBefore: string;
}

const COPY = 'prazo_compact';

/**
 * What must be the same in both databases (`$db` names one): every table, view and sequence as
 * DuckDB prints it (a sequence with where it stands), the macros, the enum types and every constraint.
 */
const CATALOG = [
  "SELECT 'table', sql FROM duckdb_tables() WHERE database_name = $db",
  "SELECT 'view', sql FROM duckdb_views() WHERE database_name = $db AND NOT internal",
  "SELECT 'sequence', sql FROM duckdb_sequences() WHERE database_name = $db",
  "SELECT 'macro', function_name || '(' || array_to_string(parameters, ',') || ') ' || coalesce(macro_definition, '') FROM duckdb_functions() WHERE database_name = $db AND function_type IN ('macro', 'table_macro') AND NOT internal",
  "SELECT 'type', type_name || ' ' || logical_type || ' ' || coalesce(labels::VARCHAR, '') FROM duckdb_types() WHERE database_name = $db AND NOT internal",
  "SELECT 'constraint', table_name || ' ' || constraint_text FROM duckdb_constraints() WHERE database_name = $db",
].join(' UNION ALL ');

/**
 * Rewrites a database file into a new one in STORAGE_VERSION's format: DuckDB never shrinks a file
 * (what a migration that rebuilt a table freed stays inside it), and a file keeps the storage format
 * it was created in (a file from before Prazo chose v1.3.0 stores events ~30% slower). The file is
 * brought up to date first (migrations, its write-ahead log), then copied whole with DuckDB's COPY
 * FROM DATABASE — tables with their rules and column compressions, views, macros, types, sequences
 * where they stood — and the copy checked: the same catalog, the same rows in every table. Only then
 * does the new file, given the old one's mode and owner, take the path (an atomic rename); the old
 * one stays as `<path>.before-compact`. A failure before that removes the copy and leaves the file
 * as it was (up to date). The file must not be held by another process: stop the server, and
 * whatever restarts it, first.
 */
export async function compactDatabase(given: string): Promise<CompactResult> {
  const path = realpathSync(given);
  const target = `${path}.compacting`;
  const backup = `${path}.before-compact`;
  const removeCopy = () => {
    for (const leftover of [target, `${target}.wal`]) rmSync(leftover, { force: true });
  };
  if (existsSync(backup)) throw new Error(`${backup} exists (a compaction's backup): delete or move it first`);
  removeCopy(); // a copy an interrupted compaction left
  const db = await openDatabase(path);
  let copied: { tables: number; formatBefore: string };
  try {
    const free = statfsSync(dirname(path));
    const size = statSync(path).size;
    if (free.bavail * free.bsize < size) {
      throw new Error(`the copy needs about ${Math.ceil(size / 1e6)} MB free beside the file; ${Math.floor((free.bavail * free.bsize) / 1e6)} MB are`);
    }
    copied = await copyInto(db, target);
  } catch (error) {
    db.close();
    removeCopy();
    throw error;
  }
  db.close();
  const before = statSync(path);
  try {
    // A write-ahead log left beside the old file would be replayed into the new one.
    if (existsSync(`${path}.wal`)) throw new Error(`${path}.wal is still there after closing the database; nothing was changed`);
    chmodSync(target, before.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(target, before.uid, before.gid);
    // The old file gets a second name, then the new one takes the path in one step: at no moment is
    // there no database at the path.
    linkSync(path, backup);
  } catch (error) {
    removeCopy();
    throw error;
  }
  renameSync(target, path);
  return { path, backup, bytesBefore: before.size, bytesAfter: statSync(path).size, ...copied };
}

async function copyInto(db: Database, target: string): Promise<{ tables: number; formatBefore: string }> {
  const c = await db.connect();
  try {
    await c.run('CHECKPOINT');
    const name = String((await c.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);
    const formatBefore = String(
      (await c.runAndReadAll("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = $name", { name })).getRows()[0]?.[0] ?? 'unknown',
    );
    await c.run(`ATTACH ${quoteLiteral(target)} AS ${COPY} (STORAGE_VERSION '${STORAGE_VERSION}')`);
    try {
      await c.run(`COPY FROM DATABASE ${quoteIdent(name)} TO ${COPY}`);
      const tables = await checkCopy(c, name);
      await c.run(`CHECKPOINT ${COPY}`);
      return { tables, formatBefore };
    } finally {
      await c.run(`DETACH ${COPY}`);
    }
  } finally {
    c.closeSync();
  }
}

/** The copy holds the same catalog (CATALOG) and, in every table, as many rows as the database `name`; returns how many tables. */
async function checkCopy(c: DuckDBConnection, name: string): Promise<number> {
  const diff = async (a: string, b: string) =>
    (await c.runAndReadAll(`(${CATALOG.replaceAll('$db', '$a')}) EXCEPT ALL (${CATALOG.replaceAll('$db', '$b')})`, { a, b })).getRows().map((row) => row.join(' '));
  const missing = await diff(name, COPY);
  const extra = await diff(COPY, name);
  if (missing.length + extra.length > 0) {
    throw new Error(`the copy's schema differs (${[...missing.map((m) => `missing: ${m}`), ...extra.map((e) => `added: ${e}`)].slice(0, 3).join('; ')}); nothing was changed`);
  }
  const tables = (await c.runAndReadAll("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $name ORDER BY ALL", { name })).getRows();
  for (const [schema, table] of tables) {
    const relation = (db: string) => `${quoteIdent(db)}.${quoteIdent(String(schema))}.${quoteIdent(String(table))}`;
    const [before, after] = (await c.runAndReadAll(`SELECT (SELECT count(*) FROM ${relation(name)})::DOUBLE, (SELECT count(*) FROM ${relation(COPY)})::DOUBLE`)).getRows()[0] as [
      number,
      number,
    ];
    if (before !== after) throw new Error(`table ${String(table)}: ${before} rows, ${after} in the copy; nothing was changed`);
  }
  return tables.length;
}
