import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/openDatabase.js';
import type { Caller } from '../access/roles.js';
import { appendAudit } from '../db/appendAudit.js';
import { sha256 } from './auth/hashToken.js';
import { CLI_CALLER } from './auth/users.js';
import { inTransaction, isoSql, withConnection } from '../db/withConnection.js';

/** `prazo_<16 hex id>_<43 base64url secret>`: the id is public, the whole string is the secret. */
const TOKEN_PATTERN = /^prazo_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Source names are identifiers the events are keyed by; keep them plain. */
const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The hash compared when no row matches, so a wrong id costs the same comparison as a wrong secret. */
const NO_HASH = Buffer.alloc(32);

export interface CreatedToken {
  id: string;
  source: string;
  /** Shown once; only its hash is kept. */
  token: string;
  /** The HMAC-SHA256 key (its UTF-8 text is the key) when the sender signs bodies. */
  hmacSecret?: string;
}

export interface SourceToken {
  id: string;
  source: string;
  hmacSecret?: string;
}

export type TokenCheck =
  | { ok: true; token: SourceToken }
  | { ok: false; code: 'invalid_token' | 'token_revoked'; message: string };

export interface TokenRow {
  id: string;
  source: string;
  hmac: boolean;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export class TokenInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenInputError';
  }
}

/** A new token for `source` (and an HMAC key with `hmac`); registers the source as kind http. */
export async function createSourceToken(
  db: Database,
  options: { source: string; hmac?: boolean },
  caller: Caller = CLI_CALLER,
): Promise<CreatedToken> {
  const { source } = options;
  if (!SOURCE_PATTERN.test(source)) {
    throw new TokenInputError(`source: expected 1–64 letters, digits, ".", "_" or "-" (got ${JSON.stringify(source)})`);
  }
  const id = randomBytes(8).toString('hex');
  const token = `prazo_${id}_${randomBytes(32).toString('base64url')}`;
  const hmacSecret = options.hmac ? randomBytes(32).toString('hex') : undefined;
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      await c.run("INSERT INTO sources (name, kind) VALUES ($source, 'http') ON CONFLICT DO NOTHING", { source });
      await c.run('INSERT INTO source_tokens (id, source, token_hash, hmac_secret) VALUES ($id, $source, $hash, $hmac)', {
        id,
        source,
        hash: sha256(token).toString('hex'),
        hmac: hmacSecret ?? null,
      });
      await appendAudit(c, caller, { action: 'token.create', target: id, detail: { source, hmac: hmacSecret !== undefined } });
    }),
  );
  return hmacSecret ? { id, source, token, hmacSecret } : { id, source, token };
}

/** How long a verified token is trusted without reading its row again. */
export const TOKEN_CACHE_MS = 5_000;
/**
 * Tokens verified lately, per database, by the hash of the presented text: a busy sender's
 * requests then skip the lookup. Only valid tokens are kept; revokeSourceToken drops its token at
 * once (one process owns the database, so a revoke happens in this process).
 */
const verified = new WeakMap<Database, Map<string, { token: SourceToken; until: number }>>();

function getVerified(db: Database): Map<string, { token: SourceToken; until: number }> {
  let cache = verified.get(db);
  if (!cache) verified.set(db, (cache = new Map()));
  return cache;
}

/**
 * Which source a presented token writes to, or why it is refused. Hashes compare in constant time;
 * a token verified less than TOKEN_CACHE_MS ago (`now`, epoch ms) is answered from memory.
 */
export async function verifySourceToken(db: Database, presented: string, now: number = Date.now()): Promise<TokenCheck> {
  const hash = sha256(presented);
  const cache = getVerified(db);
  const key = hash.toString('hex');
  const hit = cache.get(key);
  if (hit && now < hit.until) return { ok: true, token: { ...hit.token } };
  cache.delete(key);
  const check = await lookUpSourceToken(db, presented, hash);
  if (check.ok) {
    if (cache.size >= 1_000) cache.clear();
    cache.set(key, { token: { ...check.token }, until: now + TOKEN_CACHE_MS });
  }
  return check;
}

async function lookUpSourceToken(db: Database, presented: string, hash: Buffer): Promise<TokenCheck> {
  const match = TOKEN_PATTERN.exec(presented);
  const row = match
    ? await withConnection(db, async (c) =>
        (
          await c.runAndReadAll(
            'SELECT source, token_hash, hmac_secret, revoked_at IS NOT NULL FROM source_tokens WHERE id = $id',
            { id: match[1]! },
          )
        ).getRows()[0],
      )
    : undefined;
  const expected = row ? Buffer.from(String(row[1]), 'hex') : NO_HASH;
  const equal = timingSafeEqual(hash, expected.length === 32 ? expected : NO_HASH);
  if (!row || !equal) return { ok: false, code: 'invalid_token', message: 'the token is not valid' };
  if (row[3] === true) return { ok: false, code: 'token_revoked', message: 'the token has been revoked' };
  const token: SourceToken = { id: match![1]!, source: String(row[0]) };
  if (row[2] !== null) token.hmacSecret = String(row[2]);
  return { ok: true, token };
}

/** How often a token's last_used_at is written at most. */
export const TOUCH_INTERVAL_MS = 60_000;
/** When this process last wrote each token's last_used_at, per database: most requests write nothing. */
const lastTouched = new WeakMap<Database, Map<string, number>>();

/**
 * Records that a token was used; at most one write a minute per token, decided in memory so that
 * a busy sender's requests do not each commit an UPDATE. Returns whether it wrote.
 */
export async function touchSourceToken(db: Database, id: string, now: number = Date.now()): Promise<boolean> {
  let touched = lastTouched.get(db);
  if (!touched) lastTouched.set(db, (touched = new Map()));
  const last = touched.get(id);
  if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return false;
  touched.set(id, now);
  try {
    await withConnection(db, (c) =>
      c.run(
        `UPDATE source_tokens SET last_used_at = current_timestamp
         WHERE id = $id AND (last_used_at IS NULL OR last_used_at < current_timestamp - INTERVAL 1 MINUTE)`,
        { id },
      ),
    );
  } catch (error) {
    touched.delete(id);
    throw error;
  }
  return true;
}

/** Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function verifySignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected);
}

/** The `X-Prazo-Signature` value a sender computes for `body`. */
export function signBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Every token, newest first, without secrets or hashes. */
export async function listSourceTokens(db: Database): Promise<TokenRow[]> {
  return withConnection(db, async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT id, source, hmac_secret IS NOT NULL AS hmac, ${isoSql('created_at')} AS created_at,
              ${isoSql('revoked_at')} AS revoked_at, ${isoSql('last_used_at')} AS last_used_at
       FROM source_tokens ORDER BY created_at DESC, id`,
    );
    return reader.getRowObjectsJson() as unknown as TokenRow[];
  });
}

/** Revokes a token (idempotent); undefined when no token has that id. */
export async function revokeSourceToken(
  db: Database,
  id: string,
  caller: Caller = CLI_CALLER,
): Promise<{ id: string; source: string; revoked_at: string; already_revoked: boolean } | undefined> {
  const forget = () => {
    const cache = getVerified(db);
    for (const [key, entry] of cache) if (entry.token.id === id) cache.delete(key);
  };
  forget();
  const revoked = await withConnection(db, async (c) => {
    const before = (
      await c.runAndReadAll('SELECT source, revoked_at IS NOT NULL FROM source_tokens WHERE id = $id', { id })
    ).getRows()[0];
    if (!before) return undefined;
    if (before[1] !== true) {
      // The revocation and its audit row commit together.
      await inTransaction(c, async () => {
        await c.run('UPDATE source_tokens SET revoked_at = current_timestamp WHERE id = $id AND revoked_at IS NULL', { id });
        await appendAudit(c, caller, { action: 'token.revoke', target: id, detail: { source: String(before[0]) } });
      });
    }
    const revokedAt = (
      await c.runAndReadAll(`SELECT ${isoSql('revoked_at')} FROM source_tokens WHERE id = $id`, { id })
    ).getRows()[0]![0];
    return { id, source: String(before[0]), revoked_at: String(revokedAt), already_revoked: before[1] === true };
  });
  // Again once committed: a request verified while the UPDATE was in flight may have cached the token.
  forget();
  return revoked;
}
