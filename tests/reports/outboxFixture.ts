import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { addRecipient } from '../../src/reports/recipients.js';
import { insertReport, type ReportRow } from '../../src/reports/reportStore.js';

export const ADMIN = { role: 'admin', actor: 'test' } as const;

/** A database with one archived report (random bytes as the file) and recipients. */
export async function seedOutboxDb(dir = mkdtempSync(join(tmpdir(), 'prazo-outbox-'))): Promise<{ db: Database; dir: string; report: ReportRow; dbPath: string; cleanup(): void }> {
  const dbPath = join(dir, 'prazo.duckdb');
  const db = await openDatabase(dbPath);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]);
  const path = join(dir, 'weekly-2026-W47-0123456789ab.pdf');
  writeFileSync(path, pdf);
  const { report } = await insertReport(db, {
    kind: 'weekly', period: '2026-W47', periodStart: '2026-11-16T03:00:00Z', periodEnd: '2026-11-23T03:00:00Z', path,
    bytes: pdf.byteLength, sha256: createHash('sha256').update(pdf).digest('hex'), pages: 2, generatedAt: '2026-11-23T10:00:00Z',
  });
  await addRecipient(db, ADMIN, { email: 'Diretora@Exemplo.com.br', name: 'Diretora' });
  await addRecipient(db, ADMIN, { email: 'gerente@exemplo.com.br' });
  await addRecipient(db, ADMIN, { email: 'saiu@exemplo.com.br' });
  return { db, dir, report, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
