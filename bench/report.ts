/**
 * Weekly report benchmark: the PDF of one week rendered from a database of BENCH_TICKETS tickets
 * (default 1,000,000; the events of bench/metrics.ts, with ticket_sla recomputed once and kept in
 * bench/out/report-<tickets>.duckdb).
 *  - cold: a new browser (launch included) rendering one week;
 *  - warm: the same browser rendering three other weeks (median);
 *  - browser peak RSS: the sum of VmRSS over Chromium's processes, sampled every 25 ms (PSS on stderr);
 *  - pages of the cold report.
 *
 *   npm run bench:report            (BENCH_TICKETS=100000 for a quick run)
 *
 * Human-readable lines on stderr; the last stdout line is one JSON object:
 * {"cold_s":…,"warm_s":…,"browser_peak_rss_mb":…,"pages":…}
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Database, openDatabase } from '../src/db/openDatabase.js';
import { preparePseudonymKey } from '../src/metrics/pseudonymize.js';
import { recomputeTickets } from '../src/metrics/recomputeTickets.js';
import { loadPolicy } from '../src/policy/loadPolicy.js';
import { createPdfRenderer } from '../src/reports/createPdfRenderer.js';
import { createWeeklyReportService } from '../src/reports/createWeeklyReportService.js';
import { parseReportWeek } from '../src/reports/reportWeek.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const OUT = join(import.meta.dirname, 'out');
const NOW = Date.parse('2027-01-01T00:00:00-03:00');
const log = (...parts: unknown[]) => console.error(...parts);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** bench/out/report-N.duckdb: the metrics bench's events with ticket_sla computed (built once). */
async function prepare(): Promise<string> {
  const path = join(OUT, `report-${TICKETS}.duckdb`);
  if (existsSync(path)) return path;
  const events = join(OUT, `metrics-${TICKETS}.duckdb`);
  if (!existsSync(events)) {
    log(`generating ${TICKETS} tickets with bench/metrics.ts …`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'metrics.ts'), '--generate', String(TICKETS), events], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('generating the events failed');
  }
  const building = `${path}.building`;
  copyFileSync(events, building);
  const started = performance.now();
  const db = await openDatabase(building);
  try {
    const result = await recomputeTickets(db, loadPolicy(), { full: true, now: NOW, pseudonymKey: preparePseudonymKey('bench-key') });
    log(`ticket_sla: ${result.tickets} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    db.close();
  }
  renameSync(building, path);
  return path;
}

/** Chromium's processes: the browser and its descendants, by parent pid from /proc. */
function sumMemoryMb(root: number): { rss: number; pss: number } {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  let rss = 0;
  let pss = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p && p !== root && p > 1) p = parent.get(p);
    if (p !== root) continue;
    try {
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      pss += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

async function clearReports(db: Database): Promise<void> {
  const c = await db.connect();
  try {
    await c.run('DELETE FROM reports');
  } finally {
    c.closeSync();
  }
}

async function main(): Promise<void> {
  const path = await prepare();
  const policy = loadPolicy();
  const db = await openDatabase(path);
  const archiveDir = mkdtempSync(join(tmpdir(), 'prazo-bench-report-'));
  const renderer = createPdfRenderer();
  let peak = 0;
  let peakPss = 0;
  const sampler = setInterval(() => {
    const pid = renderer.browserPid();
    if (!pid) return;
    const { rss, pss } = sumMemoryMb(pid);
    peak = Math.max(peak, rss);
    peakPss = Math.max(peakPss, pss);
  }, 25);
  const service = createWeeklyReportService({ db, policy, renderer, archiveDir, clock: () => NOW });
  try {
    await clearReports(db);
    let started = performance.now();
    const cold = await service.generate(parseReportWeek('2026-W50'));
    const coldS = (performance.now() - started) / 1000;
    log(`cold: ${coldS.toFixed(2)} s, ${cold.report.pages} pages, ${cold.report.bytes} bytes`);
    const warm: number[] = [];
    for (const week of ['2026-W49', '2026-W48', '2026-W47']) {
      started = performance.now();
      await service.generate(parseReportWeek(week));
      warm.push((performance.now() - started) / 1000);
    }
    warm.sort((a, b) => a - b);
    log(`warm: ${warm.map((s) => s.toFixed(2)).join(', ')} s (median ${warm[1]!.toFixed(2)})`);
    // RSS summed over processes counts the memory they share once per process; PSS splits it.
    log(`browser peak RSS (sum over its processes) ${peak.toFixed(0)} MB; peak PSS ${peakPss.toFixed(0)} MB`);
    await clearReports(db);
    process.stdout.write(`${JSON.stringify({ cold_s: round(coldS, 2), warm_s: round(warm[1]!, 2), browser_peak_rss_mb: Math.round(peak), pages: cold.report.pages })}\n`);
  } finally {
    clearInterval(sampler);
    await service.close();
    await renderer.close();
    db.close();
    rmSync(archiveDir, { recursive: true, force: true });
  }
}

await main();
