import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { DEMO_USERS } from '../../src/demo/demoUsers.js';
import { DEMO_SOURCE } from '../../src/demo/seedDemo.js';

const dir = mkdtempSync(join(tmpdir(), 'prazo-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('start gives a demo database without any login its demo logins (an earlier start stopped between the two), named as the pages name their roles', async () => {
  const path = join(dir, 'prazo.duckdb');
  const db = await openDatabase(path);
  const c = await db.connect();
  await c.run("INSERT INTO sources (name, kind) VALUES ($name, 'demo')", { name: DEMO_SOURCE });
  c.closeSync();
  db.close();
  const demo = process.env.PRAZO_DEMO;
  process.env.PRAZO_DEMO = '0'; // the database is not empty anyway: no seeding
  let stderr = '';
  try {
    // Serve stops at the bad host, after the logins.
    await main(['start', '--host', '256.0.0.1', '--port', '0', '--db', path], { stdout: () => undefined, stderr: (t) => (stderr += t) });
  } finally {
    if (demo === undefined) delete process.env.PRAZO_DEMO;
    else process.env.PRAZO_DEMO = demo;
  }
  // The summary (on stderr, stdout being for JSON) names them, with their roles as the pages name them.
  const lines = stderr.split('\n');
  expect(lines.slice(lines.findIndex((l) => l.startsWith('Logins de demonstração')) + 1).slice(0, 4)).toEqual([
    '  Analista       ana.analista@demo.prazo',
    '  Líder          lucas.lider@demo.prazo',
    '  Diretoria      diana.diretoria@demo.prazo',
    '  Administrador  artur.admin@demo.prazo',
  ]);
  const again = await openDatabase(path);
  try {
    const c2 = await again.connect();
    const emails = (await c2.runAndReadAll('SELECT email FROM users ORDER BY email')).getRows().map((r) => String(r[0]));
    c2.closeSync();
    expect(emails).toEqual(DEMO_USERS.map((u) => u.email).sort());
  } finally {
    again.close();
  }
}, 60_000);
