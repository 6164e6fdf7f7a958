import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { explainTicket } from '../../src/metrics/explainTicket.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { freshDatabase, tempDir } from '../ingest/helpers.js';
import { at, policy, pseudonymKey, ticketRows } from './helpers.js';

// SURV is closed on 4 March; its survey is answered on 5 March at 12:00Z. ONLY has nothing but a
// survey answer (it arrived before the ticket's other events, or the ticket predates the data).
const SURVEY_AT = '2026-03-05T12:00:00Z';
const events = [
  { id: 's1', ticket: 'SURV', at: '2026-03-04T12:00:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' },
  { id: 's2', ticket: 'SURV', at: '2026-03-04T13:00:00Z', type: 'ticket.status_changed', status: 'resolvido' },
  { id: 's3', ticket: 'SURV', at: '2026-03-04T14:00:00Z', type: 'ticket.status_changed', status: 'fechado', reason: 'approved' },
  { id: 's4', ticket: 'SURV', at: SURVEY_AT, type: 'survey.answered', rating: 'insatisfeito', comment: 'demorou' },
  { id: 'o1', ticket: 'ONLY', at: SURVEY_AT, type: 'survey.answered', rating: 'satisfeito' },
];

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
  const file = join(tempDir(), 'surveys.ndjson');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  expect((await ingestFiles(db, [file])).accepted).toBe(5);
  await recomputeTickets(db, policy, { full: true, now: at('2026-03-10T12:00:00Z'), pseudonymKey });
});
afterAll(() => db.close());

test('a survey answer alone makes no ticket: it would open a phantom ticket at the answer time', async () => {
  const rows = await ticketRows(db);
  expect(Object.keys(rows)).toEqual(['SURV']);
});

test('no SLA instant of a ticket tells when its survey was answered', async () => {
  const row = (await ticketRows(db)).SURV!;
  expect(row.last_event_at).toBe('2026-03-04T14:00:00Z');
  const explained = await explainTicket(db, policy, 'SURV', { now: at('2026-03-10T12:00:00Z'), pseudonymKey });
  const instants = JSON.stringify(explained);
  expect(instants).not.toContain('2026-03-05T12:00:00');
});

test('incrementally too: a late survey for a closed ticket changes none of its instants', async () => {
  const before = (await ticketRows(db)).SURV!;
  const file = join(tempDir(), 'late-survey.ndjson');
  writeFileSync(file, JSON.stringify({ id: 's5', ticket: 'SURV', at: '2026-03-09T12:00:00Z', type: 'survey.answered', rating: 'neutro' }));
  await ingestFiles(db, [file]);
  await recomputeTickets(db, policy, { now: at('2026-03-10T12:00:00Z'), pseudonymKey });
  const after = (await ticketRows(db)).SURV!;
  expect({ ...after, computed_at: null }).toEqual({ ...before, computed_at: null });
});
