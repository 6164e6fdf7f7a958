import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';

/** Bad arguments are one line on stderr and exit 2, before any slow work (a render, the demo seeding) or a database file. */

const dir = mkdtempSync(join(tmpdir(), 'prazo-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('usage errors', () => {
  test('start checks serve\'s options before seeding the demo into an empty database', async () => {
    const db = join(dir, 'start.duckdb');
    const r = await run('start', '--port', 'abc', '--db', db);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('prazo: --port: expected a number from 0 to 65535 (got "abc")\n');
    expect(existsSync(db)).toBe(false);
  });

  test('start passes --date=… to its summary only, not on to serve', async () => {
    // Serve then stops at the bad --host, after the summary: --date=… itself was not refused.
    const demo = process.env.PRAZO_DEMO;
    process.env.PRAZO_DEMO = '0'; // no demo year: this is about the arguments
    let r;
    try {
      r = await run('start', '--date=2026-11-18', '--host', '256.0.0.1', '--port', '0', '--db', join(dir, 'date.duckdb'));
    } finally {
      if (demo === undefined) delete process.env.PRAZO_DEMO;
      else process.env.PRAZO_DEMO = demo;
    }
    expect(r.stderr).not.toMatch(/Unknown option '--date'/);
    expect(r.stderr).toMatch(/cannot listen on 256\.0\.0\.1:0/);
  }, 120_000);

  test('start takes every option serve takes', async () => {
    const r = await run('start', '--summary-only', '--trust-proxy', '--secure-cookies', '--host', '127.0.0.1', '--port', '0');
    expect(r.code).toBe(0);
  });

  test('report weekly --out into a missing folder fails before rendering', async () => {
    const db = join(dir, 'report.duckdb');
    const r = await run('report', 'weekly', '--week', '2026-W47', '--out', join(dir, 'nope', 'x.pdf'), '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`prazo: --out: no folder ${join(dir, 'nope')}\n`);
    expect(existsSync(db)).toBe(false);
  });

  test('user subcommands refuse a stray argument instead of dropping it', async () => {
    const db = join(dir, 'user.duckdb');
    const r = await run('user', 'add', '--email', 'ana@exemplo.com.br', '--role', 'analyst', '--name', 'Ana', 'Silva', '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('prazo: unexpected argument "Silva" (quote a value with spaces); see prazo user --help\n');
    expect(existsSync(db)).toBe(false);
  });
});
