import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { DEFAULT_POLICY_PATH, parsePolicy } from '../../src/policy/loadPolicy.js';
import { freshDatabase, tempDir } from '../ingest/helpers.js';
import { at, policy, pseudonymKey, ticketRows } from './helpers.js';

// An Alta ticket (24x7) moved out of novo at 10:05Z and answered by an analyst at 10:40Z: the
// policy's firstResponse rule decides which one is the first response.
const events = [
  { id: 'f1', ticket: 'FR-1', at: '2026-05-04T10:00:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' },
  { id: 'f2', ticket: 'FR-1', at: '2026-05-04T10:05:00Z', type: 'ticket.status_changed', status: 'em_atendimento' },
  { id: 'f3', ticket: 'FR-1', at: '2026-05-04T10:40:00Z', type: 'ticket.replied', by: 'analyst' },
];

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
  const file = join(tempDir(), 'first-response.ndjson');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  expect((await ingestFiles(db, [file])).accepted).toBe(3);
});
afterAll(() => db.close());

test.each([
  ['earliest', '2026-05-04T10:05:00Z', 300],
  ['status_change', '2026-05-04T10:05:00Z', 300],
  ['analyst_reply', '2026-05-04T10:40:00Z', 2400],
] as const)('policy firstResponse %s → first response at %s', async (rule, expectedAt, seconds) => {
  expect(policy.firstResponse).toBe('earliest');
  const ruled = { ...policy, firstResponse: rule };
  await recomputeTickets(db, ruled, { full: true, now: at('2026-05-04T12:00:00Z'), pseudonymKey });
  const row = (await ticketRows(db))['FR-1']!;
  expect(row).toMatchObject({ first_response_at: expectedAt, response_seconds: seconds });
});

test('a policy file with an unknown firstResponse rule is refused, naming the field', () => {
  const raw = { ...JSON.parse(readFileSync(DEFAULT_POLICY_PATH, 'utf8')), firstResponse: 'primeiro_contato' };
  const result = parsePolicy(JSON.stringify(raw));
  expect(result.value).toBeUndefined();
  expect(result.errors.join('\n')).toMatch(/^firstResponse: /m);
});
