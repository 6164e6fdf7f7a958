import { normalizeEmail } from '../access/normalizeEmail.js';
import { AccessError, type Caller, forbidden, roleAtLeast } from '../access/roles.js';
import { appendAudit } from '../db/appendAudit.js';
import type { Database } from '../db/openDatabase.js';
import { inTransaction, withConnection } from '../db/withConnection.js';

export interface Recipient {
  email: string;
  name: string | null;
  addedAt: string;
  removedAt: string | null;
}

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

function checkManager(caller: Caller): void {
  if (!roleAtLeast(caller.role, 'leadership')) throw forbidden('só liderança e administradores gerenciam os destinatários dos relatórios');
}

/**
 * The normalized address (normalizeEmail), or 400 invalid_email. Stricter than a login's: a mail
 * server must accept it, so a dotted domain and nothing that would split or quote a header.
 */
export function parseRecipientEmail(email: string): string {
  const value = normalizeEmail(email);
  if (!EMAIL.test(value)) throw new AccessError(400, 'invalid_email', `endereço de e-mail inválido: "${email}"`);
  return value;
}

/** Adds (or re-activates) a recipient of the weekly report; leadership and admin only, audited. */
export async function addRecipient(db: Database, caller: Caller, input: { email: string; name?: string }, now = Date.now()): Promise<Recipient> {
  checkManager(caller);
  const email = parseRecipientEmail(input.email);
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      await c.run(
        `INSERT INTO recipients (email, name, added_at) VALUES ($email, $name, $now::TIMESTAMPTZ)
         ON CONFLICT (email) DO UPDATE SET name = coalesce(excluded.name, recipients.name), removed_at = NULL,
           added_at = CASE WHEN recipients.removed_at IS NULL THEN recipients.added_at ELSE excluded.added_at END`,
        { email, name: input.name?.trim() || null, now: new Date(now).toISOString() },
      );
      await appendAudit(c, caller, { action: 'recipient.add', target: email });
    }),
  );
  return (await listRecipients(db, caller, { includeRemoved: true })).find((r) => r.email === email)!;
}

/** Stops sending to `email` (its past deliveries stay); false when it was not an active recipient. */
export async function removeRecipient(db: Database, caller: Caller, email: string, now = Date.now()): Promise<boolean> {
  checkManager(caller);
  const address = parseRecipientEmail(email);
  return withConnection(db, (c) =>
    inTransaction(c, async () => {
      const changed = (await c.runAndReadAll(
        'UPDATE recipients SET removed_at = $now::TIMESTAMPTZ WHERE email = $email AND removed_at IS NULL RETURNING email',
        { email: address, now: new Date(now).toISOString() },
      )).getRows().length;
      if (changed) await appendAudit(c, caller, { action: 'recipient.remove', target: address });
      return changed > 0;
    }),
  );
}

export async function listRecipients(db: Database, caller: Caller, options: { includeRemoved?: boolean } = {}): Promise<Recipient[]> {
  checkManager(caller);
  const iso = (col: string) => `strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`;
  const c = await db.connect();
  try {
    const rows = (await c.runAndReadAll(
      `SELECT email, name, ${iso('added_at')} AS added_at, ${iso('removed_at')} AS removed_at FROM recipients
       WHERE $all OR removed_at IS NULL ORDER BY email`,
      { all: options.includeRemoved === true },
    )).getRowObjectsJS();
    return rows.map((r) => ({ email: String(r.email), name: (r.name as string | null) ?? null, addedAt: String(r.added_at), removedAt: (r.removed_at as string | null) ?? null }));
  } finally {
    c.closeSync();
  }
}
