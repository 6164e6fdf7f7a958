import type { Database } from '../../db/openDatabase.js';
import { normalizeEmail } from '../../access/normalizeEmail.js';
import { withConnection } from '../../db/withConnection.js';

/** 5 failed logins for one e-mail, or from one address, within 15 minutes… */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** …lock that e-mail or address for 15 minutes after the last of them. */
export const LOGIN_LOCK_MS = 15 * 60_000;
const KEEP_ATTEMPTS_MS = 7 * 86_400_000;

export interface LoginLock {
  until: Date;
  /** Which key is locked: the e-mail tried, or the client address. */
  by: 'email' | 'ip';
}

export interface LoginAttemptKey {
  email: string;
  /** Client address, when known; undefined disables the per-address limit. */
  ip: string | undefined;
}

/** One recorded attempt, as lockEnd reads it (`at` in epoch ms). */
export interface LoginAttempt {
  at: number;
  email: string;
  ip: string | undefined;
  ok: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * When the failures after the last success contain 5 within 15 minutes, the lock lasts until
 * 15 minutes after the fifth. Attempts refused while locked are not recorded, so a lock ends on
 * time and the failures that caused it are out of the window by then.
 */
function lockEnd(attempts: { at: number; ok: boolean }[]): number | undefined {
  const lastSuccess = attempts.findLastIndex((a) => a.ok);
  const failures = attempts.slice(lastSuccess + 1).map((a) => a.at);
  let end: number | undefined;
  for (let i = LOGIN_MAX_FAILURES - 1; i < failures.length; i++) {
    if (failures[i]! - failures[i - LOGIN_MAX_FAILURES + 1]! < LOGIN_WINDOW_MS) end = failures[i]! + LOGIN_LOCK_MS;
  }
  return end;
}

/** The recorded attempts for this e-mail or address that can bear on a lock at `now`, oldest first. */
export async function readLoginAttempts(db: Database, key: LoginAttemptKey, now: Date): Promise<LoginAttempt[]> {
  const rows = await withConnection(db, async (c) =>
    (
      await c.runAndReadAll(
        `SELECT epoch_ms(attempted_at)::DOUBLE, email, ip, ok FROM login_attempts
         WHERE attempted_at > $since::TIMESTAMPTZ AND (email = $email OR ip = $ip) ORDER BY attempted_at`,
        { since: iso(now.getTime() - LOGIN_WINDOW_MS - LOGIN_LOCK_MS), email: normalizeEmail(key.email), ip: key.ip ?? null },
      )
    ).getRows(),
  );
  return rows.map((r) => ({ at: Number(r[0]), email: String(r[1]), ip: r[2] === null ? undefined : String(r[2]), ok: r[3] === true }));
}

/**
 * The lock in force for this e-mail or address at `now`, if any (the later one when both are
 * locked), given its `attempts` from readLoginAttempts (plus any recorded since, appended in order).
 */
export function findLoginLock(attempts: LoginAttempt[], key: LoginAttemptKey, now: Date): LoginLock | undefined {
  const email = normalizeEmail(key.email);
  const candidates: LoginLock[] = [];
  const byEmail = lockEnd(attempts.filter((a) => a.email === email));
  if (byEmail !== undefined) candidates.push({ until: new Date(byEmail), by: 'email' });
  if (key.ip !== undefined) {
    const byIp = lockEnd(attempts.filter((a) => a.ip === key.ip));
    if (byIp !== undefined) candidates.push({ until: new Date(byIp), by: 'ip' });
  }
  const active = candidates.filter((l) => l.until.getTime() > now.getTime());
  return active.sort((a, b) => b.until.getTime() - a.until.getTime())[0];
}

/** Records one login attempt (not the password) and prunes attempts older than a week. */
export async function recordLoginAttempt(db: Database, key: LoginAttemptKey & { ok: boolean }, now: Date): Promise<void> {
  await withConnection(db, async (c) => {
    await c.run('INSERT INTO login_attempts (attempted_at, email, ip, ok) VALUES ($at::TIMESTAMPTZ, $email, $ip, $ok)', {
      at: iso(now.getTime()),
      email: normalizeEmail(key.email).slice(0, 320),
      ip: key.ip ?? null,
      ok: key.ok,
    });
    await c.run('DELETE FROM login_attempts WHERE attempted_at < $before::TIMESTAMPTZ', { before: iso(now.getTime() - KEEP_ATTEMPTS_MS) });
  });
}
