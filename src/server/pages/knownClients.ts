import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../../db/openDatabase.js';
import { normalizeToken } from '../../ingest/normalizeToken.js';
import { cacheBySlaVersion } from '../../metrics/readSlaVersion.js';

/** Most names a page suggests in its Cliente field: the clients with most tickets first. */
export const SUGGESTED_CLIENTS = 500;
/** How long a read of the data version is trusted, in ms (as createMetricReader does). */
export const CLIENTS_VERSION_TTL_MS = 1000;

/** The clients of ticket_sla, as the pages' Cliente field suggests and matches them. */
export interface KnownClients {
  /** The first SUGGESTED_CLIENTS names, most tickets first (then by name). */
  suggested: readonly string[];
  /** Every name, by its spelling without case, accents, surrounding spaces, and with spaces, hyphens and underscores alike (normalizeToken). */
  byToken: ReadonlyMap<string, readonly string[]>;
}

/** What the typed client names: the canonical name, or the typed text when no single name matches. */
export interface ClientMatch {
  client: string;
  unmatched?: 'unknown' | 'ambiguous';
}

/** Per database: its clients, read again when a recompute changed ticket_sla. */
const caches = new WeakMap<Database, (now: number) => Promise<KnownClients>>();

const CLIENTS_SQL = `SELECT client FROM ticket_sla WHERE client IS NOT NULL AND trim(client) <> ''
  GROUP BY client ORDER BY count(*) DESC, client`;

async function readClients(c: DuckDBConnection): Promise<KnownClients> {
  const names = (await c.runAndReadAll(CLIENTS_SQL)).getRows().map((row) => String(row[0]));
  const byToken = new Map<string, string[]>();
  for (const name of names) {
    const token = normalizeToken(name);
    const same = byToken.get(token);
    if (same) same.push(name);
    else byToken.set(token, [name]);
  }
  return { suggested: names.slice(0, SUGGESTED_CLIENTS), byToken };
}

/**
 * The clients of `db`'s ticket_sla, cached per database until a recompute changes the data: the
 * version is re-read at most every CLIENTS_VERSION_TTL_MS of `now` (the pages' clock), and the
 * names only when it changed. A failed read is not kept: the next page asks again.
 */
export async function getKnownClients(db: Database, now: number): Promise<KnownClients> {
  let clients = caches.get(db);
  if (!clients) caches.set(db, (clients = cacheBySlaVersion(db, readClients, CLIENTS_VERSION_TTL_MS)));
  return clients(now);
}

/**
 * The client a page filters by for what the user typed: the typed name when it is a client's;
 * else the one client spelled the same but for case, accents, spacing, hyphens and underscores; else the
 * typed text, saying whether no client or several match (the page says so).
 */
export function matchClient(known: KnownClients, typed: string): ClientMatch {
  const same = known.byToken.get(normalizeToken(typed)) ?? [];
  if (same.includes(typed)) return { client: typed };
  if (same.length === 1) return { client: same[0]! };
  return { client: typed, unmatched: same.length === 0 ? 'unknown' : 'ambiguous' };
}
