import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { prepareRun, type PreparedRun, RUN_BATCH_RECORDS, writePreparedRuns, writeRun } from '../../src/ingest/writeRun.js';
import type { WriterOptions } from '../../src/ingest/EventWriter.js';
import type { RawRecord } from '../../src/ingest/types.js';
import type { RunResult } from '../../src/ingest/writeRun.js';
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

test('a line that repeats a key, one spelt with a space before its colon, is stored as validated (JSON.parse keeps the last)', async () => {
  // DuckDB reads a repeated key's first value; the line must not be stored as its own event text.
  const lines = [
    '{"id":"b","ticket":"T","at":"2026-03-02T11:05:00Z","type":"ticket.opened","severity" :"bogus","severity":"alta","client":"c"}',
    '{"id":"c","ticket":"T","at":"2026-03-02T11:05:00Z","type" :"nope","type":"ticket.assigned","analyst":"ana"}',
    '{"id":"d","ticket" :null,"ticket":"T-46","at":"2026-03-02T11:05:00Z","type":"ticket.replied","by":"analyst"}',
    '{"id":"e","ticket":"T","at":"2026-03-02T11:05:00Z","type":"ticket.replied","by"\t:\r\n"customer"}',
  ];
  const run = await writeRun(db, options, lines.map((raw, i) => ({ position: i + 1, raw, value: JSON.parse(raw) })), { rawIsJson: true });
  expect(run).toMatchObject({ read: 4, accepted: 4, rejected: 0 });
  expect(await query(db, 'SELECT id, ticket, type, severity, analyst, by_role FROM events ORDER BY id')).toEqual([
    { id: 'b', ticket: 'T', type: 'ticket.opened', severity: 'alta', analyst: null, by_role: null },
    { id: 'c', ticket: 'T', type: 'ticket.assigned', severity: null, analyst: 'ana', by_role: null },
    { id: 'd', ticket: 'T-46', type: 'ticket.replied', severity: null, analyst: null, by_role: 'analyst' },
    { id: 'e', ticket: 'T', type: 'ticket.replied', severity: null, analyst: null, by_role: 'customer' },
  ]);
  // Each keeps the text it was sent as.
  expect((await query(db, 'SELECT raw FROM events_as_sent ORDER BY id')).map((r) => r.raw)).toEqual(lines);
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

describe('writePreparedRuns: a group of runs in one transaction', () => {
  const prepared = (source: string, values: Record<string, unknown>[]): PreparedRun => {
    const runOptions: WriterOptions = { ...options, source };
    return { options: runOptions, batches: prepareRun(records(values), runOptions, { rawIsJson: true }) };
  };
  const fulfilled = (results: PromiseSettledResult<RunResult>[]) =>
    results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });

  test('each run keeps its own row, counts, rejects and events, all written by one transaction', async () => {
    const results = fulfilled(
      await writePreparedRuns(db, [
        prepared('hook', [opened('a-1', 'T-1'), { ...opened('a-2', 'T-2'), severity: 'gravissima' }, opened('a-3', 'T-1')]),
        prepared('other', [{ ...opened('b-1', 'T-5'), type: 'ticket.teleported' }, opened('b-2', 'T-5')]),
        prepared('hook', [{ id: 's-1', ticket: 'T-1', at: '2026-03-05T10:00:00Z', type: 'survey.answered', rating: 'neutro' }]),
      ]),
    );
    expect(results).toEqual([
      { read: 3, accepted: 2, duplicates: 0, rejected: 1, tickets: 1, runId: expect.any(Number), rejects: [expect.objectContaining({ position: 2, reason: 'unknown_severity' })] },
      { read: 2, accepted: 1, duplicates: 0, rejected: 1, tickets: 1, runId: expect.any(Number), rejects: [expect.objectContaining({ position: 1, reason: 'unknown_type' })] },
      { read: 1, accepted: 1, duplicates: 0, rejected: 0, tickets: 1, runId: expect.any(Number), rejects: [] },
    ]);
    const [a, b, c] = results.map((run) => run.runId);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(await query(db, 'SELECT id::INTEGER AS id, source, status, read::INTEGER AS read, accepted::INTEGER AS accepted, rejected::INTEGER AS rejected FROM ingest_runs ORDER BY id')).toEqual([
      { id: a, source: 'hook', status: 'done', read: 3, accepted: 2, rejected: 1 },
      { id: b, source: 'other', status: 'done', read: 2, accepted: 1, rejected: 1 },
      { id: c, source: 'hook', status: 'done', read: 1, accepted: 1, rejected: 0 },
    ]);
    // current_timestamp is the transaction's start: one value means one transaction.
    expect(await query(db, 'SELECT count(DISTINCT started_at)::INTEGER AS n FROM ingest_runs')).toEqual([{ n: 1 }]);
    expect(await query(db, 'SELECT source, id, run_id::INTEGER AS run FROM events ORDER BY id')).toEqual([
      { source: 'hook', id: 'a-1', run: a },
      { source: 'hook', id: 'a-3', run: a },
      { source: 'other', id: 'b-2', run: b },
      { source: 'hook', id: 's-1', run: c },
    ]);
    expect(await query(db, 'SELECT source, id, rating, run_id::INTEGER AS run FROM survey_answers')).toEqual([{ source: 'hook', id: 's-1', rating: 'neutro', run: c }]);
    expect(await query(db, 'SELECT source, position::INTEGER AS position, reason, run_id::INTEGER AS run FROM rejects ORDER BY source')).toEqual([
      { source: 'hook', position: 2, reason: 'unknown_severity', run: a },
      { source: 'other', position: 1, reason: 'unknown_type', run: b },
    ]);
    expect(await query(db, "SELECT name, kind FROM sources WHERE name IN ('hook', 'other') ORDER BY name")).toEqual([
      { name: 'hook', kind: 'http' },
      { name: 'other', kind: 'http' },
    ]);
    expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-1' }, { ticket: 'T-5' }]);
  });

  test('an id in two runs of a group is stored once, by the first, and counted once as a duplicate', async () => {
    await writeRun(db, options, records([opened('old', 'T-9')]), { rawIsJson: true });
    const results = fulfilled(
      await writePreparedRuns(db, [
        prepared('hook', [opened('x-1', 'T-1'), opened('x-2', 'T-2')]),
        prepared('hook', [opened('x-2', 'T-2'), opened('x-3', 'T-3'), opened('old', 'T-9')]),
        prepared('other', [opened('x-2', 'T-2')]),
      ]),
    );
    expect(results.map(({ accepted, duplicates }) => ({ accepted, duplicates }))).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 1, duplicates: 2 },
      // Another source's x-2 is another event.
      { accepted: 1, duplicates: 0 },
    ]);
    expect(await query(db, "SELECT source, run_id::INTEGER AS run FROM events WHERE id = 'x-2' ORDER BY source")).toEqual([
      { source: 'hook', run: results[0]!.runId },
      { source: 'other', run: results[2]!.runId },
    ]);
    expect(await query(db, 'SELECT accepted::INTEGER AS accepted, duplicates::INTEGER AS duplicates FROM ingest_runs WHERE id = $id', { id: results[1]!.runId })).toEqual([
      { accepted: 1, duplicates: 2 },
    ]);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 5 }]);
    expect(await query(db, "SELECT DISTINCT ticket FROM changed_tickets WHERE ticket <> 'T-9' ORDER BY ticket")).toEqual([{ ticket: 'T-1' }, { ticket: 'T-2' }, { ticket: 'T-3' }]);
  });

  test('a reused id whose content differs from the kept copy is counted as a conflict by the run that sent it, in a group as alone', async () => {
    await writeRun(db, options, records([opened('old', 'T-9')]), { rawIsJson: true });
    const group = [
      // Same content as stored: a plain duplicate. Another ticket for a stored id: a conflict.
      prepared('hook', [opened('old', 'T-9'), opened('old', 'T-8'), opened('k-1', 'T-1')]),
      // k-1 again in the group, with another severity: a conflict against the group's first copy.
      prepared('hook', [{ ...opened('k-1', 'T-1'), severity: 'baixa' }, opened('k-2', 'T-2')]),
      // Another source's k-1 is another event, not a conflict.
      prepared('other', [{ ...opened('k-1', 'T-1'), client: 'Outro' }]),
    ];
    const grouped = fulfilled(await writePreparedRuns(db, group));
    expect(grouped.map(({ accepted, duplicates, conflicts }) => ({ accepted, duplicates, conflicts }))).toEqual([
      { accepted: 1, duplicates: 2, conflicts: 1 },
      { accepted: 1, duplicates: 1, conflicts: 1 },
      { accepted: 1, duplicates: 0, conflicts: undefined },
    ]);
    // Alone (one run, one writer): the same counts the file import reports.
    const alone = await writeRun(db, options, records([opened('old', 'T-7'), opened('k-2', 'T-2'), opened('k-3', 'T-3')]), { rawIsJson: true });
    expect(alone).toMatchObject({ accepted: 1, duplicates: 2, conflicts: 1 });
    const plain = await writeRun(db, options, records([opened('k-3', 'T-3')]), { rawIsJson: true });
    expect(plain).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(plain.conflicts).toBeUndefined();
    // The first copy stays.
    expect(await query(db, "SELECT ticket, severity FROM events WHERE source = 'hook' AND id IN ('old', 'k-1') ORDER BY id")).toEqual([
      { ticket: 'T-1', severity: 'alta' },
      { ticket: 'T-9', severity: 'alta' },
    ]);
  });

  test('a group whose transaction fails is written run by run: the bad run fails alone', async () => {
    const bad = prepared('hook', [opened('z-1', 'T-1')]);
    // Text DuckDB cannot read as JSON: this run fails in any transaction.
    bad.batches[0]!.docs[0] = '{"id": oops';
    const results = await writePreparedRuns(db, [prepared('hook', [opened('y-1', 'T-1')]), bad, prepared('other', [opened('y-2', 'T-2')])]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ reason: expect.any(Error) });
    expect(await query(db, 'SELECT source, id FROM events ORDER BY id')).toEqual([
      { source: 'hook', id: 'y-1' },
      { source: 'other', id: 'y-2' },
    ]);
    // Two transactions, one per good run; the bad one left no run row.
    expect(await query(db, "SELECT count(*)::INTEGER AS n, count(DISTINCT started_at)::INTEGER AS starts, bool_and(status = 'done') AS done FROM ingest_runs")).toEqual([
      { n: 2, starts: 2, done: true },
    ]);
  });
});
