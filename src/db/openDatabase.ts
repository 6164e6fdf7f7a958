import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DB_PATH = 'data/prazo.duckdb';
export const DEFAULT_MEMORY_LIMIT = '384MB';
const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The database file named by an option, else PRAZO_DB, else data/prazo.duckdb. */
export function resolveDbPath(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.PRAZO_DB ?? DEFAULT_DB_PATH;
}

/** DuckDB lets one process hold a file: say which process holds it and what to do instead. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `the database ${path} is in use by another process${holderPid ? ` (PID ${holderPid}${describeProcess(holderPid)})` : ''}. ` +
        'DuckDB allows one process per file: stop it, or send the work through the running server\'s HTTP API.',
    );
    this.name = 'DatabaseLockedError';
  }
}

function describeProcess(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return cmd ? `: ${cmd.length > 120 ? `${cmd.slice(0, 117)}…` : cmd}` : '';
  } catch {
    return '';
  }
}

export interface Database {
  readonly path: string;
  /** A new connection; close it (closeSync) in `finally`. One per concurrent unit of work. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/** The storage format new database files are written in (see instanceConfig). */
export const STORAGE_VERSION = 'v1.3.0';

/**
 * DuckDB's settings. Its default memory limit is 80% of the machine, and it keeps what it wrote
 * cached up to there: imports grew to several GB. PRAZO_DUCKDB_MEMORY_LIMIT (DuckDB's syntax,
 * e.g. 1GB) overrides the limit; what exceeds it spills to the database's .tmp folder. The
 * allocator settings return freed memory to the system after each task rather than keeping it.
 */
export function instanceConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    memory_limit: env.PRAZO_DUCKDB_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT,
    allocator_background_threads: 'true',
    allocator_flush_threshold: '16MB',
    allocator_bulk_deallocation_flush_threshold: '16MB',
    // Bulk ingest commits a batch at a time; a larger WAL before checkpointing keeps those
    // commits from rewriting the tables every few batches (EventWriter checkpoints on its own).
    checkpoint_threshold: '256MB',
    // The storage format of a new database file (an existing file keeps its own): DuckDB's default
    // stays readable by v0.10.2 and compresses each string column twice over (dictionary, then
    // FSST) to pick one; v1.3.0's single DICT_FSST analysis stores a batch of events ~30% faster
    // (bench/ingest.ts). Such a file needs DuckDB 1.3 or newer to be opened.
    storage_compatibility_version: STORAGE_VERSION,
  };
}

/** Opens (creating) the DuckDB file and applies pending migrations. */
export async function openDatabase(path: string = resolveDbPath(), env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, instanceConfig(env));
  } catch (error) {
    const message = (error as Error).message;
    if (/Could not set lock/.test(message)) {
      const pid = /PID (\d+)/.exec(message)?.[1];
      throw new DatabaseLockedError(path, pid ? Number(pid) : undefined);
    }
    throw error;
  }
  const connection = await instance.connect();
  try {
    await applyMigrations(connection);
  } finally {
    connection.closeSync();
  }
  return {
    path,
    connect: () => instance.connect(),
    close: () => instance.closeSync(),
  };
}

/** Applies src/db/migrations/NNN_name.sql in order, each once, each in its own transaction. */
export async function applyMigrations(connection: DuckDBConnection): Promise<string[]> {
  await connection.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
  );
  const done = new Set(
    (await connection.runAndReadAll('SELECT version FROM schema_migrations')).getRows().map((row) => Number(row[0])),
  );
  const applied: string[] = [];
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort()) {
    const version = Number(file.slice(0, 3));
    if (done.has(version)) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      await connection.run(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      await connection.run('INSERT INTO schema_migrations (version, name) VALUES ($version, $name)', { version, name: file });
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw new Error(`migration ${file} failed: ${(error as Error).message}`);
    }
    applied.push(file);
  }
  return applied;
}
