import type { DuckDBConnection } from '@duckdb/node-api';

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
