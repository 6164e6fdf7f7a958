import type { DuckDBConnection } from '@duckdb/node-api';
import { INSERT_RUN, INSERT_SOURCE } from './batchSql.js';
import type { BatchResult, WriterOptions } from './EventWriter.js';

// The rows of ingest_runs (and sources) an EventWriter writes.

/**
 * Adds the run's row in the caller's transaction, with its counts so far (its source's row too,
 * unless known); returns its id (`id`, or the next one when null).
 */
export async function insertRun(
  c: DuckDBConnection,
  options: WriterOptions,
  known: Set<string>,
  run: Omit<BatchResult, 'rejects'> & { id: number | null; finish: boolean },
): Promise<number> {
  if (!known.has(options.source)) await c.run(INSERT_SOURCE, { name: options.source, kind: options.sourceKind ?? options.format });
  const reader = await c.runAndReadAll(INSERT_RUN, { ...run, source: options.source, origin: options.origin, format: options.format });
  return Number(reader.getRows()[0]![0]);
}

export async function markRunFailed(c: DuckDBConnection, runId: number, error: unknown): Promise<void> {
  await c.run(`UPDATE ingest_runs SET finished_at = current_timestamp, status = 'failed', error = $error WHERE id = $runId`, {
    error: error instanceof Error ? error.message : String(error),
    runId,
  });
}
