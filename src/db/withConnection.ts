import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from './openDatabase.js';

/** Runs `work` on a fresh connection, closed afterwards whatever happens. */
export async function withConnection<T>(db: Database, work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const c = await db.connect();
  try {
    return await work(c);
  } finally {
    c.closeSync();
  }
}

/** Runs `work` inside BEGIN … COMMIT, rolling back on any error. */
export async function inTransaction<T>(c: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await c.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await c.run('COMMIT');
    return result;
  } catch (error) {
    await c.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** SQL text rendering a TIMESTAMPTZ column as an ISO instant in UTC (or NULL). */
export const isoSql = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`;
