import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import {
  BATCH_FROM_STAGED,
  countGroupConflictsSql,
  CREATE_STAGED_EVENTS,
  INSERT_CHANGED_TICKETS,
  INSERT_CHANGED_TICKETS_OF_BATCH,
  groupEventValues,
} from './batchSql.js';
import { withEventWriteLock } from './eventWriteLock.js';
import { inTransaction } from '../db/withConnection.js';
import { type BatchResult, EventWriter, type WriterOptions } from './EventWriter.js';
import { type PreparedBatch, type PrepareOptions, prepareBatch } from './prepareBatch.js';
import { getKnownSources, insertFinishedRuns, markRunFailed } from './runRows.js';
import { stageBatches } from './stageBatches.js';
import type { IngestCounts, RawRecord } from './types.js';
import type { ValidateOptions } from './validateEvent.js';

/** A run written by writeRun: its totals, its id and the reasons of its rejects. */
export interface RunResult extends IngestCounts {
  runId: number;
  rejects: BatchResult['rejects'];
}

/** Records per transaction of writeRun (a request body larger than this takes several). */
export const RUN_BATCH_RECORDS = 16_384;

/**
 * Writes records held in memory (an HTTP request) as one run. The run's row is created in the
 * first batch's transaction and finished in the last one's, so a run of up to
 * RUN_BATCH_RECORDS records is exactly one transaction: all of it is stored, run included, or
 * nothing is. A larger one commits a batch at a time; when a later batch fails, the run is
 * marked failed and the error thrown.
 */
export async function writeRun(db: Database, options: WriterOptions, records: RawRecord[], prepareOptions: PrepareOptions = {}): Promise<RunResult> {
  return writePreparedRun(db, options, prepareRun(records, options, prepareOptions));
}

/**
 * The JavaScript half of writeRun: validates and serialises the records, a batch per
 * RUN_BATCH_RECORDS (at least one). It needs no database, so a server can prepare a request
 * while another request's run is being written.
 */
export function prepareRun(records: RawRecord[], validateOptions: ValidateOptions, prepareOptions: PrepareOptions = {}): PreparedBatch[] {
  const batches: PreparedBatch[] = [];
  let start = 0;
  do {
    batches.push(prepareBatch(records.slice(start, start + RUN_BATCH_RECORDS), validateOptions, prepareOptions));
    start += RUN_BATCH_RECORDS;
  } while (start < records.length);
  return batches;
}

/** The DuckDB half of writeRun: stores batches from prepareRun as one run. */
export async function writePreparedRun(db: Database, options: WriterOptions, batches: PreparedBatch[]): Promise<RunResult> {
  const writer = await EventWriter.openRunless(db, options);
  try {
    // No TimeZone to set: events from JavaScript carry their instant as epoch ms.
    const tickets = new Set<string>();
    const rejects: BatchResult['rejects'] = [];
    for (const [i, prepared] of batches.entries()) {
      for (const ticket of prepared.tickets) tickets.add(ticket);
      rejects.push(...prepared.rejects);
      await writer.stage(prepared, { createBatch: true });
      const counts = { read: prepared.read, valid: prepared.positions.length, rejected: prepared.rejects.length, surveys: prepared.surveys };
      await writer.commitStaged(counts, options.origin, { finish: i === batches.length - 1 });
    }
    return { ...writer.totals, tickets: tickets.size, runId: writer.runId, rejects };
  } catch (error) {
    if (writer.hasRun) await markRunFailed(writer.connection, writer.runId, error).catch(() => undefined);
    throw error;
  } finally {
    writer.close();
  }
}

/** A run prepared for writePreparedRuns: a request's options and its batches from prepareRun. */
export interface PreparedRun {
  options: WriterOptions;
  batches: PreparedBatch[];
}

/**
 * Runs of a group are staged in one table: a run's rows at position `index × GROUP_POSITION +
 * position`, so ordering by it orders by run, then by line (a request's lines number far fewer).
 */
const GROUP_POSITION = 2 ** 32;
const RUN_INDEX = `(pos // ${GROUP_POSITION})::INTEGER + 1`;


/**
 * Writes several runs (requests waiting for the writer) in ONE transaction when they can be: each
 * keeps its run row, counts and rejects, as if written alone in order (the second copy of a
 * (source, id) in the group is a duplicate of the first). A run of several batches, or a group
 * whose transaction fails, is written run by run with writePreparedRun, so one bad run fails alone.
 * The results are in the runs' order.
 */
export async function writePreparedRuns(db: Database, runs: PreparedRun[]): Promise<PromiseSettledResult<RunResult>[]> {
  if (runs.length > 1 && runs.every((run) => run.batches.length === 1)) {
    try {
      return (await writeRunGroup(db, runs)).map((value) => ({ status: 'fulfilled', value }));
    } catch {
      // Fall back to one transaction per run, below.
    }
  }
  const results: PromiseSettledResult<RunResult>[] = [];
  for (const run of runs) {
    try {
      results.push({ status: 'fulfilled', value: await writePreparedRun(db, run.options, run.batches) });
    } catch (reason) {
      results.push({ status: 'rejected', reason });
    }
  }
  return results;
}

/** Runs of one batch each, stored in one transaction: events, answers, rejects, changed tickets, run rows. */
async function writeRunGroup(db: Database, runs: PreparedRun[]): Promise<RunResult[]> {
  const c = await db.connect();
  try {
    const batches = runs.map((run) => run.batches[0]!);
    await stageGroup(c, batches);
    const ids = (await c.runAndReadAll(`SELECT nextval('ingest_run_id')::DOUBLE FROM range(${runs.length})`)).getRows().map((row) => Number(row[0]));
    ids.sort((a, b) => a - b);
    const params = { sources: listValue(runs.map((run) => run.options.source)), runIds: listValue(ids.map((id) => BigInt(id))) };
    const valid = batches.map((batch) => batch.positions.length);
    const results = await withEventWriteLock(db, () =>
      inTransaction(c, async () => {
        const { accepted, conflicts } = await insertGroupEvents(c, params, ids, valid);
        if (batches.some((batch) => batch.surveys > 0)) await c.run(INSERT_GROUP_SURVEY_ANSWERS, params);
        if (batches.some((batch) => batch.rejects.length > 0)) {
          await c.run(INSERT_GROUP_REJECTS, { ...params, origins: listValue(runs.map((run) => run.options.origin)) });
        }
        const done = runs.map((run, i) => groupResult(batches[i]!, ids[i]!, accepted[i]!, conflicts[i]!));
        await insertFinishedRuns(c, runs.map((run, i) => ({ options: run.options, counts: done[i]!, id: ids[i]! })), getKnownSources(db));
        return done;
      }),
    );
    for (const run of runs) getKnownSources(db).add(run.options.source);
    return results;
  } finally {
    c.closeSync();
  }
}

function groupResult(batch: PreparedBatch, runId: number, accepted: number, conflicts: number): RunResult {
  const valid = batch.positions.length;
  const tickets = new Set(batch.tickets).size;
  return {
    read: batch.read,
    accepted,
    duplicates: valid - accepted,
    rejected: batch.rejects.length,
    tickets,
    // As a run written alone (EventWriter.totals): only when some duplicate differed from its kept copy.
    ...(conflicts > 0 ? { conflicts } : {}),
    runId,
    rejects: batch.rejects,
  };
}

/** Stages the group's batches (outside its transaction): staged_events → batch, staged_rejects. */
async function stageGroup(c: DuckDBConnection, batches: PreparedBatch[]): Promise<void> {
  const staged = await stageBatches(c, batches, (run) => run * GROUP_POSITION);
  if (!staged.events) await c.run(CREATE_STAGED_EVENTS);
  await c.run(`CREATE OR REPLACE TEMP TABLE batch AS ${BATCH_FROM_STAGED}`);
}

/**
 * The group's events and changed tickets; returns each run's accepted count, and of its duplicates
 * those whose content differs from the copy kept. As in a run alone, a plain INSERT when none of
 * the rows is stored or repeated, else the deduplicating one (first copy by run, then line).
 */
async function insertGroupEvents(
  c: DuckDBConnection,
  params: Record<string, DuckDBValue>,
  ids: number[],
  valid: number[],
): Promise<{ accepted: number[]; conflicts: number[] }> {
  const none = valid.map(() => 0);
  if (valid.every((n) => n === 0)) return { accepted: valid, conflicts: none };
  const [stored, repeated] = (await c.runAndReadAll(COUNT_GROUP_DUPLICATES, params)).getRows()[0] as [number, number];
  if (stored === 0 && repeated === 0) {
    await c.run(INSERT_GROUP_EVENTS, params);
    await c.run(INSERT_CHANGED_TICKETS_OF_BATCH);
    return { accepted: valid, conflicts: none };
  }
  const runOf = new Map(ids.map((id, i) => [id, i]));
  // Before the insert: a kept copy is the stored one, else the group's first.
  const conflicts = valid.map(() => 0);
  for (const [runId, n] of (await c.runAndReadAll(COUNT_GROUP_CONFLICTS, params)).getRows()) conflicts[runOf.get(Number(runId))!] = Number(n);
  const inserted = (await c.runAndReadAll(INSERT_GROUP_EVENTS_DEDUPLICATED, params)).getRows();
  const accepted = valid.map(() => 0);
  for (const [runId] of inserted) accepted[runOf.get(Number(runId))!]!++;
  const changed = [...new Set(inserted.map((row) => String(row[1])))];
  if (changed.length > 0) await c.run(INSERT_CHANGED_TICKETS, { tickets: listValue(changed) });
  return { accepted, conflicts };
}

/** The batch's valid rows with their run's source and id (`src`, `rid`). */
const GROUP_ROWS = `(SELECT *, ($sources::VARCHAR[])[${RUN_INDEX}] AS src, ($runIds::BIGINT[])[${RUN_INDEX}] AS rid FROM batch WHERE ok)`;
const COUNT_GROUP_DUPLICATES = `
  SELECT (SELECT count(*) FROM events e SEMI JOIN ${GROUP_ROWS} b ON e.source = b.src AND e.id = b.id)::INTEGER,
         (SELECT count(*) - count(DISTINCT (src, id)) FROM ${GROUP_ROWS})::INTEGER`;
const COUNT_GROUP_CONFLICTS = countGroupConflictsSql(GROUP_ROWS);
const INSERT_GROUP_EVENTS = `INSERT INTO events ${groupEventValues(GROUP_ROWS)}`;
const INSERT_GROUP_EVENTS_DEDUPLICATED = `
  INSERT INTO events ${groupEventValues(`(SELECT * FROM ${GROUP_ROWS} b WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.source = b.src AND e.id = b.id)
    QUALIFY row_number() OVER (PARTITION BY src, id ORDER BY pos) = 1)`)}
  RETURNING run_id, ticket`;
const INSERT_GROUP_SURVEY_ANSWERS = `
  INSERT INTO survey_answers
  SELECT src, id, ticket, occurred_at, rating, score, comment, rid, current_timestamp
  FROM (SELECT * FROM ${GROUP_ROWS} WHERE type = 'survey.answered' QUALIFY row_number() OVER (PARTITION BY src, id ORDER BY pos) = 1)
  ON CONFLICT DO NOTHING`;
const INSERT_GROUP_REJECTS = `
  INSERT INTO rejects (source, origin, position, raw, raw_hash, reason, message, run_id)
  SELECT * FROM (
    SELECT ($sources::VARCHAR[])[${RUN_INDEX}] AS source, ($origins::VARCHAR[])[${RUN_INDEX}] AS origin, pos % ${GROUP_POSITION} AS position,
      raw, md5(raw) AS raw_hash, reason, message, ($runIds::BIGINT[])[${RUN_INDEX}] AS run_id
    FROM staged_rejects
    QUALIFY row_number() OVER (PARTITION BY source, origin, position, raw_hash ORDER BY pos) = 1)
  ON CONFLICT (source, origin, position, raw_hash) DO NOTHING`;
