import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ingest');

export function tempDir(prefix = 'prazo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh DuckDB file in a temp dir, migrated. */
export async function freshDatabase(): Promise<Database> {
  return openDatabase(join(tempDir(), 'prazo.duckdb'));
}

/** Rows of a query as plain JSON objects (BIGINT as text, timestamps as text). */
export async function query(db: Database, sql: string, params: Record<string, string | number | null> = {}) {
  const c = await db.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    return (await c.runAndReadAll(sql, params)).getRowObjectsJson();
  } finally {
    c.closeSync();
  }
}
