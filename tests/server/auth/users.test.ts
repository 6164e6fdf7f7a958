import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AccessError } from '../../../src/access/roles.js';
import { type Database, openDatabase } from '../../../src/db/openDatabase.js';
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from '../../../src/server/auth/personalTokens.js';
import { authenticate, createUser, disableUser, listUsers, setUserRole } from '../../../src/server/auth/users.js';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-users-'));
  db = await openDatabase(join(dir, 'prazo.duckdb'));
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function query(sql: string, params: Record<string, string> = {}) {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql, params)).getRowObjectsJson();
  } finally {
    c.closeSync();
  }
}

describe('users', () => {
  test('the password is stored as an argon2id hash, never as given', async () => {
    const password = 'correct horse battery staple';
    await createUser(db, { email: '  Ana@Acme.com.br ', role: 'analyst', password });
    const [row] = await query('SELECT email, name, role, password_hash FROM users WHERE email = $e', { e: 'ana@acme.com.br' });
    expect(row).toMatchObject({ email: 'ana@acme.com.br', name: 'ana', role: 'analyst' });
    expect(String(row!.password_hash)).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    const everything = JSON.stringify(await query('SELECT * FROM users'));
    expect(everything).not.toContain(password);
    expect(await authenticate(db, 'ANA@acme.com.br', password)).toMatchObject({ email: 'ana@acme.com.br', role: 'analyst' });
    expect(await authenticate(db, 'ana@acme.com.br', 'correct horse battery stapler')).toBeUndefined();
  });

  test.each([
    [{ email: 'not-an-email', role: 'analyst', password: 'long enough 1' }, 400, 'invalid_input'],
    [{ email: 'x@acme.com', role: 'superuser', password: 'long enough 1' }, 400, 'invalid_input'],
    [{ email: 'x@acme.com', role: 'lead', password: 'short' }, 400, 'invalid_input'],
    [{ email: 'ANA@acme.com.br', role: 'lead', password: 'long enough 1' }, 409, 'user_exists'],
  ])('createUser refuses %o (%i %s)', async (input, status, code) => {
    const error = await createUser(db, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({ status, code });
  });

  test('only an admin manages users; every admin change is audited', async () => {
    const lead = { role: 'lead' as const, actor: 'lia@acme.com' };
    await expect(createUser(db, { email: 'bob@acme.com', role: 'admin', password: 'long enough 1' }, lead)).rejects.toMatchObject({
      status: 403,
    });
    await expect(setUserRole(db, 'ana@acme.com.br', 'admin', lead)).rejects.toMatchObject({ status: 403 });
    expect((await listUsers(db)).find((u) => u.email === 'ana@acme.com.br')?.role).toBe('analyst');

    const admin = { role: 'admin' as const, actor: 'root@acme.com' };
    await createUser(db, { email: 'bob@acme.com', name: 'Bob', role: 'lead', password: 'long enough 1' }, admin);
    expect(await setUserRole(db, 'bob@acme.com', 'leadership', admin)).toMatchObject({ role: 'leadership' });
    const token = await createPersonalToken(db, 'bob@acme.com', admin);
    expect(await revokePersonalToken(db, token.id, admin)).toBe(true);
    expect(await disableUser(db, 'bob@acme.com', admin)).toMatchObject({ disabled_at: expect.stringMatching(/Z$/) });
    await expect(setUserRole(db, 'nobody@acme.com', 'lead', admin)).rejects.toMatchObject({ status: 404 });

    const audit = await query("SELECT actor, role, action, target, detail FROM audit_log WHERE actor = 'root@acme.com' ORDER BY id");
    expect(audit.map((a) => [a.action, a.target])).toEqual([
      ['user.add', 'bob@acme.com'],
      ['user.role', 'bob@acme.com'],
      ['token.user_create', 'bob@acme.com'],
      ['token.user_revoke', token.id],
      ['user.disable', 'bob@acme.com'],
    ]);
    expect(JSON.parse(String(audit[1]!.detail))).toEqual({ role: 'leadership' });
    expect(JSON.stringify(audit)).not.toContain('long enough 1');
    expect(await authenticate(db, 'bob@acme.com', 'long enough 1')).toBeUndefined();
  });

  test('personal tokens are stored hashed and listed without secrets', async () => {
    const created = await createPersonalToken(db, 'ana@acme.com.br');
    const stored = JSON.stringify(await query('SELECT * FROM user_tokens'));
    expect(stored).not.toContain(created.token.split('_').pop()!);
    const listed = await listPersonalTokens(db);
    expect(listed.find((t) => t.id === created.id)).toMatchObject({ email: 'ana@acme.com.br', revoked_at: null });
    expect(JSON.stringify(listed)).not.toContain(created.token);
    await expect(createPersonalToken(db, 'nobody@acme.com')).rejects.toMatchObject({ status: 404 });
  });
});
