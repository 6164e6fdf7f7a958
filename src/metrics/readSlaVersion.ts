import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import { withConnection } from '../db/withConnection.js';

/**
 * The version of ticket_sla's data: every recompute that commits rewrites ticket_sla_state's row, so
 * its (updated_at, events_seen) changes exactly when ticket_sla may have. 'never' before the first
 * recompute. What caches of anything read from ticket_sla key on (metric results, the pages' clients).
 */
export async function readSlaVersion(c: DuckDBConnection): Promise<string> {
  const row = (
    await c.runAndReadAll("SELECT coalesce(strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%f'), '') || '/' || coalesce(events_seen::VARCHAR, '') FROM ticket_sla_state WHERE id = 1")
  ).getRows()[0];
  return row ? String(row[0]) : 'never';
}

/**
 * A value derived from ticket_sla, kept until a recompute changes it: the version is read at most
 * every `ttlMs` of the caller's clock (again at once if the clock went back), the value loaded again
 * only when the version changed. Concurrent callers share one read; a failed read is not kept.
 */
export function cacheBySlaVersion<T>(db: Database, load: (c: DuckDBConnection) => Promise<T>, ttlMs = 1000): (now: number) => Promise<T> {
  let entry: { version: string; value: T; readAt: number } | undefined;
  let pending: Promise<T> | undefined;
  return (now) => {
    const age = entry === undefined ? undefined : now - entry.readAt;
    if (entry && age !== undefined && age >= 0 && age < ttlMs) return Promise.resolve(entry.value);
    pending ??= withConnection(db, async (c) => {
      // The version first: a recompute committing between the two reads leaves a version older than
      // the value, so the next read after the TTL loads it again rather than keeping a stale one.
      const version = await readSlaVersion(c);
      const value = entry !== undefined && entry.version === version ? entry.value : await load(c);
      entry = { version, value, readAt: now };
      return value;
    }).finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
