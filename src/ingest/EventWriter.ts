import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import {
  CREATE_BATCH,
  CREATE_STAGED_EVENTS,
  CREATE_STAGED_REJECTS,
  BATCH_FROM_STAGED,
  INSERT_CHANGED_TICKETS,
  INSERT_CHANGED_TICKETS_OF_BATCH,
  INSERT_EVENTS,
  INSERT_EVENTS_DEDUPLICATED,
  INSERT_REJECTS,
  INSERT_RUN_TICKETS,
  INSERT_RUN,
  INSERT_SOURCE,
  INSERT_SURVEY_ANSWERS,
  isDuplicateKeyError,
  NEXT_RUN_ID,
  isWriteConflictError,
  UPDATE_RUN_COUNTS,
} from './batchSql.js';
import type { CanonicalEvent, IngestCounts, RawRecord } from './types.js';
import { type ValidateOptions, validateEventWithZod } from './validateEvent.js';
import { validateEventFast } from './validateEventFast.js';

/** Survey answers go to the satisfaction zone only; the event log keeps that a survey was answered. */
const SURVEY_FIELDS = ['rating', 'score', 'comment'];

/**
 * Events written between checkpoints. Large batches go straight to the database file, so the
 * WAL stays small and DuckDB would not checkpoint by itself; until it does, the primary key's
 * index of every event written since stays in memory, where the memory limit cannot evict it.
 */
const CHECKPOINT_EVERY = 1_000_000;

/** Tries of a batch's transaction that conflicts with a concurrent one, and the pause before each retry. */
const COMMIT_ATTEMPTS = 8;
const retryDelay = (attempt: number) => Math.min(20 * 2 ** (attempt - 1), 1000) * (0.5 + Math.random() / 2);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sources known to have their row, by database: sources are never deleted, and one process owns
 * the database file, so a source stored once need not be inserted again by every run.
 */
const knownSources = new WeakMap<Database, Set<string>>();
function getKnownSources(db: Database): Set<string> {
  let known = knownSources.get(db);
  if (!known) knownSources.set(db, (known = new Set()));
  return known;
}

export interface WriterOptions extends ValidateOptions {
  source: string;
  /** Where the records come from: a file path, or "http". */
  origin: string;
  format: string;
  /** Kind recorded for a new source. */
  sourceKind?: string;
}

export interface PrepareOptions {
  /**
   * Each record's `raw` is the JSON text its `value` was parsed from (an NDJSON line, an element
   * of a JSON body). Events already in canonical form are then staged as that text alone and
   * DuckDB reads their fields from it, instead of from a second, serialised copy.
   */
  rawIsJson?: boolean;
}

/** A batch validated and serialised in JavaScript, column by column, ready for commit. */
export interface PreparedBatch {
  read: number;
  positions: number[];
  /** Event instants, UTC epoch ms. */
  ats: number[];
  /** The canonical event as JSON, or null when the raw text reads as the event. */
  docs: (string | null)[];
  raws: string[];
  surveys: number;
  rejects: BatchResult['rejects'];
  rejectRaws: string[];
  /** The ticket of each valid event. */
  tickets: string[];
}

export interface BatchResult extends Omit<IngestCounts, 'tickets'> {
  rejects: { position: number; reason: string; message: string }[];
}

/** What a staged batch holds, for the transaction that stores it. */
export interface StagedCounts {
  read: number;
  valid: number;
  rejected: number;
  /** Survey answers among the valid events (0 skips their statement). */
  surveys: number;
}

/** A run written by EventWriter.writeRun: its totals, its id and the reasons of its rejects. */
export interface RunResult extends IngestCounts {
  runId: number;
  rejects: BatchResult['rejects'];
}

/** Records per transaction of EventWriter.writeRun (a request body larger than this takes several). */
export const RUN_BATCH_RECORDS = 16_384;

/**
 * Writes validated events of one ingest run, a batch per transaction: the batch's events,
 * survey answers, rejects, changed tickets and the run's counts commit together or not at all,
 * so a crash loses at most the batch in flight and re-running the import adds only what is missing.
 */
export class EventWriter {
  private readonly counts: IngestCounts = { read: 0, accepted: 0, duplicates: 0, rejected: 0, tickets: 0 };
  private acceptedSinceCheckpoint = 0;

  private constructor(
    /** The writer's own connection; its temporary tables hold the batch being written. */
    readonly connection: DuckDBConnection,
    private readonly options: WriterOptions,
    private readonly knownSources: Set<string>,
    /** The run's row; undefined until the first batch's transaction creates it (writeRun). */
    private id: number | undefined,
    /** Whether the run's tickets are counted in the temporary table run_tickets (else by the caller). */
    private readonly ticketsInSql = true,
  ) {}

  /**
   * A writer for a run of many batches (files): the run's row is committed first, as "running",
   * so an import that dies midway leaves a run that markInterruptedRuns can name.
   */
  static async open(db: Database, options: WriterOptions): Promise<EventWriter> {
    const connection = await db.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run('CREATE TEMP TABLE run_tickets (ticket VARCHAR)');
      const known = getKnownSources(db);
      await connection.run('BEGIN TRANSACTION');
      const id = await insertRun(connection, options, known, { id: null, read: 0, accepted: 0, duplicates: 0, rejected: 0, finish: false });
      await connection.run('COMMIT');
      known.add(options.source);
      return new EventWriter(connection, options, known, id);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /**
   * Writes records held in memory (an HTTP request) as one run. The run's row is created in the
   * first batch's transaction and finished in the last one's, so a run of up to
   * RUN_BATCH_RECORDS records is exactly one transaction: all of it is stored, run included, or
   * nothing is. A larger one commits a batch at a time; when a later batch fails, the run is
   * marked failed and the error thrown.
   */
  static async writeRun(db: Database, options: WriterOptions, records: RawRecord[], prepareOptions: PrepareOptions = {}): Promise<RunResult> {
    const connection = await db.connect();
    const writer = new EventWriter(connection, options, getKnownSources(db), undefined, false);
    try {
      // No TimeZone to set: events from JavaScript carry their instant as epoch ms.
      const tickets = new Set<string>();
      const rejects: BatchResult['rejects'] = [];
      let start = 0;
      do {
        const prepared = writer.prepare(records.slice(start, start + RUN_BATCH_RECORDS), prepareOptions);
        start += RUN_BATCH_RECORDS;
        for (const ticket of prepared.tickets) tickets.add(ticket);
        rejects.push(...prepared.rejects);
        await writer.stage(prepared, { createBatch: true });
        const counts = { read: prepared.read, valid: prepared.positions.length, rejected: prepared.rejects.length, surveys: prepared.surveys };
        await writer.commitStaged(counts, options.origin, { finish: start >= records.length });
      } while (start < records.length);
      writer.counts.tickets = tickets.size;
      return { ...writer.totals, runId: writer.runId, rejects };
    } catch (error) {
      if (writer.id !== undefined) await markRunFailed(connection, writer.id, error).catch(() => undefined);
      throw error;
    } finally {
      connection.closeSync();
    }
  }

  /** The run's id (ingest_runs.id). */
  get runId(): number {
    if (this.id === undefined) throw new Error('the run has no row yet: no batch was committed');
    return this.id;
  }

  get totals(): IngestCounts {
    return { ...this.counts };
  }

  /** Validates and stores one batch in one transaction; `origin` names the file it came from. */
  async write(records: RawRecord[], origin = this.options.origin, options: PrepareOptions = {}): Promise<BatchResult> {
    return this.commit(this.prepare(records, options), origin);
  }

  /**
   * The JavaScript half of a batch: validation and serialisation. Kept apart from commit so the
   * next batch can be prepared while DuckDB commits the previous one.
   */
  prepare(records: RawRecord[], options: PrepareOptions = {}): PreparedBatch {
    const batch: PreparedBatch = { read: records.length, positions: [], ats: [], docs: [], raws: [], surveys: 0, rejects: [], rejectRaws: [], tickets: [] };
    for (const record of records) {
      let event: CanonicalEvent;
      let verbatim = false;
      const fast = record.error ? undefined : validateEventFast(record.value);
      if (fast) {
        event = fast.event;
        verbatim = fast.verbatim && options.rawIsJson === true && isJsonTextOf(record.raw, record.value as object, event);
      } else {
        const checked = record.error ? ({ ok: false, ...record.error } as const) : validateEventWithZod(record.value, this.options);
        if (!checked.ok) {
          batch.rejects.push({ position: record.position, reason: checked.reason, message: checked.message });
          batch.rejectRaws.push(record.raw);
          continue;
        }
        event = checked.event;
      }
      batch.positions.push(record.position);
      batch.tickets.push(event.ticket);
      batch.ats.push(event.at);
      batch.docs.push(verbatim ? null : toJsonText(event));
      batch.raws.push(rawOf(record, event));
      if (event.type === 'survey.answered') batch.surveys++;
    }
    return batch;
  }

  /** The DuckDB half: one transaction for the batch's events, answers, rejects, tickets and counts. */
  async commit(batch: PreparedBatch, origin = this.options.origin): Promise<BatchResult> {
    if (batch.read === 0) return { read: 0, accepted: 0, duplicates: 0, rejected: 0, rejects: batch.rejects };
    await this.stage(batch, { createBatch: true });
    const counts = { read: batch.read, valid: batch.positions.length, rejected: batch.rejects.length, surveys: batch.surveys };
    return { ...(await this.commitStaged(counts, origin)), rejects: batch.rejects };
  }

  /**
   * Adds a prepared batch to what is staged (outside the batch's transaction): its rejects to
   * `staged_rejects`, its valid events to the temporary table `batch`, which must exist unless
   * `createBatch`.
   */
  async stage(batch: PreparedBatch, options: { createBatch?: boolean } = {}): Promise<void> {
    const c = this.connection;
    if (batch.rejects.length > 0) {
      await c.run(CREATE_STAGED_REJECTS);
      const appender = await c.createAppender('staged_rejects', 'main', 'temp');
      batch.rejects.forEach((reject, i) => {
        appender.appendBigInt(BigInt(reject.position));
        appender.appendVarchar(batch.rejectRaws[i]!);
        appender.appendVarchar(reject.reason);
        appender.appendVarchar(reject.message);
        appender.endRow();
      });
      appender.closeSync();
    }
    if (batch.positions.length === 0) {
      if (options.createBatch) await c.run(CREATE_BATCH);
      return;
    }
    await c.run(CREATE_STAGED_EVENTS);
    const appender = await c.createAppender('staged_events', 'main', 'temp');
    const { positions, ats, docs, raws } = batch;
    for (let i = 0; i < positions.length; i++) {
      appender.appendBigInt(BigInt(positions[i]!));
      appender.appendDouble(ats[i]!);
      const doc = docs[i];
      if (doc === null) appender.appendNull();
      else appender.appendVarchar(doc!);
      appender.appendVarchar(raws[i]!);
      appender.endRow();
    }
    appender.closeSync();
    await c.run(options.createBatch ? `CREATE OR REPLACE TEMP TABLE batch AS ${BATCH_FROM_STAGED}` : `INSERT INTO batch ${BATCH_FROM_STAGED}`);
  }

  /**
   * Stores what is staged (the temporary tables `batch` and `staged_rejects`) in one transaction.
   * The set-wise readers stage a batch with SQL of their own, then call this. A transaction that
   * conflicts with a concurrent one on this database (another run committing the same event first,
   * say) is rolled back and tried again, up to COMMIT_ATTEMPTS times with a growing pause: what is
   * staged lives outside the transaction, so the retry writes exactly the same batch (and counts
   * what the other run stored as duplicates). `finish` marks the run done in the same transaction.
   * `unordered` lets DuckDB store the batch's rows in any order (each statement says its order where
   * it needs one): a large batch and its primary key's index are then written in parallel, about
   * twice as fast, for more memory while it runs (measured with bench/ingest.ts: fine for Parquet,
   * past 1 GB with the NDJSON reader's temporary tables beside it).
   */
  async commitStaged(
    staged: StagedCounts,
    origin = this.options.origin,
    options: { finish?: boolean; unordered?: boolean } = {},
  ): Promise<Omit<BatchResult, 'rejects'>> {
    let result: Omit<BatchResult, 'rejects'> | undefined;
    const unordered = options.unordered === true && staged.valid > 0;
    if (unordered) await this.connection.run('SET SESSION preserve_insertion_order = false');
    try {
      result = await this.commitWithRetries(staged, origin, options.finish === true);
    } finally {
      if (unordered) await this.connection.run('RESET SESSION preserve_insertion_order');
    }
    await this.count(result);
    return result;
  }

  private async commitWithRetries(staged: StagedCounts, origin: string, finish: boolean): Promise<Omit<BatchResult, 'rejects'>> {
    let result: Omit<BatchResult, 'rejects'> | undefined;
    for (let attempt = 1; result === undefined; attempt++) {
      try {
        result = await this.writeStaged(staged, origin, finish);
      } catch (error) {
        // A duplicate key outside INSERT_EVENTS: a concurrent run stored the same survey answer first.
        if (attempt >= COMMIT_ATTEMPTS || !(isWriteConflictError(error) || isDuplicateKeyError(error))) throw error;
        await sleep(retryDelay(attempt));
      }
    }
    return result;
  }

  /** One attempt at the batch's transaction; rolled back when anything in it fails. */
  private async writeStaged(staged: StagedCounts, origin: string, finish: boolean): Promise<Omit<BatchResult, 'rejects'>> {
    const c = this.connection;
    const source = this.options.source;
    let accepted = 0;
    await c.run('BEGIN TRANSACTION');
    try {
      // A run without a row yet gets its row at the end of this transaction, with its counts.
      const runId = this.id ?? Number((await c.runAndReadAll(NEXT_RUN_ID)).getRows()[0]![0]);
      let changed: string[] | undefined;
      if (staged.valid > 0) {
        try {
          accepted = (await c.run(INSERT_EVENTS, { source, runId })).rowsChanged;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Some events are already stored (or repeated in the batch): the slower, deduplicating insert.
          await c.run('ROLLBACK');
          await c.run('BEGIN TRANSACTION');
          const inserted = (await c.runAndReadAll(INSERT_EVENTS_DEDUPLICATED, { source, runId })).getRows();
          accepted = inserted.length;
          changed = [...new Set(inserted.map((row) => String(row[0])))];
        }
        if (staged.surveys > 0) await c.run(INSERT_SURVEY_ANSWERS, { source, runId });
        if (changed === undefined) await c.run(INSERT_CHANGED_TICKETS_OF_BATCH);
        else if (changed.length > 0) await c.run(INSERT_CHANGED_TICKETS, { tickets: listValue(changed) });
        if (this.ticketsInSql) await c.run(INSERT_RUN_TICKETS);
      }
      if (staged.rejected > 0) await c.run(INSERT_REJECTS, { source, origin, runId });
      const result = { read: staged.read, accepted, duplicates: staged.valid - accepted, rejected: staged.rejected };
      if (this.id === undefined) await insertRun(c, this.options, this.knownSources, { ...result, id: runId, finish });
      else await c.run(UPDATE_RUN_COUNTS, { ...result, runId, finish });
      await c.run('COMMIT');
      this.id = runId;
      this.knownSources.add(source);
      return result;
    } catch (error) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Adds a committed batch to the run's totals; checkpoints now and then. */
  private async count(result: Omit<BatchResult, 'rejects'>): Promise<void> {
    const c = this.connection;
    this.counts.read += result.read;
    this.counts.accepted += result.accepted;
    this.counts.duplicates += result.duplicates;
    this.counts.rejected += result.rejected;
    this.acceptedSinceCheckpoint += result.accepted;
    if (this.acceptedSinceCheckpoint >= CHECKPOINT_EVERY) {
      this.acceptedSinceCheckpoint = 0;
      // Another transaction running (a report, say) makes it refuse; the next batch tries again.
      await c.run('CHECKPOINT').catch(() => undefined);
    }
  }

  /** Marks the run done (or failed) and returns its totals; closes the connection. */
  async finish(error?: Error): Promise<IngestCounts> {
    const c = this.connection;
    try {
      const tickets = await c.runAndReadAll('SELECT count(DISTINCT ticket)::INTEGER FROM run_tickets');
      this.counts.tickets = Number(tickets.getRows()[0]![0]);
      if (error) await markRunFailed(c, this.runId, error);
      else await c.run(`UPDATE ingest_runs SET finished_at = current_timestamp, status = 'done' WHERE id = $runId`, { runId: this.runId });
      return this.totals;
    } finally {
      c.closeSync();
    }
  }
}

/**
 * Adds the run's row in the caller's transaction, with its counts so far (its source's row too,
 * unless known); returns its id (`id`, or the next one when null).
 */
async function insertRun(
  c: DuckDBConnection,
  options: WriterOptions,
  known: Set<string>,
  run: Omit<BatchResult, 'rejects'> & { id: number | null; finish: boolean },
): Promise<number> {
  if (!known.has(options.source)) await c.run(INSERT_SOURCE, { name: options.source, kind: options.sourceKind ?? options.format });
  const reader = await c.runAndReadAll(INSERT_RUN, { ...run, source: options.source, origin: options.origin, format: options.format });
  return Number(reader.getRows()[0]![0]);
}

async function markRunFailed(c: DuckDBConnection, runId: number, error: unknown): Promise<void> {
  await c.run(`UPDATE ingest_runs SET finished_at = current_timestamp, status = 'failed', error = $error WHERE id = $runId`, {
    error: error instanceof Error ? error.message : String(error),
    runId,
  });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The event as JSON for DuckDB. A lone surrogate (JSON.parse makes one of "\ud800") has no
 * UTF-8 form: JSON.stringify escapes it and DuckDB's parser refuses the text, so it is stored
 * as U+FFFD, as any text DuckDB receives from JavaScript.
 */
function toJsonText(event: CanonicalEvent): string {
  const json = JSON.stringify(event);
  if (!json.includes('\\ud')) return json;
  return JSON.stringify(event, (_, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v));
}

/** The event as sent, minus survey answers (they live only in the satisfaction zone). */
function rawOf(record: RawRecord, event: CanonicalEvent): string {
  if (event.type !== 'survey.answered' && record.raw.startsWith('{')) return record.raw;
  const value = { ...(record.value as Record<string, unknown>) };
  if (event.type === 'survey.answered') for (const field of SURVEY_FIELDS) delete value[field];
  return JSON.stringify(value);
}

/**
 * True when DuckDB, reading `raw` by field name, sees exactly `value` (which JSON.parse made of
 * it): no escapes, and one `":` per key, so no key is repeated (JSON.parse keeps the last of a
 * repeated key, DuckDB the first) and none is spelt with spaces before its colon. Without
 * backslashes every `"` delimits a string, so `":` can only close a key.
 */
function isJsonTextOf(raw: string, value: object, event: CanonicalEvent): boolean {
  if (raw.indexOf('\\') !== -1) return false;
  let keys = 0;
  for (let i = raw.indexOf('":'); i !== -1; i = raw.indexOf('":', i + 2)) keys++;
  return keys === Object.keys(value).length + (event.gut ? 3 : 0);
}
