import { randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '../../access/normalizeEmail.js';
import { AccessError, type Caller, isRole } from '../../access/roles.js';
import { appendAudit } from '../../db/appendAudit.js';
import type { Database } from '../../db/openDatabase.js';
import { sha256 } from './hashToken.js';
import type { SessionUser } from './types.js';
import { CLI_CALLER } from './users.js';
import { inTransaction, isoSql, withConnection } from '../../db/withConnection.js';

/**
 * `prz_u_<16 hex id>_<43 base64url secret>`. The prefix differs from source tokens (`prazo_…`),
 * so neither kind can be mistaken for the other: source tokens only write events.
 */
export const PERSONAL_TOKEN_PATTERN = /^prz_u_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const NO_HASH = Buffer.alloc(32);

export interface CreatedPersonalToken {
  id: string;
  email: string;
  /** Shown once; only its hash is kept. */
  token: string;
}

export interface PersonalTokenRow {
  id: string;
  email: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type PersonalTokenCheck = { ok: true; user: SessionUser; tokenId: string } | { ok: false; message: string };

/** A new personal token for the (enabled) user with `email`; audits `token.user_create`. */
export async function createPersonalToken(db: Database, email: string, caller: Caller = CLI_CALLER): Promise<CreatedPersonalToken> {
  if (caller.role !== 'admin' && caller.actor !== normalizeEmail(email)) {
    throw new AccessError(403, 'forbidden', 'only an admin creates tokens for other users');
  }
  const normalized = normalizeEmail(email);
  const id = randomBytes(8).toString('hex');
  const token = `prz_u_${id}_${randomBytes(32).toString('base64url')}`;
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      const user = (
        await c.runAndReadAll('SELECT id FROM users WHERE email = $email AND disabled_at IS NULL', { email: normalized })
      ).getRows()[0];
      if (!user) throw new AccessError(404, 'user_not_found', `email: no enabled user with ${normalized}`);
      await c.run('INSERT INTO user_tokens (id, user_id, token_hash) VALUES ($id, $user, $hash)', {
        id,
        user: String(user[0]),
        hash: sha256(token).toString('hex'),
      });
      await appendAudit(c, caller, { action: 'token.user_create', target: normalized, detail: { token_id: id } });
    }),
  );
  return { id, email: normalized, token };
}

/** The user a presented `prz_u_…` token acts as (their current role), or why it is refused. */
export async function verifyPersonalToken(db: Database, presented: string): Promise<PersonalTokenCheck> {
  const match = PERSONAL_TOKEN_PATTERN.exec(presented);
  const row = match
    ? await withConnection(db, async (c) =>
        (
          await c.runAndReadAll(
            `SELECT t.token_hash, t.revoked_at IS NOT NULL, u.disabled_at IS NOT NULL, u.id, u.email, u.name, u.role,
                    t.last_used_at IS NULL OR t.last_used_at < current_timestamp - INTERVAL 1 MINUTE
             FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $id`,
            { id: match[1]! },
          )
        ).getRows()[0],
      )
    : undefined;
  const expected = row ? Buffer.from(String(row[0]), 'hex') : NO_HASH;
  const equal = timingSafeEqual(sha256(presented), expected.length === 32 ? expected : NO_HASH);
  if (!row || !equal) return { ok: false, message: 'the personal token is not valid' };
  if (row[1] === true) return { ok: false, message: 'the personal token has been revoked' };
  if (row[2] === true || !isRole(row[6])) return { ok: false, message: 'the token\'s user is disabled' };
  const tokenId = match![1]!;
  if (row[7] === true) {
    // Concurrent requests with one token may conflict on this write; losing one is harmless.
    await withConnection(db, (c) => c.run('UPDATE user_tokens SET last_used_at = current_timestamp WHERE id = $id', { id: tokenId })).catch(
      () => undefined,
    );
  }
  return {
    ok: true,
    tokenId,
    user: { id: String(row[3]), email: String(row[4]), name: String(row[5]), role: row[6], via: 'token' },
  };
}

/** Refuses a token from now on (idempotent); audits `token.user_revoke`. False when no token has that id. */
export async function revokePersonalToken(db: Database, id: string, caller: Caller = CLI_CALLER): Promise<boolean> {
  if (caller.role !== 'admin') throw new AccessError(403, 'forbidden', 'only an admin revokes tokens');
  return withConnection(db, (c) =>
    inTransaction(c, async () => {
      const found = (await c.runAndReadAll('SELECT 1 FROM user_tokens WHERE id = $id', { id })).getRows().length > 0;
      if (!found) return false;
      await c.run('UPDATE user_tokens SET revoked_at = coalesce(revoked_at, current_timestamp) WHERE id = $id', { id });
      await appendAudit(c, caller, { action: 'token.user_revoke', target: id });
      return true;
    }),
  );
}

/** Every personal token with its user's e-mail, newest first; never the secrets. */
export async function listPersonalTokens(db: Database): Promise<PersonalTokenRow[]> {
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT t.id, u.email, ${isoSql('t.created_at')} AS created_at, ${isoSql('t.last_used_at')} AS last_used_at,
              ${isoSql('t.revoked_at')} AS revoked_at
       FROM user_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id`,
    );
    return reader.getRowObjectsJson() as unknown as PersonalTokenRow[];
  });
}
