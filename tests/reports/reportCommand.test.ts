import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { type SeededDb, seedReportDb } from './reportFixture.js';
import { startTestSmtp, type TestSmtp } from './smtpHelpers.js';

let seeded: SeededDb;
let dbPath: string;
let smtp: TestSmtp;

async function run(...argv: string[]): Promise<{ code: number; lines: unknown[]; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)), stderr };
}

beforeAll(async () => {
  seeded = await seedReportDb();
  seeded.db.close(); // the command opens the file itself
  dbPath = join(seeded.dir, 'prazo.duckdb');
  smtp = await startTestSmtp();
  process.env.PRAZO_SMTP_URL = `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`;
  process.env.PRAZO_MAIL_FROM = 'Prazo <relatorios@prazo.test>';
  process.env.PRAZO_REPORTS_DIR = join(seeded.dir, 'archive');
}, 60_000);

afterAll(async () => {
  await smtp?.close();
  seeded?.cleanup();
});

describe('prazo recipients / prazo report weekly', () => {
  test('recipients add, list and remove', async () => {
    expect((await run('recipients', 'add', 'Diretoria@Exemplo.com.br', '--name', 'Diretoria', '--db', dbPath)).lines).toEqual([
      { email: 'diretoria@exemplo.com.br', name: 'Diretoria', active: true },
    ]);
    await run('recipients', 'add', 'ti@exemplo.com.br', '--db', dbPath);
    await run('recipients', 'add', 'antigo@exemplo.com.br', '--db', dbPath);
    expect((await run('recipients', 'remove', 'antigo@exemplo.com.br', '--db', dbPath)).lines).toEqual([{ email: 'antigo@exemplo.com.br', active: false }]);
    const removedAgain = await run('recipients', 'remove', 'antigo@exemplo.com.br', '--db', dbPath);
    expect(removedAgain.code).toBe(1);
    const list = await run('recipients', 'list', '--db', dbPath);
    expect(list.lines.map((r) => (r as { email: string }).email)).toEqual(['diretoria@exemplo.com.br', 'ti@exemplo.com.br']);
    const bad = await run('recipients', 'add', 'não-é-email', '--db', dbPath);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/e-mail inválido/);
  });

  test('renders, copies, queues and sends the week; a second run renders nothing', async () => {
    const out = join(seeded.dir, 'semana.pdf');
    const first = await run('report', 'weekly', '--week', '2026-W47', '--out', out, '--send', '--db', dbPath);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const line = first.lines[0] as { id: number; period: string; path: string; pages: number; created: boolean; deliveries: object };
    expect(line).toMatchObject({ id: 1, period: '2026-W47', path: out, created: true, deliveries: { queued: 2, sent: 2, retrying: 0, failed: 0 } });
    expect(execFileSync('pdfinfo', [out], { encoding: 'utf8' })).toContain(`Pages:           ${line.pages}`);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['diretoria@exemplo.com.br', 'ti@exemplo.com.br']);
    for (const mail of smtp.received) expect(Buffer.compare(mail.parsed.attachments[0]!.content, readFileSync(out))).toBe(0);

    const second = await run('report', 'weekly', '--week', '2026-W47', '--send', '--db', dbPath);
    expect(second.lines[0]).toMatchObject({ id: 1, created: false, deliveries: { queued: 0, sent: 0 } });
    expect(smtp.received).toHaveLength(2);
  });

  test('--force renders the week again in place: same id, new archived file, old one gone, no mail sent again, audited', async () => {
    const before = (await run('report', 'weekly', '--week', '2026-W47', '--db', dbPath)).lines[0] as { id: number; path: string };
    expect(existsSync(before.path)).toBe(true);
    const forced = await run('report', 'weekly', '--week', '2026-W47', '--force', '--send', '--db', dbPath);
    expect(forced.code).toBe(0);
    const line = forced.lines[0] as { id: number; path: string; pages: number; created: boolean };
    expect(line).toMatchObject({ id: before.id, created: true, deliveries: { queued: 0, sent: 0 } });
    expect(line.path).not.toBe(before.path);
    expect(existsSync(before.path)).toBe(false);
    expect(execFileSync('pdfinfo', [line.path], { encoding: 'utf8' })).toContain(`Pages:           ${line.pages}`);
    expect(smtp.received).toHaveLength(2);
    const after = (await run('report', 'weekly', '--week', '2026-W47', '--db', dbPath)).lines[0];
    expect(after).toMatchObject({ id: before.id, path: line.path, created: false });
    const db = await openDatabase(dbPath);
    try {
      const c = await db.connect();
      const audit = (await c.runAndReadAll("SELECT actor, target FROM audit_log WHERE action = 'report.regenerate'")).getRows();
      c.closeSync();
      expect(audit).toEqual([['system:cli', String(before.id)]]);
    } finally {
      db.close();
    }
  }, 60_000);

  test('a bad week is a usage error', async () => {
    const result = await run('report', 'weekly', '--week', '2026-47', '--db', dbPath);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--week: expected an ISO week like 2026-W47/);
  });
});
