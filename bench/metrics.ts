/**
 * Metrics benchmark: 1,000,000 tickets / ~6,000,000 events generated straight into DuckDB with SQL
 * (generate_series; not through the ingest pipeline), then, from the same run:
 *  - full recompute (events → ticket_sla written), in seconds;
 *  - a plain scan of the events table (SELECT sum(epoch(occurred_at)) FROM events) and the ratio;
 *  - an incremental recompute after a 1,000-event batch touching existing and new tickets;
 *  - the heaviest dashboard query (solution_compliance by week × severity over the two years)
 *    through queryMetric, the median of 5 runs after a warm-up;
 *  - peak RSS of the process.
 *
 *   npm run bench:metrics            (BENCH_TICKETS=100000 for a quick run)
 *
 * The generated database is built once (in a child process) into bench/out/metrics-<tickets>.duckdb
 * and copied for each run.
 * Human-readable lines on stderr; the last stdout line is one JSON object:
 * {"tickets":…,"full_recompute_s":…,"scan_s":…,"ratio":…,"incremental_ms":…,"query_ms":…,"peak_rss_mb":…}
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Database, openDatabase } from '../src/db/openDatabase.js';
import { createCalendars } from '../src/metrics/calendar/createCalendars.js';
import { preparePseudonymKey } from '../src/metrics/pseudonymize.js';
import { queryMetric } from '../src/metrics/registry/queryMetric.js';
import { recomputeTickets } from '../src/metrics/recomputeTickets.js';
import { loadPolicy } from '../src/policy/loadPolicy.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const OUT = join(import.meta.dirname, 'out');
const NOW = Date.parse('2027-01-01T00:00:00-03:00');
const log = (...parts: unknown[]) => console.error(...parts);

/** A uniform number in [0, 1) from the ticket number and a salt, in SQL. */
const rnd = (salt: number) => `((hash(i, ${salt}) % 1000000)::DOUBLE / 1000000)`;
/** A log-uniform delay in whole seconds between lo and hi, as an INTERVAL. */
const delay = (salt: number, lo: number, hi: number) =>
  `to_seconds(round(exp(ln(${lo}) + ${rnd(salt)} * (ln(${hi}) - ln(${lo}))))::BIGINT)`;

/**
 * Tickets opened uniformly over 2025–2026 (São Paulo), 10 % urgente, 20 % alta, 40 % média, 30 %
 * baixa; each opened, assigned, put in progress, half of them paused once, resolved and closed
 * (approved, or auto for one in five). Tickets whose close falls after NOW are still open. Events
 * are inserted in time order, as they would arrive.
 */
async function generate(c: DuckDBConnection, n: number): Promise<void> {
  await c.run(`CREATE TEMP TABLE gen AS
    SELECT i, 'T' || lpad(i::VARCHAR, 8, '0') AS ticket,
      TIMESTAMPTZ '2025-01-01 03:00:00+00' + to_seconds(floor(${rnd(1)} * 730 * 86400)::BIGINT) AS opened,
      CASE WHEN ${rnd(2)} < 0.1 THEN 'urgente' WHEN ${rnd(2)} < 0.3 THEN 'alta' WHEN ${rnd(2)} < 0.7 THEN 'media' ELSE 'baixa' END AS severity,
      ${delay(3, 60, 4 * 3600)} AS d_response,
      ${rnd(4)} < 0.5 AS paused,
      ${delay(5, 300, 86400)} AS d_work,
      ${delay(6, 600, 3 * 86400)} AS d_pause,
      ${delay(7, 600, 3 * 86400)} AS d_solve,
      ${delay(8, 3600, 5 * 86400)} AS d_close,
      CASE WHEN ${rnd(9)} < 0.2 THEN 'auto' ELSE 'approved' END AS close_reason
    FROM range(${n}) t(i)`);
  const columns = 'source, id, ticket, occurred_at, type, severity, status, reason, analyst, client, requester, channel, gut_g, gut_u, gut_t, raw, run_id';
  const status = (suffix: string, at: string, value: string, where = 'true', reason = 'NULL') =>
    `SELECT 'bench', ticket || '${suffix}', ticket, ${at}, 'ticket.status_changed', NULL, '${value}', ${reason}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', 1 FROM gen WHERE ${where}`;
  const worked = 'opened + d_response + d_work';
  const solved = `${worked} + CASE WHEN paused THEN d_pause ELSE INTERVAL 0 SECOND END + d_solve`;
  await c.run(`INSERT INTO events (${columns})
    SELECT * FROM (
      SELECT 'bench', ticket || ':o', ticket, opened, 'ticket.opened', severity, NULL, NULL, NULL, 'Cliente ' || (i % 500),
        'user' || (hash(i, 11) % 50000) || '@cliente.com.br', 'email',
        CASE WHEN i % 2 = 0 THEN 1 + i % 5 END, CASE WHEN i % 2 = 0 THEN 1 + i % 3 END, CASE WHEN i % 2 = 0 THEN 1 + i % 4 END, '{}', 1 FROM gen
      UNION ALL SELECT 'bench', ticket || ':a', ticket, opened + INTERVAL 2 MINUTE, 'ticket.assigned', NULL, NULL, NULL,
        'analista' || (i % 40), NULL, NULL, NULL, NULL, NULL, NULL, '{}', 1 FROM gen
      UNION ALL ${status(':s1', 'opened + d_response', 'em_atendimento')}
      UNION ALL ${status(':s2', worked, 'aguardando_cliente', 'paused')}
      UNION ALL ${status(':s3', `${worked} + d_pause`, 'em_atendimento', 'paused')}
      UNION ALL ${status(':s4', solved, 'resolvido')}
      UNION ALL ${status(':s5', `${solved} + d_close`, 'fechado', 'true', 'close_reason')}
    ) AS e(${columns}) WHERE occurred_at < make_timestamptz(${NOW * 1000}::BIGINT)
    ORDER BY occurred_at`);
  await c.run('DROP TABLE gen');
  await c.run('DELETE FROM changed_tickets');
}

/** Builds the generated database at `path` (run in a child process, so its memory is not the bench's). */
async function generateChild(n: number, path: string): Promise<void> {
  const start = performance.now();
  const building = `${path}.building`;
  rmSync(building, { force: true });
  rmSync(`${building}.wal`, { force: true });
  const db = await openDatabase(building);
  const c = await db.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    await generate(c, n);
    await c.run('CHECKPOINT');
  } finally {
    c.closeSync();
    db.close();
  }
  renameSync(building, path);
  log(`generated in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

/** A copy of the generated database (built once into bench/out) of this run's own. */
function prepare(n: number): string {
  mkdirSync(OUT, { recursive: true });
  const pristine = join(OUT, `metrics-${n}.duckdb`);
  if (!existsSync(pristine)) {
    log(`generating ${n} tickets into ${pristine} …`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--generate', String(n), pristine], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error('generating the benchmark database failed');
  }
  const work = join(OUT, `metrics-${n}-${process.pid}.duckdb`);
  copyFileSync(pristine, work);
  return work;
}

/**
 * A 1,000-event ingest batch as a live feed brings it: 900 events on 300 tickets opened in the last
 * 30 days (a reply, a pause, its end), 100 opening new tickets. `spread` picks the 300 tickets
 * among all two years instead: the event table is in arrival order, so their events are everywhere.
 */
async function ingestSmallBatch(db: Database, batch: number, spread: boolean): Promise<void> {
  const c = await db.connect();
  const now = `make_timestamptz(${NOW * 1000}::BIGINT)`;
  try {
    await c.run(`CREATE OR REPLACE TEMP TABLE touched AS
      SELECT ticket, row_number() OVER () - 1 AS k FROM (
        SELECT ticket FROM events
        WHERE type = 'ticket.opened' ${spread ? '' : `AND occurred_at > ${now} - INTERVAL 30 DAY`}
        ORDER BY hash(ticket, ${batch}) LIMIT 300)`);
    await c.run(`INSERT INTO events (source, id, ticket, occurred_at, type, severity, status, by_role, client, raw, run_id)
      SELECT 'bench', 'inc-${batch}-' || i, t.ticket, ${now} - to_seconds(7200 - 60 * (i % 3)),
        CASE i % 3 WHEN 0 THEN 'ticket.replied' ELSE 'ticket.status_changed' END, NULL,
        CASE i % 3 WHEN 1 THEN 'aguardando_cliente' WHEN 2 THEN 'em_atendimento' END, CASE WHEN i % 3 = 0 THEN 'analyst' END,
        NULL, '{}', ${batch}
      FROM range(900) r(i) JOIN touched t ON t.k = i // 3
      UNION ALL
      SELECT 'bench', 'inc-${batch}-new-' || i, 'N${batch}-' || i, ${now} - to_seconds(3600), 'ticket.opened', 'alta', NULL, NULL,
        'Cliente Novo', '{}', ${batch}
      FROM range(100) r(i)`);
    // changed_tickets is append-only (migration 008): ingest lists each ticket once per batch.
    await c.run(`INSERT INTO changed_tickets SELECT DISTINCT ticket, current_timestamp FROM events WHERE run_id = ${batch}`);
  } finally {
    c.closeSync();
  }
}

async function timeScan(db: Database): Promise<number> {
  const c = await db.connect();
  try {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const start = performance.now();
      await c.runAndReadAll('SELECT sum(epoch(occurred_at)) FROM events');
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    return best;
  } finally {
    c.closeSync();
  }
}

/** solution_compliance by week × severity over 2025–2026, as leadership's dashboard asks for it. */
async function timeDashboardQuery(db: Database): Promise<{ ms: number; rows: number }> {
  const caller = { role: 'leadership', actor: 'system:bench' } as const;
  const query = { name: 'solution_compliance', from: '2025-01-01', to: '2027-01-01', by: ['week', 'severity'] } as const;
  let rows = (await queryMetric(db, caller, query)).rows.length; // warm-up
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const start = performance.now();
    rows = (await queryMetric(db, caller, query)).rows.length;
    times.push(performance.now() - start);
  }
  return { ms: times.sort((a, b) => a - b)[2]!, rows };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const path = prepare(TICKETS);
  const policy = loadPolicy();
  // Calendar tables are built once per process (a server keeps them); build them before timing.
  const calendars = createCalendars(policy);
  for (const calendar of calendars.values()) calendar.ensureRange(Date.UTC(2024, 0, 1), NOW);
  const pseudonymKey = preparePseudonymKey('bench-key');
  const db = await openDatabase(path);
  try {
    const events = await (async () => {
      const c = await db.connect();
      try {
        return Number((await c.runAndReadAll('SELECT count(*)::DOUBLE FROM events')).getRows()[0]![0]);
      } finally {
        c.closeSync();
      }
    })();
    log(`${TICKETS} tickets, ${events} events`);
    const full = await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey, calendars });
    log(`full recompute: ${full.tickets} tickets in ${full.seconds.toFixed(3)} s`);
    const scan = await timeScan(db);
    log(`scan of events: ${scan.toFixed(3)} s (ratio ${(full.seconds / scan).toFixed(1)})`);
    await ingestSmallBatch(db, 2, false);
    const incremental = await recomputeTickets(db, policy, { now: NOW, pseudonymKey, calendars });
    log(`incremental recompute after 1,000 events on recent tickets: ${incremental.tickets} tickets in ${(incremental.seconds * 1000).toFixed(1)} ms`);
    await ingestSmallBatch(db, 3, true);
    const spread = await recomputeTickets(db, policy, { now: NOW, pseudonymKey, calendars });
    log(`(1,000 events on tickets spread over two years: ${spread.tickets} tickets in ${(spread.seconds * 1000).toFixed(1)} ms)`);
    const dashboard = await timeDashboardQuery(db);
    log(`solution_compliance by week × severity over two years: ${dashboard.rows} rows in ${dashboard.ms.toFixed(1)} ms`);
    const peak = process.resourceUsage().maxRSS / 1024;
    log(`peak RSS ${peak.toFixed(0)} MB`);
    process.stdout.write(
      `${JSON.stringify({
        tickets: full.tickets,
        full_recompute_s: round(full.seconds, 3),
        scan_s: round(scan, 4),
        ratio: round(full.seconds / scan, 1),
        incremental_ms: round(incremental.seconds * 1000, 1),
        query_ms: round(dashboard.ms, 1),
        peak_rss_mb: Math.round(peak),
      })}\n`,
    );
  } finally {
    db.close();
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }
}

if (process.argv[2] === '--generate') await generateChild(Number(process.argv[3]), process.argv[4]!);
else await main();
