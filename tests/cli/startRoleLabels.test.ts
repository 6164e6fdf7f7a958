import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { DEMO_SOURCE } from '../../src/demo/seedDemo.js';

const dir = mkdtempSync(join(tmpdir(), 'prazo-start-roles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('start names the demo logins\' roles as the pages do (pt-BR: Administrador, not Admin)', async () => {
  const path = join(dir, 'prazo.duckdb');
  const db = await openDatabase(path);
  const c = await db.connect();
  await c.run("INSERT INTO sources (name, kind) VALUES ($name, 'demo')", { name: DEMO_SOURCE });
  c.closeSync();
  db.close();
  const demo = process.env.PRAZO_DEMO;
  process.env.PRAZO_DEMO = '0'; // a demo database without logins: start adds them, without seeding
  let stderr = '';
  try {
    // Serve stops at the bad host, after the logins are printed.
    await main(['start', '--host', '256.0.0.1', '--port', '0', '--db', path], { stdout: () => undefined, stderr: (t) => (stderr += t) });
  } finally {
    if (demo === undefined) delete process.env.PRAZO_DEMO;
    else process.env.PRAZO_DEMO = demo;
  }
  const lines = stderr.split('\n');
  const logins = lines.slice(lines.findIndex((l) => l.startsWith('Logins de demonstração')) + 1).slice(0, 4);
  expect(logins).toEqual([
    '  Analista       ana.analista@demo.prazo',
    '  Líder          lucas.lider@demo.prazo',
    '  Diretoria      diana.diretoria@demo.prazo',
    '  Administrador  artur.admin@demo.prazo',
  ]);
}, 60_000);
