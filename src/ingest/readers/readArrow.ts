import { RecordBatchReader } from 'apache-arrow';
import { createReadStream } from 'node:fs';
import type { RawRecord } from '../types.js';
import { BATCH_SIZE } from './readNdjson.js';
import { rowToRecord } from './rowToRecord.js';

/**
 * Canonical events in an Arrow IPC file or stream (apache-arrow), record batch by record batch.
 * Timestamp columns arrive as epoch milliseconds, which validation accepts as instants.
 */
export async function* readArrow(path: string, onProgress?: (rows: number) => void): AsyncGenerator<RawRecord[]> {
  const reader = await RecordBatchReader.from(createReadStream(path));
  let position = 0;
  let batch: RawRecord[] = [];
  for await (const recordBatch of reader) {
    for (const row of recordBatch) {
      batch.push(rowToRecord((row?.toJSON() ?? {}) as Record<string, unknown>, ++position));
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    onProgress?.(position);
  }
  if (batch.length > 0) yield batch;
}
