import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../src/access/roles.js';
import { listArchivedReports, readArchivedReport } from '../../src/reports/readArchivedReport.js';
import { addRecipient, listRecipients, removeRecipient } from '../../src/reports/recipients.js';
import type { ReportRow } from '../../src/reports/reportStore.js';
import { seedOutboxDb } from './outboxFixture.js';

let seeded: Awaited<ReturnType<typeof seedOutboxDb>>;
let report: ReportRow;
const as = (role: Role) => ({ role, actor: `${role}@prazo.test` });

beforeAll(async () => {
  seeded = await seedOutboxDb();
  report = seeded.report;
});
afterAll(() => {
  seeded.db.close();
  seeded.cleanup();
});

describe('report archive and recipients: leadership and admin only', () => {
  test.each(['leadership', 'admin'] as const)('%s lists and downloads the archived PDF', async (role) => {
    expect((await listArchivedReports(seeded.db, as(role))).map((r) => r.id)).toEqual([report.id]);
    const file = await readArchivedReport(seeded.db, as(role), report.id);
    expect(Buffer.compare(file.content, readFileSync(report.path))).toBe(0);
    expect(file.filename).toBe('relatorio-semanal-2026-W47.pdf');
  });

  test.each(['analyst', 'lead'] as const)('%s is refused the archive and the recipients', async (role) => {
    await expect(listArchivedReports(seeded.db, as(role))).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(readArchivedReport(seeded.db, as(role), report.id)).rejects.toMatchObject({ status: 403 });
    await expect(listRecipients(seeded.db, as(role))).rejects.toMatchObject({ status: 403 });
    await expect(addRecipient(seeded.db, as(role), { email: 'intruso@exemplo.com.br' })).rejects.toMatchObject({ status: 403 });
    await expect(removeRecipient(seeded.db, as(role), 'gerente@exemplo.com.br')).rejects.toMatchObject({ status: 403 });
    expect((await listRecipients(seeded.db, as('admin'))).map((r) => r.email)).not.toContain('intruso@exemplo.com.br');
  });

  test('an unknown report is 404; recipient changes are audited', async () => {
    await expect(readArchivedReport(seeded.db, as('admin'), 999)).rejects.toMatchObject({ status: 404, code: 'report_not_found' });
    const c = await seeded.db.connect();
    const rows = (await c.runAndReadAll("SELECT action, target FROM audit_log WHERE action LIKE 'recipient.%' ORDER BY id")).getRows();
    c.closeSync();
    expect(rows).toEqual([
      ['recipient.add', 'diretora@exemplo.com.br'],
      ['recipient.add', 'gerente@exemplo.com.br'],
      ['recipient.add', 'saiu@exemplo.com.br'],
    ]);
  });
});
