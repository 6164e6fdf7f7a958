/**
 * Ingest benchmark: 6,000,000 canonical events (1,000,000 tickets) as NDJSON and as Parquet,
 * each imported into a fresh DuckDB file by a child process of its own, so events/s and peak
 * RSS are the import's alone. A run at 1/6 of the size shows whether memory stays flat with file
 * size. HTTP ingest is measured with 1,000-event requests (4 in flight) against the real app,
 * served by a child process on 127.0.0.1, the client being this process.
 *
 *   npm run bench:ingest            (BENCH_EVENTS=600000 for a quick run)
 *
 * Beside each file import, its peer in the same run: DuckDB loading the same file unchecked
 * (floorChild), the bound a checked import works under on this machine.
 *
 * Human-readable lines on stderr; the last stdout line is one JSON object:
 * {"ndjson_events_per_s":…,"parquet_events_per_s":…,"http_events_per_s":…,"peak_rss_mb":…, …}
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { instanceConfig, openDatabase } from '../src/db/openDatabase.js';
import { ingestFiles } from '../src/ingest/ingestFile.js';
import '../src/ingest/readers/registerReaders.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 6_000_000);
/** Events sent over HTTP, in requests of HTTP_BATCH events, HTTP_CONCURRENCY at a time. */
const HTTP_EVENTS = Number(process.env.BENCH_HTTP_EVENTS ?? Math.min(200_000, Math.round(EVENTS / 6)));
const HTTP_BATCH = 1_000;
const HTTP_CONCURRENCY = 4;
const OUT = join(import.meta.dirname, 'out');
const SERVER_FILES = ['createApp.ts', 'routes/events.ts', 'tokens.ts'].map((f) => join(import.meta.dirname, '..', 'src', 'server', f));
const log = (...parts: unknown[]) => console.error(...parts);

/** One child run: import `file` into a fresh database and print {events_per_s, peak_rss_mb}. */
async function child(file: string, db: string): Promise<void> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  rmSync(`${db}.tmp`, { force: true, recursive: true });
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
 * The peer: DuckDB loading the same file into a table of the same typed columns (its own reader,
 * no checks, no raw text, no duplicates looked up), in a fresh database with Prazo's settings.
 * What a file import could reach if checking and keeping every event cost nothing.
 */
async function floorChild(file: string, db: string): Promise<void> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const instance = await DuckDBInstance.create(db, instanceConfig());
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  await c.run('SET preserve_insertion_order = false');
  const columns = `{id: 'VARCHAR', ticket: 'VARCHAR', "at": 'VARCHAR', type: 'VARCHAR', severity: 'VARCHAR', client: 'VARCHAR', channel: 'VARCHAR', "by": 'VARCHAR', status: 'VARCHAR'}`;
  const source = file.endsWith('.parquet') ? `read_parquet('${file}')` : `read_json('${file}', format = 'newline_delimited', columns = ${columns})`;
  const start = performance.now();
  await c.run(`CREATE TABLE events AS SELECT 'bench' AS source, id, ticket, "at"::TIMESTAMPTZ AS occurred_at, type, severity,
    status, "by" AS by_role, client, channel, 1 AS run_id FROM ${source}`);
  await c.run('CHECKPOINT');
  const seconds = (performance.now() - start) / 1000;
  const events = Number((await c.runAndReadAll('SELECT count(*)::DOUBLE FROM events')).getRows()[0]![0]);
  c.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify({ events, seconds, events_per_s: Math.round(events / seconds), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10 })}\n`);
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

/** A database of this run's own: two benchmarks running at once must not share one. */
const benchDb = () => join(OUT, `bench-${process.pid}.duckdb`);

function runChild(file: string, mode = '--child'): { events: number; seconds: number; events_per_s: number; peak_rss_mb: number } {
  const db = benchDb();
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, mode, file, db], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed for ${file}`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  rmSync(`${db}.tmp`, { force: true, recursive: true });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * The HTTP server child: a fresh database, a source token, `prazo serve`'s app on a free port of
 * 127.0.0.1. Prints {"port","token"}, serves until its stdin closes, then prints its peak RSS.
 */
async function httpChild(db: string): Promise<void> {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  rmSync(`${db}.tmp`, { force: true, recursive: true });
  const { createAdaptorServer } = await import('@hono/node-server');
  const { createApp, DEFAULT_MAX_BODY_BYTES } = await import('../src/server/createApp.js');
  const { createSourceToken } = await import('../src/server/tokens.js');
  const database = await openDatabase(db);
  const { token } = await createSourceToken(database, { source: 'bench-http' });
  const app = createApp({ db: database, config: { maxBodyBytes: DEFAULT_MAX_BODY_BYTES } });
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port, token })}\n`);
  process.stdin.resume();
  await once(process.stdin, 'end');
  await new Promise((resolve) => server.close(resolve));
  database.close();
  process.stdout.write(`${JSON.stringify({ peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10 })}\n`);
}

/** POSTs the first HTTP_EVENTS events of `file` to a server child, HTTP_CONCURRENCY requests at a time. */
async function runHttp(file: string): Promise<{ events: number; seconds: number; events_per_s: number; peak_rss_mb: number }> {
  const bodies: string[] = [];
  let lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lines.push(line);
    if (lines.length === HTTP_BATCH) {
      bodies.push(`${lines.join('\n')}\n`);
      lines = [];
      if (bodies.length * HTTP_BATCH >= HTTP_EVENTS) break;
    }
  }
  const db = benchDb();
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--http-child', db], { stdio: ['pipe', 'pipe', 'inherit'] });
  const output = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { port, token } = JSON.parse((await output.next()).value as string) as { port: number; token: string };
  let accepted = 0;
  let next = 0;
  const start = performance.now();
  const send = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
        body,
      });
      if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, send));
  const seconds = (performance.now() - start) / 1000;
  child.stdin!.end();
  const { peak_rss_mb } = JSON.parse((await output.next()).value as string) as { peak_rss_mb: number };
  await once(child, 'exit');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  rmSync(`${db}.tmp`, { force: true, recursive: true });
  const events = bodies.length * HTTP_BATCH;
  if (accepted !== events) throw new Error(`expected every event accepted over HTTP: ${accepted} of ${events}`);
  return { events, seconds, events_per_s: Math.round(events / seconds), peak_rss_mb };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  if (process.argv[2] === '--http-child') return httpChild(process.argv[3]!);
  if (process.argv[2] === '--floor-child') return floorChild(process.argv[3]!, process.argv[4]!);
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
    const floor = runChild(file, '--floor-child');
    log(`${format} peer, DuckDB loading the file unchecked: ${floor.events_per_s.toLocaleString('en')} events/s (Prazo at ${((100 * r.events_per_s) / floor.events_per_s).toFixed(0)}% of it)`);
    figures[`${format}_duckdb_load_events_per_s`] = floor.events_per_s;
  }
  const flat = runChild(small.ndjson);
  log(`ndjson at 1/6 size: peak RSS ${flat.peak_rss_mb} MB (memory flat in file size if close to the full run's)`);
  let http: number | null = null;
  if (SERVER_FILES.every((f) => existsSync(f))) {
    const r = await runHttp(small.ndjson);
    log(`http: ${r.events.toLocaleString('en')} events in ${r.seconds.toFixed(1)} s = ${r.events_per_s.toLocaleString('en')} events/s (${HTTP_BATCH} a request, ${HTTP_CONCURRENCY} at a time), server peak RSS ${r.peak_rss_mb} MB`);
    http = r.events_per_s;
  } else {
    log('http: skipped, the server (src/server/createApp.ts, routes/events.ts, tokens.ts) is not there');
  }
  log(`targets: NDJSON ≥ 300,000/s, Parquet ≥ 1,000,000/s, HTTP ≥ 50,000/s, peak RSS < 1 GB`);
  process.stdout.write(
    `${JSON.stringify({
      ndjson_events_per_s: figures.ndjson_events_per_s,
      parquet_events_per_s: figures.parquet_events_per_s,
      http_events_per_s: http,
      peak_rss_mb: peak,
      peak_rss_mb_at_one_sixth: flat.peak_rss_mb,
      ndjson_duckdb_load_events_per_s: figures.ndjson_duckdb_load_events_per_s,
      parquet_duckdb_load_events_per_s: figures.parquet_duckdb_load_events_per_s,
    })}\n`,
  );
}

await main();
