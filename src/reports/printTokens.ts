import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/openDatabase.js';

/** How long the report job's browser may use its token to open the print page. */
export const PRINT_TOKEN_TTL_MS = 2 * 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh token (256 random bits, only its hash stored) valid until now + ttl. */
export async function issuePrintToken(db: Database, purpose: string, now: number, ttlMs = PRINT_TOKEN_TTL_MS): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const c = await db.connect();
  try {
    await c.run('DELETE FROM print_tokens WHERE expires_at < $now::TIMESTAMPTZ', { now: new Date(now).toISOString() });
    await c.run('INSERT INTO print_tokens (token_hash, purpose, expires_at) VALUES ($hash, $purpose, $expires::TIMESTAMPTZ)', {
      hash: hash(token),
      purpose,
      expires: new Date(now + ttlMs).toISOString(),
    });
    return token;
  } finally {
    c.closeSync();
  }
}

/** The token's purpose when it exists and has not expired; undefined otherwise. */
export async function checkPrintToken(db: Database, token: string, now: number): Promise<string | undefined> {
  if (!token) return undefined;
  const c = await db.connect();
  try {
    const rows = (await c.runAndReadAll('SELECT purpose FROM print_tokens WHERE token_hash = $hash AND expires_at > $now::TIMESTAMPTZ', {
      hash: hash(token),
      now: new Date(now).toISOString(),
    })).getRows();
    return rows.length ? String(rows[0]![0]) : undefined;
  } finally {
    c.closeSync();
  }
}

export async function revokePrintToken(db: Database, token: string): Promise<void> {
  const c = await db.connect();
  try {
    await c.run('DELETE FROM print_tokens WHERE token_hash = $hash', { hash: hash(token) });
  } finally {
    c.closeSync();
  }
}
