import type { DuckDBConnection } from '@duckdb/node-api';
import type { Caller } from '../access/roles.js';
import { appendAudit } from '../db/appendAudit.js';
import type { Database } from '../db/openDatabase.js';
import { inTransaction, withConnection } from '../db/withConnection.js';

export interface ReportRow {
  id: number;
  kind: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  path: string;
  bytes: number;
  sha256: string;
  pages: number;
  generatedAt: string;
}

export type NewReport = Omit<ReportRow, 'id'>;

const COLUMNS = `id::INTEGER AS id, kind, period, strftime(period_start AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS period_start,
  strftime(period_end AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS period_end, path, bytes::DOUBLE AS bytes, sha256, pages,
  strftime(generated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS generated_at`;

function toRow(r: Record<string, unknown>): ReportRow {
  return {
    id: Number(r.id), kind: String(r.kind), period: String(r.period), periodStart: String(r.period_start), periodEnd: String(r.period_end),
    path: String(r.path), bytes: Number(r.bytes), sha256: String(r.sha256), pages: Number(r.pages), generatedAt: String(r.generated_at),
  };
}

async function selectReports(db: Database, where: string, params: Record<string, string | number>, limit = 1000): Promise<ReportRow[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(`SELECT ${COLUMNS} FROM reports WHERE ${where} ORDER BY period_start DESC, id DESC LIMIT ${Math.max(1, Math.min(1000, Math.trunc(limit)))}`, params))
      .getRowObjectsJS()
      .map(toRow);
  } finally {
    c.closeSync();
  }
}

/** The report of `kind` for `period` (e.g. weekly, 2026-W47), if one was generated. */
export async function findReport(db: Database, kind: string, period: string): Promise<ReportRow | undefined> {
  return (await selectReports(db, 'kind = $kind AND period = $period', { kind, period }))[0];
}

export async function getReport(db: Database, id: number): Promise<ReportRow | undefined> {
  return (await selectReports(db, 'id = $id', { id }))[0];
}

/** The archive, newest period first. */
export async function listReports(db: Database, limit = 200): Promise<ReportRow[]> {
  return selectReports(db, 'true', {}, limit);
}

/**
 * Records a generated report. Keyed by (kind, period): when a row for the period already exists
 * the new one is not inserted and the existing row is returned with `created: false`.
 */
export async function insertReport(db: Database, report: NewReport): Promise<{ report: ReportRow; created: boolean }> {
  const c = await db.connect();
  try {
    const inserted = await runInsert(c, report).catch(async (error: Error) => {
      // A concurrent job committed the same (kind, period) first: DuckDB reports a conflict.
      if (/conflict|duplicate|unique/i.test(error.message) && (await findReport(db, report.kind, report.period))) return [];
      throw error;
    });
    const row = await findReport(db, report.kind, report.period);
    return { report: row!, created: inserted.length > 0 };
  } finally {
    c.closeSync();
  }
}

async function runInsert(c: DuckDBConnection, report: NewReport): Promise<unknown[]> {
  return (await c.runAndReadAll(
      `INSERT INTO reports (kind, period, period_start, period_end, path, bytes, sha256, pages, generated_at)
       VALUES ($kind, $period, $start::TIMESTAMPTZ, $end::TIMESTAMPTZ, $path, $bytes, $sha256, $pages, $generated::TIMESTAMPTZ)
       ON CONFLICT (kind, period) DO NOTHING RETURNING id::INTEGER`,
      {
        kind: report.kind, period: report.period, start: report.periodStart, end: report.periodEnd, path: report.path,
        bytes: report.bytes, sha256: report.sha256, pages: report.pages, generated: report.generatedAt,
      },
  )).getRows();
}

/**
 * Replaces the archived file of a report (regenerated with --force): same id, so its deliveries
 * keep their rows and sent ones are not sent again. Audits `report.regenerate` as `caller`.
 */
export async function replaceReportFile(
  db: Database,
  id: number,
  file: Pick<ReportRow, 'path' | 'bytes' | 'sha256' | 'pages' | 'generatedAt'>,
  caller: Caller,
): Promise<ReportRow> {
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      await c.run(
        `UPDATE reports SET path = $path, bytes = $bytes, sha256 = $sha256, pages = $pages, generated_at = $generated::TIMESTAMPTZ WHERE id = $id`,
        { id, path: file.path, bytes: file.bytes, sha256: file.sha256, pages: file.pages, generated: file.generatedAt },
      );
      await appendAudit(c, caller, { action: 'report.regenerate', target: String(id), detail: { sha256: file.sha256, pages: file.pages } });
    }),
  );
  return (await getReport(db, id))!;
}
