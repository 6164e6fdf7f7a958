import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { findReport, insertReport } from '../../src/reports/reportStore.js';
import { getPreviousWeek, parseReportWeek, type ReportWeek } from '../../src/reports/reportWeek.js';
import { startReportScheduler, type ReportScheduler } from '../../src/reports/startReportScheduler.js';
import type { Logger } from '../../src/reports/types.js';

const sp = (local: string) => Date.parse(`${local}-03:00`);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function tempDb(): Promise<{ db: Database; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'prazo-sched-'));
  const path = join(dir, 'prazo.duckdb');
  const db = await openDatabase(path);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => db.close());
  return { db, path };
}

/** A stand-in for the PDF job that records the report row (a real row, keyed by week). */
function recordingGenerate(db: Database, delayMs = 0) {
  const calls: string[] = [];
  const generate = async (week: ReportWeek) => {
    calls.push(week.id);
    await new Promise((r) => setTimeout(r, delayMs));
    return insertReport(db, {
      kind: 'weekly', period: week.id, periodStart: new Date(week.start).toISOString(), periodEnd: new Date(week.end).toISOString(),
      path: `/tmp/${week.id}.pdf`, bytes: 1, sha256: 'x', pages: 1, generatedAt: new Date().toISOString(),
    });
  };
  return { calls, generate };
}

function memoryLogger() {
  const lines: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: string) => (event: string, fields?: Record<string, unknown>) => lines.push({ level, event, fields });
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  return { lines, logger };
}

function manual(options: Parameters<typeof startReportScheduler>[0]): ReportScheduler {
  const scheduler = startReportScheduler({ schedule: false, ...options });
  cleanups.push(() => scheduler.stop());
  return scheduler;
}

describe('report weeks', () => {
  test.each([
    ['2026-W47', '2026-11-16', '2026-11-22', '2026-11-16T03:00:00.000Z'],
    ['2026-W01', '2025-12-29', '2026-01-04', '2025-12-29T03:00:00.000Z'],
    ['2026-W53', '2026-12-28', '2027-01-03', '2026-12-28T03:00:00.000Z'],
  ])('%s is %s to %s (Monday 00:00 in São Paulo)', (id, first, last, startIso) => {
    const week = parseReportWeek(id);
    expect([week.id, week.firstDay, week.lastDay, new Date(week.start).toISOString()]).toEqual([id, first, last, startIso]);
    expect(week.end - week.start).toBe(7 * 86_400_000);
  });

  test.each(['2027-W53', '2026-W00', '2026-47', 'W47'])('refuses %s', (text) => {
    expect(() => parseReportWeek(text)).toThrow(RangeError);
  });

  test('the previous week turns at Monday 00:00 São Paulo, not UTC', () => {
    expect(getPreviousWeek(sp('2026-11-22T23:59:00')).id).toBe('2026-W46');
    expect(getPreviousWeek(sp('2026-11-23T00:00:00')).id).toBe('2026-W47');
  });
});

describe('report scheduler', () => {
  test('the report of a week is due from its Monday 07:00 (São Paulo) on', async () => {
    const { db } = await tempDb();
    const scheduler = manual({ db, generate: async () => {} });
    expect(scheduler.getDueWeek(sp('2026-11-23T06:59:00')).id).toBe('2026-W46');
    expect(scheduler.getDueWeek(sp('2026-11-23T07:00:00')).id).toBe('2026-W47');
    expect(scheduler.getDueWeek(sp('2026-11-29T23:00:00')).id).toBe('2026-W47');
    const daily = manual({ db, generate: async () => {}, cron: '30 9 * * *' });
    expect(daily.getDueWeek(sp('2026-11-23T09:29:00')).id).toBe('2026-W46');
    expect(daily.getDueWeek(sp('2026-11-23T09:30:00')).id).toBe('2026-W47');
  });

  test('the Monday run fires once: later ticks of the same week find the report and do nothing', async () => {
    const { db } = await tempDb();
    const { calls, generate } = recordingGenerate(db);
    const { lines, logger } = memoryLogger();
    const scheduler = manual({ db, generate, logger });
    expect(await scheduler.runDueJobs(sp('2026-11-23T07:00:00'))).toEqual({ week: '2026-W47', status: 'generated' });
    for (const at of ['2026-11-23T07:00:00', '2026-11-23T08:00:00', '2026-11-27T12:00:00']) {
      expect(await scheduler.runDueJobs(sp(at))).toEqual({ week: '2026-W47', status: 'exists' });
    }
    expect(calls).toEqual(['2026-W47']);
    expect(lines.map((l) => l.event)).toEqual(['report_job_started', 'report_job_finished']);
    expect(lines[0]!.fields).toEqual({ job: 'weekly:2026-W47' });
    expect(await scheduler.runDueJobs(sp('2026-11-30T07:00:00'))).toEqual({ week: '2026-W48', status: 'generated' });
  });

  test('a restart after a missed Monday catches up once, and a second restart does nothing', async () => {
    const { db } = await tempDb();
    const { calls, generate } = recordingGenerate(db);
    // Up on 2026-11-16: W46 generated. Down over Monday 2026-11-23; back on Tuesday.
    await manual({ db, generate }).runDueJobs(sp('2026-11-16T07:00:00'));
    const tuesday = sp('2026-11-24T10:00:00');
    const restarted = startReportScheduler({ db, generate, clock: () => tuesday, cron: '0 7 * * 1' });
    cleanups.push(() => restarted.stop());
    expect(await restarted.caughtUp).toEqual({ week: '2026-W47', status: 'generated' });
    const again = startReportScheduler({ db, generate, clock: () => tuesday + 3_600_000 });
    cleanups.push(() => again.stop());
    expect(await again.caughtUp).toEqual({ week: '2026-W47', status: 'exists' });
    expect(calls).toEqual(['2026-W46', '2026-W47']);
    expect(await findReport(db, 'weekly', '2026-W47')).toBeDefined();
  });

  test('two runs for the same week at once produce one report', async () => {
    const { db } = await tempDb();
    const { calls, generate } = recordingGenerate(db, 50);
    const a = manual({ db, generate });
    const b = manual({ db, generate });
    const monday = sp('2026-11-23T07:00:00');
    const outcomes = await Promise.all([a.runDueJobs(monday), a.runDueJobs(monday), b.runDueJobs(monday)]);
    expect(outcomes.map((o) => o!.status).sort()).toEqual(['generated', 'generated', 'running']);
    const c = await db.connect();
    const count = Number((await c.runAndReadAll("SELECT count(*) FROM reports WHERE period = '2026-W47'")).getRows()[0]![0]);
    c.closeSync();
    expect(count).toBe(1);
    expect(calls.length).toBeLessThanOrEqual(2); // two schedulers may both start; the (kind, period) key keeps one row
  });

  test('a job past its timeout is logged as failed and the next run tries again', async () => {
    const { db } = await tempDb();
    const { lines, logger } = memoryLogger();
    let hang = true;
    const { generate: record } = recordingGenerate(db);
    const generate = (week: ReportWeek) => (hang ? new Promise<never>(() => {}) : record(week));
    const scheduler = manual({ db, generate, logger, timeoutMs: 50 });
    const monday = sp('2026-11-23T07:00:00');
    const failed = await scheduler.runDueJobs(monday);
    expect(failed).toMatchObject({ week: '2026-W47', status: 'failed' });
    expect(failed!.error).toMatch(/within 50 ms/);
    expect(lines.map((l) => `${l.level}:${l.event}`)).toEqual(['info:report_job_started', 'error:report_job_failed']);
    hang = false;
    expect(await scheduler.runDueJobs(monday + 60_000)).toEqual({ week: '2026-W47', status: 'generated' });
  });

  test('node-cron calls the tick on schedule', async () => {
    const { db } = await tempDb();
    let calls = 0;
    const generate = async () => {
      calls++;
      throw new Error('not this time');
    };
    const scheduler = startReportScheduler({ db, generate, cron: '* * * * * *', clock: () => sp('2026-11-23T08:00:00') });
    cleanups.push(() => scheduler.stop());
    await scheduler.caughtUp;
    expect(calls).toBe(1);
    await new Promise((r) => setTimeout(r, 1300));
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
