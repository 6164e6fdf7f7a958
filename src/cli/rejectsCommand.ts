import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions } from './options.js';

export const REJECTS_HELP = `prazo rejects [--source NAME] [--limit N] [--db PATH]

  The lines imports refused, newest run first, as JSON lines:
  {"source","origin","position","reason","message","raw","rejected_at","run_id"}.

  --source NAME  only that source's rejects
  --limit N      at most N lines (default 100)
  --db PATH      DuckDB file (or PRAZO_DB; default data/prazo.duckdb)`;

/** `prazo rejects [--source S] [--limit N]`: rejects as JSON lines, newest run first. */
export async function runRejectsCommand(argv: string[], write: (line: string) => void): Promise<void> {
  const { values } = parseOptions(argv, { source: { type: 'string' }, limit: { type: 'string' } });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: expected a whole number ≥ 1 (got "${values.limit}")`);
  const db = await openForCli(values.db);
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT source, origin, position::BIGINT::DOUBLE AS position, reason, message, raw,
              strftime(rejected_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS rejected_at, run_id::DOUBLE AS run_id
       FROM rejects WHERE $source IS NULL OR source = $source
       ORDER BY run_id DESC, origin, position LIMIT $limit`,
      { source: (values.source as string | undefined) ?? null, limit },
    );
    for (const row of reader.getRowObjectsJson()) write(JSON.stringify(row));
  } finally {
    c.closeSync();
    db.close();
  }
}
