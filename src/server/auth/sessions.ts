import { randomBytes } from 'node:crypto';
import { isRole } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { sha256 } from './hashToken.js';
import type { SessionUser } from './types.js';
import { withConnection } from '../../db/withConnection.js';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** …and in any case this long after sign-in. */
export const SESSION_MAX_MS = 7 * 86_400_000;
/** last_seen_at is written at most this often, so reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60_000;
const COOKIE_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

function sessionId(secret: string): string {
  return sha256(secret).toString('hex');
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Starts a session for `userId`; returns the cookie value (its secret) and the session's CSRF token. */
export async function createSession(db: Database, userId: string, now: Date): Promise<{ cookie: string; csrfToken: string }> {
  const secret = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const at = now.getTime();
  await withConnection(db, (c) =>
    c.run(
      `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at)
       VALUES ($id, $user, $csrf, $at::TIMESTAMPTZ, $expires::TIMESTAMPTZ, $at::TIMESTAMPTZ)`,
      { id: sessionId(secret), user: userId, csrf: csrfToken, at: iso(at), expires: iso(at + SESSION_MAX_MS) },
    ),
  );
  return { cookie: secret, csrfToken };
}

/**
 * The live session a cookie names, or undefined (unknown, expired, idle too long, or its user
 * disabled). The role is read from the user's row now, so a role change applies at once.
 */
export async function readSession(db: Database, cookie: string, now: Date): Promise<Session | undefined> {
  if (!COOKIE_SECRET_PATTERN.test(cookie)) return undefined;
  const id = sessionId(cookie);
  const at = now.getTime();
  return withConnection(db, async (c) => {
    const row = (
      await c.runAndReadAll(
        `SELECT u.id, u.email, u.name, u.role, s.csrf_token, epoch_ms(s.expires_at)::DOUBLE, epoch_ms(s.last_seen_at)::DOUBLE
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = $id AND u.disabled_at IS NULL`,
        { id },
      )
    ).getRows()[0];
    if (!row || !isRole(row[3])) return undefined;
    const expires = Number(row[5]);
    const lastSeen = Number(row[6]);
    if (at >= expires || at >= lastSeen + SESSION_IDLE_MS) {
      await c.run('DELETE FROM sessions WHERE id = $id', { id });
      return undefined;
    }
    if (at - lastSeen >= TOUCH_EVERY_MS) {
      // Two requests of one session may touch it at once; DuckDB aborts one of the two writes,
      // which only costs a minute of idle time, so the conflict is ignored.
      await c.run('UPDATE sessions SET last_seen_at = $at::TIMESTAMPTZ WHERE id = $id', { id, at: iso(at) }).catch(() => undefined);
    }
    return {
      user: { id: String(row[0]), email: String(row[1]), name: String(row[2]), role: row[3], via: 'session' },
      csrfToken: String(row[4]),
    };
  });
}

/** Ends the session a cookie names (sign-out); nothing happens for an unknown cookie. */
export async function deleteSession(db: Database, cookie: string): Promise<void> {
  if (!COOKIE_SECRET_PATTERN.test(cookie)) return;
  await withConnection(db, (c) => c.run('DELETE FROM sessions WHERE id = $id', { id: sessionId(cookie) }));
}

/** Removes sessions that have ended (called at sign-in; expired rows are refused anyway). */
export async function pruneSessions(db: Database, now: Date): Promise<void> {
  await withConnection(db, (c) =>
    c.run(
      `DELETE FROM sessions WHERE expires_at <= $at::TIMESTAMPTZ OR last_seen_at <= $idle::TIMESTAMPTZ`,
      { at: iso(now.getTime()), idle: iso(now.getTime() - SESSION_IDLE_MS) },
    ),
  );
}
