import { randomBytes } from 'node:crypto';
import { argon2id, hash, verify } from 'argon2';
import { normalizeEmail } from '../../access/normalizeEmail.js';
import { AccessError, type Caller, isRole, type Role, ROLES } from '../../access/roles.js';
import { appendAudit } from '../../db/appendAudit.js';
import type { Database } from '../../db/openDatabase.js';
import { inTransaction, isoSql, withConnection } from '../../db/withConnection.js';

/** argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): ≈ 0.1 s a hash here. */
const HASH_OPTIONS = { type: argon2id } as const;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;

/** Who made a change when no signed-in admin did: the command line on the server's machine. */
export const CLI_CALLER: Caller = { role: 'admin', actor: 'system:cli' };

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface UserRow extends User {
  created_at: string;
  disabled_at: string | null;
}

export interface NewUser {
  email: string;
  name?: string;
  role: Role | string;
  password: string;
}

const invalid = (message: string) => new AccessError(400, 'invalid_input', message);

function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw new AccessError(403, 'forbidden', 'only an admin manages users');
}

function checkEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (!EMAIL_PATTERN.test(normalized)) throw invalid(`email: expected an e-mail address (got ${JSON.stringify(email)})`);
  return normalized;
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw invalid(`role: expected one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  return role;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw invalid(`password: expected ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** A random password to print once (24 characters, 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Adds a user (the password stored as an argon2id hash) and audits `user.add`. */
export async function createUser(db: Database, input: NewUser, caller: Caller = CLI_CALLER): Promise<User> {
  requireAdmin(caller);
  const email = checkEmail(input.email);
  const role = checkRole(input.role);
  checkPassword(input.password);
  const name = input.name?.trim() || email.split('@')[0]!;
  const id = randomBytes(8).toString('hex');
  const passwordHash = await hash(input.password, HASH_OPTIONS);
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      const existing = await c.runAndReadAll('SELECT 1 FROM users WHERE email = $email', { email });
      if (existing.getRows().length > 0) throw new AccessError(409, 'user_exists', `email: a user with ${email} already exists`);
      await c.run(
        'INSERT INTO users (id, email, name, role, password_hash) VALUES ($id, $email, $name, $role, $hash)',
        { id, email, name, role, hash: passwordHash },
      );
      await appendAudit(c, caller, { action: 'user.add', target: email, detail: { role, name } });
    }),
  );
  return { id, email, name, role };
}

/** An argon2id hash of a throwaway password, verified when the e-mail is unknown so timing does not tell. */
let decoyHash: Promise<string> | undefined;

/** The user whose e-mail and password match, if enabled; undefined otherwise (which part was wrong is not said). */
export async function authenticate(db: Database, email: string, password: string): Promise<User | undefined> {
  const row = await withConnection(db, async (c) =>
    (
      await c.runAndReadAll(
        'SELECT id, email, name, role, password_hash, disabled_at IS NOT NULL FROM users WHERE email = $email',
        { email: normalizeEmail(email) },
      )
    ).getRows()[0],
  );
  if (password.length > MAX_PASSWORD_LENGTH) return undefined;
  if (!row) {
    decoyHash ??= hash(generatePassword(), HASH_OPTIONS);
    await verify(await decoyHash, password);
    return undefined;
  }
  const ok = await verify(String(row[4]), password);
  if (!ok || row[5] === true) return undefined;
  return { id: String(row[0]), email: String(row[1]), name: String(row[2]), role: checkRole(String(row[3])) };
}

/** An enabled user by e-mail, or undefined. */
export async function findUser(db: Database, email: string): Promise<User | undefined> {
  return withConnection(db, async (c) => {
    const rows = await c.runAndReadAll('SELECT id, email, name, role FROM users WHERE email = $email AND disabled_at IS NULL', {
      email: normalizeEmail(email),
    });
    return rows.getRowObjectsJson()[0] as unknown as User | undefined;
  });
}

const USER_ROW_COLUMNS = `id, email, name, role, ${isoSql('created_at')} AS created_at, ${isoSql('disabled_at')} AS disabled_at`;

/** Every user, by e-mail, without password hashes. */
export async function listUsers(db: Database): Promise<UserRow[]> {
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(`SELECT ${USER_ROW_COLUMNS} FROM users ORDER BY email`);
    return reader.getRowObjectsJson() as unknown as UserRow[];
  });
}

/** One user's row (as listUsers shows it) by normalized e-mail, after a change. */
async function readUserRow(db: Database, email: string): Promise<UserRow> {
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(`SELECT ${USER_ROW_COLUMNS} FROM users WHERE email = $email`, { email });
    return reader.getRowObjectsJson()[0] as unknown as UserRow;
  });
}

async function updateUser(
  db: Database,
  caller: Caller,
  email: string,
  change: { sql: string; params: Record<string, string>; action: string; detail: Record<string, unknown> },
): Promise<UserRow> {
  requireAdmin(caller);
  const normalized = normalizeEmail(email);
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      const found = await c.runAndReadAll('SELECT 1 FROM users WHERE email = $email', { email: normalized });
      if (found.getRows().length === 0) throw new AccessError(404, 'user_not_found', `email: no user with ${normalized}`);
      await c.run(`UPDATE users SET ${change.sql} WHERE email = $email`, { ...change.params, email: normalized });
      await appendAudit(c, caller, { action: change.action, target: normalized, detail: change.detail });
    }),
  );
  return readUserRow(db, normalized);
}

/** Changes a user's role (effective on their next request, sessions and tokens alike); audits `user.role`. */
export async function setUserRole(db: Database, email: string, role: Role | string, caller: Caller = CLI_CALLER): Promise<UserRow> {
  const checked = checkRole(role);
  return updateUser(db, caller, email, { sql: 'role = $role', params: { role: checked }, action: 'user.role', detail: { role: checked } });
}

/** Disables a user: no login, and their sessions and tokens stop working at once; audits `user.disable`. */
export async function disableUser(db: Database, email: string, caller: Caller = CLI_CALLER): Promise<UserRow> {
  return updateUser(db, caller, email, {
    sql: 'disabled_at = coalesce(disabled_at, current_timestamp)',
    params: {},
    action: 'user.disable',
    detail: {},
  });
}

/**
 * Sets a user's password (stored as an argon2id hash) and ends their sessions, so a password
 * changed because it leaked takes effect everywhere at once; personal tokens are left as they are
 * (revoke them apart). Audits `user.password`, without the password.
 */
export async function setUserPassword(db: Database, email: string, password: string, caller: Caller = CLI_CALLER): Promise<UserRow> {
  requireAdmin(caller);
  checkPassword(password);
  const normalized = normalizeEmail(email);
  const passwordHash = await hash(password, HASH_OPTIONS);
  let ended = 0;
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      const found = (await c.runAndReadAll('SELECT id FROM users WHERE email = $email', { email: normalized })).getRows()[0];
      if (!found) throw new AccessError(404, 'user_not_found', `email: no user with ${normalized}`);
      await c.run('UPDATE users SET password_hash = $hash WHERE id = $id', { hash: passwordHash, id: String(found[0]) });
      ended = (await c.run('DELETE FROM sessions WHERE user_id = $id', { id: String(found[0]) })).rowsChanged;
      await appendAudit(c, caller, { action: 'user.password', target: normalized, detail: { sessions_ended: ended } });
    }),
  );
  return readUserRow(db, normalized);
}
