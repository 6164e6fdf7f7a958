import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../src/cli.js';
import { runUserCommand } from '../../../src/cli/userCommand.js';
import { openDatabase } from '../../../src/db/openDatabase.js';
import { createApp } from '../../../src/server/createApp.js';
import { cookieFrom, readJson, submitLogin } from './authHelpers.js';

let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-usercli-'));
  dbPath = join(dir, 'prazo.duckdb');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], stdin?: string) {
  let stdout = '';
  let stderr = '';
  const io = { out: (json: unknown) => (stdout += `${JSON.stringify(json)}\n`), line: (t: string) => (stdout += `${t}\n`), warn: (t: string) => (stderr += t) };
  let code = 0;
  if (stdin === undefined) {
    code = await main([...argv, '--db', dbPath], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  } else {
    await runUserCommand([...argv.slice(1), '--db', dbPath], { ...io, readStdin: async () => stdin });
  }
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('prazo user', () => {
  test('add generates a password printed once; --password-stdin takes it from stdin and prints none', async () => {
    const generated = await run(['user', 'add', '--email', 'Lia@Acme.com', '--role', 'lead', '--name', 'Lia']);
    expect(generated.code).toBe(0);
    expect(generated.json()).toMatchObject({ email: 'lia@acme.com', name: 'Lia', role: 'lead', password: expect.stringMatching(/^.{24}$/) });
    expect(generated.stderr).toContain('shown only once');

    const piped = await run(['user', 'add', '--email', 'dora@acme.com', '--role', 'leadership', '--password-stdin'], ' my secret pass \n');
    expect(piped.json()).toEqual({ id: expect.any(String), email: 'dora@acme.com', name: 'dora', role: 'leadership' });

    const db = await openDatabase(dbPath);
    try {
      const app = createApp({ db, config: { maxBodyBytes: 1 << 20 } });
      expect((await submitLogin(app, 'lia@acme.com', generated.json().password)).status).toBe(303);
      expect((await submitLogin(app, 'dora@acme.com', ' my secret pass ')).status).toBe(303);
    } finally {
      db.close();
    }
  });

  test('bad input exits 2 with a one-line message naming the option', async () => {
    const role = await run(['user', 'add', '--email', 'x@acme.com', '--role', 'boss']);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/^prazo: --role: expected one of analyst, lead, leadership, admin/);
    const dup = await run(['user', 'add', '--email', 'LIA@acme.com', '--role', 'lead']);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('--email: a user with lia@acme.com already exists');
    expect((await run(['user', 'token', '--email', 'nobody@acme.com'])).code).toBe(2);
  });

  test('token prints a prz_u_ token the API accepts with the user\'s role; list and role work', async () => {
    const token = await run(['user', 'token', '--email', 'lia@acme.com']);
    expect(token.json()).toMatchObject({ email: 'lia@acme.com', token: expect.stringMatching(/^prz_u_/) });
    expect((await run(['user', 'role', '--email', 'lia@acme.com', '--role', 'admin'])).json()).toMatchObject({ role: 'admin' });
    const list = (await run(['user', 'list'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(list.map((u) => [u.email, u.role])).toEqual([['dora@acme.com', 'leadership'], ['lia@acme.com', 'admin']]);
    expect(JSON.stringify(list)).not.toContain('argon2');

    const db = await openDatabase(dbPath);
    try {
      const app = createApp({ db, config: { maxBodyBytes: 1 << 20 } });
      const me = await app.request('/api/v1/me', { headers: { Authorization: `Bearer ${token.json().token}` } });
      expect(await readJson(me)).toMatchObject({ email: 'lia@acme.com', role: 'admin', via: 'token' });
    } finally {
      db.close();
    }
  });

  test('password: the old one stops working, the new one works, and the user\'s open sessions end', async () => {
    const db = await openDatabase(dbPath);
    let session: string;
    try {
      const app = createApp({ db, config: { maxBodyBytes: 1 << 20 } });
      const login = await submitLogin(app, 'dora@acme.com', ' my secret pass ');
      expect(login.status).toBe(303);
      session = cookieFrom(login, 'prazo_session')!;
      expect((await app.request('/api/v1/me', { headers: { Cookie: session } })).status).toBe(200);
    } finally {
      db.close();
    }
    const changed = await run(['user', 'password', '--email', 'Dora@acme.com']);
    expect(changed.code).toBe(0);
    expect(changed.json()).toMatchObject({ email: 'dora@acme.com', password: expect.stringMatching(/^.{24}$/) });
    expect(changed.stderr).toContain('shown only once');
    const piped = await run(['user', 'password', '--email', 'dora@acme.com', '--password-stdin'], 'another long secret\n');
    expect(piped.json()).toMatchObject({ email: 'dora@acme.com' });
    expect(piped.stdout).not.toContain('another long secret');
    expect((await run(['user', 'password', '--email', 'nobody@acme.com'])).code).toBe(2);

    const db2 = await openDatabase(dbPath);
    try {
      const app = createApp({ db: db2, config: { maxBodyBytes: 1 << 20 } });
      expect((await app.request('/api/v1/me', { headers: { Cookie: session } })).status).toBe(401);
      expect((await submitLogin(app, 'dora@acme.com', ' my secret pass ')).status).not.toBe(303);
      expect((await submitLogin(app, 'dora@acme.com', changed.json().password)).status).not.toBe(303);
      expect((await submitLogin(app, 'dora@acme.com', 'another long secret')).status).toBe(303);
      const audit = (await db2.connect().then(async (c) => {
        try {
          return (await c.runAndReadAll("SELECT detail FROM audit_log WHERE action = 'user.password' ORDER BY occurred_at")).getRows().map((r) => String(r[0]));
        } finally {
          c.closeSync();
        }
      }));
      expect(audit).toHaveLength(2);
      expect(audit.join(' ')).not.toMatch(/secret|password"/);
    } finally {
      db2.close();
    }
  });

  test('the real binary reads --password-stdin from a pipe', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = execFile('node', ['bin/prazo.js', 'user', 'add', '--email', 'pipe@acme.com', '--role', 'analyst', '--password-stdin', '--db', dbPath], (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
      child.stdin!.end('piped password\n');
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: 'pipe@acme.com', role: 'analyst' });
    expect(result.stdout).not.toContain('piped password');
  }, 30_000);
});
