import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { RUN_BATCH_RECORDS, writeRun } from '../../src/ingest/writeRun.js';
import type { RawRecord } from '../../src/ingest/types.js';
import { freshDatabase, query } from './helpers.js';

/** Records as the HTTP route gives them: each raw text is the JSON line its value was parsed from. */
function records(values: Record<string, unknown>[]): RawRecord[] {
  return values.map((value, i) => ({ position: i + 1, raw: JSON.stringify(value), value }));
}
const opened = (id: string, ticket: string) => ({ id, ticket, at: '2026-03-02T11:00:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' });
const options = { source: 'hook', origin: 'http', format: 'ndjson', sourceKind: 'http' };

let db: Database;
beforeEach(async () => {
  db = await freshDatabase();
});
afterEach(() => db.close());

test('a run of records is stored with its run row done and its counts, rejects named, survey answers kept apart', async () => {
  const survey = { id: 's-1', ticket: 'T-1', at: '2026-03-05T10:00:00Z', type: 'survey.answered', rating: 'insatisfeito', comment: 'demorou' };
  const run = await writeRun(
    db,
    options,
    records([opened('e-1', 'T-1'), opened('e-2', 'T-2'), { ...opened('e-3', 'T-3'), severity: 'gravissima' }, opened('e-1', 'T-1'), survey]),
    { rawIsJson: true },
  );
  expect(run).toEqual({
    read: 5,
    accepted: 3,
    duplicates: 1,
    rejected: 1,
    tickets: 2,
    runId: expect.any(Number),
    rejects: [{ position: 3, reason: 'unknown_severity', message: expect.stringContaining('severity') }],
  });
  expect(await query(db, 'SELECT id::INTEGER AS id, source, origin, status, read::INTEGER AS read, accepted::INTEGER AS accepted, duplicates::INTEGER AS duplicates, rejected::INTEGER AS rejected, finished_at IS NOT NULL AS finished FROM ingest_runs')).toEqual([
    { id: run.runId, source: 'hook', origin: 'http', status: 'done', read: 5, accepted: 3, duplicates: 1, rejected: 1, finished: true },
  ]);
  expect(await query(db, "SELECT name, kind FROM sources WHERE name = 'hook'")).toEqual([{ name: 'hook', kind: 'http' }]);
  expect(await query(db, 'SELECT id, run_id::INTEGER AS run FROM events ORDER BY id')).toEqual(
    ['e-1', 'e-2', 's-1'].map((id) => ({ id, run: run.runId })),
  );
  expect(await query(db, "SELECT raw FROM events WHERE id = 's-1'")).toEqual([{ raw: expect.not.stringContaining('insatisfeito') }]);
  expect(await query(db, 'SELECT id, rating, comment FROM survey_answers')).toEqual([{ id: 's-1', rating: 'insatisfeito', comment: 'demorou' }]);
  expect(await query(db, 'SELECT position::INTEGER AS position, reason FROM rejects')).toEqual([{ position: 3, reason: 'unknown_severity' }]);
  expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-1' }, { ticket: 'T-2' }]);

  // The same records again: a run of duplicates, and the rejects not doubled.
  const again = await writeRun(db, options, records([opened('e-1', 'T-1'), opened('e-2', 'T-2'), { ...opened('e-3', 'T-3'), severity: 'gravissima' }]), {
    rawIsJson: true,
  });
  expect(again).toMatchObject({ read: 3, accepted: 0, duplicates: 2, rejected: 1, tickets: 2 });
  expect(again.runId).not.toBe(run.runId);
  expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM rejects')).toEqual([{ n: 1 }]);
});

test('a transaction that fails at its last statement keeps nothing of its attempt: the retry stores every event once, under one run', async () => {
  // The run's row is the transaction's last statement; take the id it will draw, so that statement fails.
  const [{ next }] = (await query(db, "SELECT nextval('ingest_run_id')::INTEGER + 1 AS next")) as [{ next: number }];
  await query(db, "INSERT INTO ingest_runs (id, source, origin, format, started_at, status) VALUES ($id, 'other', 'x', 'ndjson', current_timestamp, 'done')", { id: next });
  const run = await writeRun(db, options, records([opened('e-1', 'T-1'), opened('e-2', 'T-2')]));
  // Had the failed attempt's events stayed, the retry would have found them stored: duplicates.
  expect(run).toMatchObject({ read: 2, accepted: 2, duplicates: 0 });
  // The first attempt drew `next` and failed on it; the retry drew the id after.
  expect(run.runId).toBe(next + 1);
  expect(await query(db, "SELECT count(*)::INTEGER AS n, min(run_id)::INTEGER AS run, max(run_id)::INTEGER AS last FROM events")).toEqual([{ n: 2, run: run.runId, last: run.runId }]);
  expect(await query(db, "SELECT count(*)::INTEGER AS n FROM ingest_runs WHERE source = 'hook'")).toEqual([{ n: 1 }]);
  expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM changed_tickets')).toEqual([{ n: 2 }]);
});

test('more records than one transaction holds: several batches, one run, done once the last commits', async () => {
  const values = Array.from({ length: RUN_BATCH_RECORDS + 5 }, (_, i) => opened(`e-${i}`, `T-${i % 3}`));
  const run = await writeRun(db, options, records(values), { rawIsJson: true });
  expect(run).toMatchObject({ read: values.length, accepted: values.length, duplicates: 0, rejected: 0, tickets: 3 });
  expect(await query(db, 'SELECT status, accepted::INTEGER AS accepted FROM ingest_runs')).toEqual([{ status: 'done', accepted: values.length }]);
  expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events WHERE run_id = $run', { run: run.runId })).toEqual([{ n: values.length }]);
  // One row per ticket and batch: two batches.
  expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM changed_tickets')).toEqual([{ n: 6 }]);
}, 30_000);
