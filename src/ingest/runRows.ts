import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api';
import { INSERT_RUN, INSERT_SOURCE } from './batchSql.js';
import type { Database } from '../db/openDatabase.js';
import type { BatchResult, WriterOptions } from './EventWriter.js';

// The rows of ingest_runs (and sources) an EventWriter writes.

/**
 * Sources known to have their row, by database: sources are never deleted, and one process owns
 * the database file, so a source stored once need not be inserted again by every run.
 */
const knownSources = new WeakMap<Database, Set<string>>();
export function getKnownSources(db: Database): Set<string> {
  let known = knownSources.get(db);
  if (!known) knownSources.set(db, (known = new Set()));
  return known;
}

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

/** The rows of runs finished in the caller's transaction (a group of writePreparedRuns), with their sources' rows. */
export async function insertFinishedRuns(
  c: DuckDBConnection,
  runs: { options: WriterOptions; counts: Omit<BatchResult, 'rejects'>; id: number }[],
  known: Set<string>,
): Promise<void> {
  for (const source of new Set(runs.filter((run) => !known.has(run.options.source)).map((run) => run.options.source))) {
    const run = runs.find((r) => r.options.source === source)!;
    await c.run(INSERT_SOURCE, { name: source, kind: run.options.sourceKind ?? run.options.format });
  }
  const column = <T extends DuckDBValue>(f: (run: (typeof runs)[number]) => T) => listValue(runs.map(f));
  await c.run(
    `INSERT INTO ingest_runs (id, source, origin, format, started_at, finished_at, status, read, accepted, duplicates, rejected)
     SELECT unnest($ids::BIGINT[]), unnest($sources::VARCHAR[]), unnest($origins::VARCHAR[]), unnest($formats::VARCHAR[]),
       current_timestamp, current_timestamp, 'done', unnest($reads::BIGINT[]), unnest($accepted::BIGINT[]),
       unnest($duplicates::BIGINT[]), unnest($rejected::BIGINT[])`,
    {
      ids: column((run) => BigInt(run.id)),
      sources: column((run) => run.options.source),
      origins: column((run) => run.options.origin),
      formats: column((run) => run.options.format),
      reads: column((run) => BigInt(run.counts.read)),
      accepted: column((run) => BigInt(run.counts.accepted)),
      duplicates: column((run) => BigInt(run.counts.duplicates)),
      rejected: column((run) => BigInt(run.counts.rejected)),
    },
  );
}
