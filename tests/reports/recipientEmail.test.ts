import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AccessError } from '../../src/access/roles.js';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { addRecipient, listRecipients, removeRecipient } from '../../src/reports/recipients.js';
import { createUser, findUser } from '../../src/server/auth/users.js';

let dir: string;
let db: Database;
const leadership = { role: 'leadership' as const, actor: 'diretora@exemplo.com.br' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-recipient-email-'));
  db = await openDatabase(join(dir, 'prazo.duckdb'));
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function emails(table: 'users' | 'recipients'): Promise<string[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(`SELECT email FROM ${table} ORDER BY email`)).getRows().map((r) => String(r[0]));
  } finally {
    c.closeSync();
  }
}

describe('one address, one spelling: users and report recipients', () => {
  test('a mixed-case, space-padded address is stored the same as a user and as a recipient', async () => {
    const typed = '  Gerente.TI@Exemplo.COM.br\t';
    const user = await createUser(db, { email: typed, role: 'leadership', password: 'long enough 1' });
    const recipient = await addRecipient(db, leadership, { email: typed });
    expect(user.email).toBe('gerente.ti@exemplo.com.br');
    expect(recipient.email).toBe(user.email);
    expect(await emails('users')).toEqual(['gerente.ti@exemplo.com.br']);
    expect(await emails('recipients')).toEqual(['gerente.ti@exemplo.com.br']);
    // Either spelling finds the one row, in both places.
    expect((await findUser(db, 'GERENTE.ti@exemplo.com.br '))?.email).toBe(user.email);
    expect(await removeRecipient(db, leadership, ' GERENTE.ti@exemplo.com.br')).toBe(true);
    expect(await listRecipients(db, leadership)).toEqual([]);
  });

  test.each([
    ['não-é-email'],
    ['suporte@localhost'],
    ['Suporte <suporte@exemplo.com.br>'],
    ['"suporte"@exemplo.com.br'],
    ['a@exemplo.com.br, b@exemplo.com.br'],
    ['a@exemplo.com.br;b@exemplo.com.br'],
    ['sup orte@exemplo.com.br'],
    ['   '],
  ])('a recipient %j is refused 400 invalid_email and nothing is stored', async (email) => {
    const before = await emails('recipients');
    const error = await addRecipient(db, leadership, { email }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_email' });
    await expect(removeRecipient(db, leadership, email)).rejects.toMatchObject({ status: 400, code: 'invalid_email' });
    expect(await emails('recipients')).toEqual(before);
  });

  test("a login keeps its looser rule: an address a recipient refuses can still be a user's", async () => {
    const user = await createUser(db, { email: ' Suporte@LOCALHOST ', role: 'analyst', password: 'long enough 1' });
    expect(user.email).toBe('suporte@localhost');
    await expect(addRecipient(db, leadership, { email: ' Suporte@LOCALHOST ' })).rejects.toMatchObject({ code: 'invalid_email' });
  });
});
