import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import {
  CREATE_BATCH,
  CREATE_BATCH_TICKETS,
  BATCH_FROM_STAGED,
  COUNT_CONFLICTS,
  COUNT_DUPLICATES,
  FIND_NEW_ROWS,
  INSERT_CHANGED_TICKETS_OF_NEW_ROWS,
  INSERT_CHANGED_BATCH_TICKETS,
  INSERT_CHANGED_TICKETS_OF_BATCH,
  INSERT_EVENTS,
  INSERT_NEW_EVENTS,
  INSERT_REJECTS,
  INSERT_RUN_TICKETS,
  INSERT_SURVEY_ANSWERS,
  isDuplicateKeyError,
  NEXT_RUN_ID,
  isWriteConflictError,
  UPDATE_RUN_COUNTS,
} from './batchSql.js';
import { type PreparedBatch, type PrepareOptions, prepareBatch } from './prepareBatch.js';
import { getKnownSources, insertRun, markRunFailed } from './runRows.js';
import { stageBatches } from './stageBatches.js';
import { withEventWriteLock } from './eventWriteLock.js';
import { inTransaction } from '../db/withConnection.js';
import type { IngestCounts, RawRecord } from './types.js';
import type { ValidateOptions } from './validateEvent.js';

export type { PreparedBatch, PrepareOptions } from './prepareBatch.js';

/**
 * Events written between checkpoints. Large batches go straight to the database file, so the
 * WAL stays small and DuckDB would not checkpoint by itself for a long import; a checkpoint now
 * and then folds what was written into the file's metadata, so a crash replays little. (It used
 * to free the primary key's index too; events has no key since migration 009, and measured with
 * bench/ingest.ts the checkpoints no longer change speed or memory.)
 */
const CHECKPOINT_EVERY = 1_000_000;

/** Tries of a batch's transaction that conflicts with a concurrent one, and the pause before each retry. */
const COMMIT_ATTEMPTS = 8;
const retryDelay = (attempt: number) => Math.min(20 * 2 ** (attempt - 1), 1000) * (0.5 + Math.random() / 2);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A writer's connection. Its statements store rows in any order (each says its order where it
 * needs one): a large batch is then written in parallel, straight to the database file.
 */
async function connectWriter(db: Database): Promise<DuckDBConnection> {
  const connection = await db.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('SET SESSION preserve_insertion_order = false');
    return connection;
  } catch (error) {
    connection.closeSync();
    throw error;
  }
}

export interface WriterOptions extends ValidateOptions {
  source: string;
  /** Where the records come from: a file path, or "http". */
  origin: string;
  format: string;
  /** Kind recorded for a new source. */
  sourceKind?: string;
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

/**
 * Writes validated events of one ingest run, a batch per transaction: the batch's events,
 * survey answers, rejects, changed tickets and the run's counts commit together or not at all,
 * so a crash loses at most the batch in flight and re-running the import adds only what is missing.
 */
export class EventWriter {
  private readonly counts: IngestCounts = { read: 0, accepted: 0, duplicates: 0, rejected: 0, tickets: 0 };
  /** Duplicates whose content differs from the copy kept (COUNT_CONFLICTS), over the committed batches. */
  private conflicts = 0;
  private acceptedSinceCheckpoint = 0;

  private constructor(
    private readonly db: Database,
    /** The writer's own connection; its temporary tables hold the batch being written. */
    readonly connection: DuckDBConnection,
    private readonly options: WriterOptions,
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
    const connection = await connectWriter(db);
    try {
      await connection.run('CREATE TEMP TABLE run_tickets (ticket VARCHAR)');
      const known = getKnownSources(db);
      // Under the lock: the first run of a new source inserts its row, as a batch may at the same time.
      const id = await withEventWriteLock(db, () =>
        inTransaction(connection, () => insertRun(connection, options, known, { id: null, read: 0, accepted: 0, duplicates: 0, rejected: 0, finish: false })),
      );
      known.add(options.source);
      return new EventWriter(db, connection, options, id);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /**
   * A writer whose run has no row yet: the first committed batch creates it (see writeRun.ts).
   * The caller counts the run's tickets, and closes the connection (close()).
   */
  static async openRunless(db: Database, options: WriterOptions): Promise<EventWriter> {
    return new EventWriter(db, await connectWriter(db), options, undefined, false);
  }

  /** The database written to (a reader may open connections of its own beside the writer's). */
  get database(): Database {
    return this.db;
  }

  /** Whether a committed batch has created the run's row. */
  get hasRun(): boolean {
    return this.id !== undefined;
  }

  /** Closes the writer's connection without touching the run (finish() closes it otherwise). */
  close(): void {
    this.connection.closeSync();
  }

  /** The run's id (ingest_runs.id). */
  get runId(): number {
    if (this.id === undefined) throw new Error('the run has no row yet: no batch was committed');
    return this.id;
  }

  /** The run's counts so far; `conflicts` only when some duplicate differed from its kept copy. */
  get totals(): IngestCounts {
    return { ...this.counts, ...(this.conflicts > 0 ? { conflicts: this.conflicts } : {}) };
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
    return prepareBatch(records, this.options, options);
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
    const staged = await stageBatches(c, [batch]);
    if (!staged.events) {
      if (options.createBatch) await c.run(CREATE_BATCH);
      return;
    }
    await c.run(options.createBatch ? `CREATE OR REPLACE TEMP TABLE batch AS ${BATCH_FROM_STAGED}` : `INSERT INTO batch ${BATCH_FROM_STAGED}`);
  }

  /**
   * Stores what is staged (the temporary tables `batch` and `staged_rejects`) in one transaction,
   * under the database's event-write lock (other writers of events wait their turn). A transaction
   * that still conflicts with a concurrent one (a statement updating the run's row, or taking the
   * run id it drew, say) is rolled
   * back and tried again, up to COMMIT_ATTEMPTS times with a growing pause: what is staged lives
   * outside the transaction, so the retry writes exactly the same batch. `finish` marks the run
   * done in the same transaction.
   */
  async commitStaged(staged: StagedCounts, origin = this.options.origin, options: { finish?: boolean } = {}): Promise<Omit<BatchResult, 'rejects'>> {
    const result = await this.commitWithRetries(staged, origin, options.finish === true);
    await this.count(result);
    return result;
  }

  private async commitWithRetries(staged: StagedCounts, origin: string, finish: boolean): Promise<Omit<BatchResult, 'rejects'>> {
    let result: Omit<BatchResult, 'rejects'> | undefined;
    for (let attempt = 1; result === undefined; attempt++) {
      try {
        result = await withEventWriteLock(this.db, () => this.writeStaged(staged, origin, finish));
      } catch (error) {
        // A duplicate key: the run id drawn was taken by a row committed meanwhile; the retry draws another.
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
    let conflicts = 0;
    await c.run('BEGIN TRANSACTION');
    try {
      // A run without a row yet gets its row at the end of this transaction, with its counts.
      const runId = this.id ?? Number((await c.runAndReadAll(NEXT_RUN_ID)).getRows()[0]![0]);
      if (staged.valid > 0) {
        const [stored, repeated] = (await c.runAndReadAll(COUNT_DUPLICATES, { source })).getRows()[0] as [number, number];
        if (this.ticketsInSql) await c.run(CREATE_BATCH_TICKETS);
        if (stored === 0 && repeated === 0) {
          accepted = (await c.run(INSERT_EVENTS, { source, runId })).rowsChanged;
          await c.run(this.ticketsInSql ? INSERT_CHANGED_BATCH_TICKETS : INSERT_CHANGED_TICKETS_OF_BATCH);
        } else {
          conflicts = Number((await c.runAndReadAll(COUNT_CONFLICTS, { source })).getRows()[0]![0]);
          // In SQL from end to end: a batch's new rows and their tickets never travel to JavaScript.
          await c.run(FIND_NEW_ROWS, { source });
          accepted = (await c.run(INSERT_NEW_EVENTS, { source, runId })).rowsChanged;
          if (accepted > 0) await c.run(INSERT_CHANGED_TICKETS_OF_NEW_ROWS);
          // A copy of up to a whole batch: not kept until the next batch with duplicates.
          await c.run('DROP TABLE new_rows');
        }
        if (staged.surveys > 0) await c.run(INSERT_SURVEY_ANSWERS, { source, runId });
        if (this.ticketsInSql) await c.run(INSERT_RUN_TICKETS);
      }
      if (staged.rejected > 0) await c.run(INSERT_REJECTS, { source, origin, runId });
      const result = { read: staged.read, accepted, duplicates: staged.valid - accepted, rejected: staged.rejected };
      if (this.id === undefined) await insertRun(c, this.options, getKnownSources(this.db), { ...result, id: runId, finish });
      else await c.run(UPDATE_RUN_COUNTS, { ...result, runId, finish });
      await c.run('COMMIT');
      this.conflicts += conflicts;
      this.id = runId;
      getKnownSources(this.db).add(source);
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

