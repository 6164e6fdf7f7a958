import type { Database } from '../db/openDatabase.js';
import { type BatchResult, EventWriter, type WriterOptions } from './EventWriter.js';
import { type PreparedBatch, type PrepareOptions, prepareBatch } from './prepareBatch.js';
import { markRunFailed } from './runRows.js';
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
