import type { DuckDBConnection } from '@duckdb/node-api';
import { CREATE_STAGED_EVENTS, CREATE_STAGED_REJECTS } from './batchSql.js';
import type { PreparedBatch } from './prepareBatch.js';

/**
 * Writes prepared batches into the temporary tables a batch's transaction reads: their rejects
 * into `staged_rejects`, their valid events into `staged_events` (each created anew, and only when
 * there is something to stage). `positionOffset(i)` is added to the positions of the i-th batch,
 * so a group of runs can tell its batches apart (0 for a single batch). Returns what was staged.
 */
export async function stageBatches(
  c: DuckDBConnection,
  batches: readonly PreparedBatch[],
  positionOffset: (index: number) => number = () => 0,
): Promise<{ rejects: boolean; events: boolean }> {
  const rejects = batches.some((batch) => batch.rejects.length > 0);
  if (rejects) {
    await c.run(CREATE_STAGED_REJECTS);
    const appender = await c.createAppender('staged_rejects', 'main', 'temp');
    batches.forEach((batch, index) => {
      const offset = positionOffset(index);
      batch.rejects.forEach((reject, i) => {
        appender.appendBigInt(BigInt(offset + reject.position));
        appender.appendVarchar(batch.rejectRaws[i]!);
        appender.appendVarchar(reject.reason);
        appender.appendVarchar(reject.message);
        appender.endRow();
      });
    });
    appender.closeSync();
  }
  const events = batches.some((batch) => batch.positions.length > 0);
  if (events) {
    await c.run(CREATE_STAGED_EVENTS);
    const appender = await c.createAppender('staged_events', 'main', 'temp');
    batches.forEach((batch, index) => {
      const offset = positionOffset(index);
      const { positions, ats, docs, raws } = batch;
      for (let i = 0; i < positions.length; i++) {
        appender.appendBigInt(BigInt(offset + positions[i]!));
        appender.appendDouble(ats[i]!);
        const doc = docs[i];
        if (doc === null || doc === undefined) appender.appendNull();
        else appender.appendVarchar(doc);
        appender.appendVarchar(raws[i]!);
        appender.endRow();
      }
    });
    appender.closeSync();
  }
  return { rejects, events };
}
