import { readFileSync } from 'node:fs';
import { AccessError, type Caller, forbidden, roleAtLeast } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { getReport, listReports, type ReportRow } from './reportStore.js';

function checkArchiveReader(caller: Caller): void {
  if (!roleAtLeast(caller.role, 'leadership')) throw forbidden('o arquivo de relatórios é só para liderança e administradores');
}

/** The report archive for the Relatórios page: leadership and admin; analysts and leads get 403. */
export async function listArchivedReports(db: Database, caller: Caller, limit = 200): Promise<ReportRow[]> {
  checkArchiveReader(caller);
  return listReports(db, limit);
}

/** One archived PDF with its row, for download: 403 below leadership, 404 for an unknown id. */
export async function readArchivedReport(db: Database, caller: Caller, id: number): Promise<{ report: ReportRow; content: Buffer; filename: string }> {
  checkArchiveReader(caller);
  const report = await getReport(db, id);
  if (!report) throw new AccessError(404, 'report_not_found', `relatório ${id} não encontrado`);
  let content: Buffer;
  try {
    content = readFileSync(report.path);
  } catch {
    throw new AccessError(404, 'report_file_missing', `o arquivo do relatório ${id} não está mais no arquivo (${report.path})`);
  }
  return { report, content, filename: `relatorio-semanal-${report.period}.pdf` };
}
