/**
 * Server benchmark (issue 5): with BENCH_TICKETS tickets (default 1,000,000) generated and recomputed
 * as bench/metrics.ts does, the server runs in a child process (it alone holds the DuckDB file) and
 * autocannon drives 20 connections for 20 s at the API requests the Visão geral page makes (its
 * cards for the period and the previous one, the per-severity table and the six panels), with a
 * leadership personal token. Then the time to first byte of the `/` page itself.
 *
 *   npm run bench:server        (BENCH_TICKETS=20000 BENCH_SECONDS=5 for a quick run)
 *
 * Latency percentiles are exact, from every response time autocannon reports. Human-readable lines
 * on stderr; the last stdout line is one JSON object:
 * {"p50_ms","p95_ms","p99_ms","rps","errors","page_ttfb_ms"}
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { openDatabase } from '../src/db/openDatabase.js';
import { createCalendars } from '../src/metrics/calendar/createCalendars.js';
import { preparePseudonymKey } from '../src/metrics/pseudonymize.js';
import { recomputeTickets } from '../src/metrics/recomputeTickets.js';
import { loadPolicy } from '../src/policy/loadPolicy.js';
import { createPersonalToken } from '../src/server/auth/personalTokens.js';
import { createUser, generatePassword } from '../src/server/auth/users.js';
import { createApp, quietLogger } from '../src/server/createApp.js';
import { loadDashboard } from '../src/server/pages/renderDashboard.js';
import { OVERVIEW_CARDS } from '../src/server/pages/overviewPage.js';
import { defaultPeriod, previousPeriod, trendPeriod } from '../src/server/routes/readPeriod.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = 20;
const OUT = join(import.meta.dirname, 'out');
/** The clock of the generated data (bench/metrics.ts): tickets opened over 2025–2026. */
const NOW = Date.parse('2027-01-01T00:00:00-03:00');
const log = (...parts: unknown[]) => console.error(...parts);

type Autocannon = (options: Record<string, unknown>) => NodeJS.EventEmitter & PromiseLike<Record<string, unknown>>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** bench/out/metrics-<n>.duckdb (built by bench/metrics.ts --generate when missing), copied, recomputed. */
async function prepare(n: number): Promise<{ path: string; token: string }> {
  mkdirSync(OUT, { recursive: true });
  const pristine = join(OUT, `metrics-${n}.duckdb`);
  if (!existsSync(pristine)) {
    log(`generating ${n} tickets into ${pristine} …`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'metrics.ts'), '--generate', String(n), pristine], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('generating the benchmark database failed');
  }
  const path = join(OUT, `server-${n}-${process.pid}.duckdb`);
  copyFileSync(pristine, path);
  const policy = loadPolicy();
  const db = await openDatabase(path);
  try {
    const full = await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey: preparePseudonymKey('bench-key'), calendars: createCalendars(policy) });
    log(`recomputed ${full.tickets} tickets in ${full.seconds.toFixed(1)} s`);
    const email = 'bench-leadership@prazo.local';
    await createUser(db, { email, role: 'leadership', password: generatePassword(), name: 'Bench' });
    return { path, token: (await createPersonalToken(db, email)).token };
  } finally {
    db.close();
  }
}

/** Child process: serve the prepared database with the clock at NOW; print the port on stdout. */
async function serveChild(path: string): Promise<void> {
  const db = await openDatabase(path);
  const app = createApp({ db, logger: quietLogger, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  const server = createAdaptorServer({ fetch: app.fetch });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`));
  process.once('SIGTERM', () => server.close(() => (db.close(), process.exit(0))));
}

/** The API requests of one Visão geral view (default period), as the page makes them. */
export function overviewRequests(now: number): string[] {
  const period = defaultPeriod(now);
  const previous = previousPeriod(period)!;
  const q = (name: string, p: { from: string; to: string }, by: string[] = []) =>
    `/api/v1/metrics/${name}?from=${p.from}&to=${p.to}${by.length ? `&by=${by.join(',')}` : ''}`;
  const urls = [
    ...OVERVIEW_CARDS.flatMap((name) => [q(name, period), q(name, previous)]),
    q('response_compliance', period, ['severity']),
    q('solution_compliance', period, ['severity']),
  ];
  for (const panel of loadDashboard('overview').panels) urls.push(q(panel.metric, panel.range === 'trend' ? trendPeriod(period) : period, panel.by));
  return urls;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Time to the first byte of GET `path`, in ms. */
function timeToFirstByte(port: number, path: string, headers: Record<string, string>): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.once('data', () => {
        const ms = performance.now() - started;
        res.resume();
        res.on('end', () => resolve({ ms, status: res.statusCode ?? 0 }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const { path, token } = await prepare(TICKETS);
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--serve', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const headers = { Authorization: `Bearer ${token}` };
    const urls = overviewRequests(NOW);
    log(`server on port ${port}; ${urls.length} API requests per Visão geral view`);
    // One cold view first (nothing cached yet), one request after the other: what the first
    // visitor after a recompute waits for. Then the load, which the metric cache mostly answers.
    let cold = 0;
    for (const url of urls) {
      const { status, ms } = await timeToFirstByte(port, url, headers);
      if (status !== 200) throw new Error(`${url} answered ${status}`);
      log(`  cold ${ms.toFixed(1).padStart(8)} ms  ${url}`);
      cold += ms;
    }
    log(`cold Visão geral view: ${urls.length} requests in ${cold.toFixed(0)} ms in sequence`);
    const times: number[] = [];
    const instance = autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers,
      requests: urls.map((path) => ({ method: 'GET', path })),
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
    const result = (await instance) as { errors: number; timeouts: number; non2xx: number; duration: number; requests: { total: number } };
    times.sort((a, b) => a - b);
    const errors = result.errors + result.non2xx;
    const rps = result.requests.total / result.duration;
    log(`${result.requests.total} requests in ${result.duration.toFixed(1)} s: ${rps.toFixed(0)} req/s, ${errors} errors (${result.non2xx} non-2xx)`);
    const ttfb: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { ms, status } = await timeToFirstByte(port, '/', headers);
      if (status !== 200) throw new Error(`/ answered ${status}`);
      ttfb.push(ms);
    }
    ttfb.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    const summary = {
      p50_ms: round(percentile(times, 50)),
      p95_ms: round(percentile(times, 95)),
      p99_ms: round(percentile(times, 99)),
      rps: round(rps),
      errors,
      page_ttfb_ms: round(percentile(ttfb, 50)),
    };
    log(`latency p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, p99 ${summary.p99_ms} ms; page TTFB (median of 5) ${summary.page_ttfb_ms} ms`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }
}

if (process.argv[2] === '--serve') await serveChild(process.argv[3]!);
else await main();
