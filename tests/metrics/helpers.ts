import { join } from 'node:path';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { preparePseudonymKey } from '../../src/metrics/pseudonymize.js';
import { loadPolicy } from '../../src/policy/loadPolicy.js';

export const METRICS_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'metrics');
export const policy = loadPolicy();
/** A fixed key, so tests never depend on the environment nor print the development-key warning. */
export const TEST_KEY = 'test-pseudonym-key';
export const pseudonymKey = preparePseudonymKey(TEST_KEY);

export async function ingestFixture(db: Database, name: string): Promise<void> {
  const result = await ingestFiles(db, [join(METRICS_FIXTURES, name)]);
  if (result.rejected > 0) throw new Error(`fixture ${name}: ${result.rejected} rejected`);
}

export type Row = Record<string, unknown>;

/** ticket_sla rows by ticket; instants as ISO-8601 UTC text. */
export async function ticketRows(db: Database, where = 'true'): Promise<Record<string, Row>> {
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(`SELECT * FROM ticket_sla WHERE ${where} ORDER BY ticket`);
    return Object.fromEntries(reader.getRowObjectsJS().map((row) => [row.ticket as string, plain(row)]));
  } finally {
    c.closeSync();
  }
}

export function plain(row: Record<string, unknown>): Row {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString().replace('.000Z', 'Z') : value]),
  );
}

export const at = (iso: string) => Date.parse(iso);
