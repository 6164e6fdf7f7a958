import { createReadStream } from 'node:fs';
import type { RawRecord } from '../types.js';

/**
 * Records per batch of the JavaScript readers (one transaction each): one DuckDB row group, which
 * a commit writes straight to the database file instead of through the WAL.
 */
export const BATCH_SIZE = 122_880;

export interface ReadProgress {
  (bytesRead: number): void;
}

/**
 * Canonical NDJSON, one event per line, streamed in batches: memory holds one batch, whatever
 * the file's size. A line that is not JSON becomes a record carrying its parse error, so it is
 * rejected with its line number instead of stopping the import. Blank lines are skipped.
 */
export async function* readNdjson(path: string, onBytes?: ReadProgress): AsyncGenerator<RawRecord[]> {
  let batch: RawRecord[] = [];
  let line = 0;
  let rest = '';
  let bytes = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    bytes += Buffer.byteLength(chunk as string);
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      line++;
      const record = parseLine(text.slice(start, nl), line);
      if (record) batch.push(record);
      start = nl + 1;
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    rest = text.slice(start);
    onBytes?.(bytes);
  }
  if (rest.length > 0) {
    line++;
    const record = parseLine(rest, line);
    if (record) batch.push(record);
  }
  if (batch.length > 0) yield batch;
}

/** One NDJSON line (or one element of a JSON array body) as a record. */
export function parseLine(text: string, position: number): RawRecord | undefined {
  const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (raw.trim() === '') return undefined;
  try {
    return { position, raw, value: JSON.parse(raw) };
  } catch (error) {
    return { position, raw, error: { reason: 'invalid_json', message: `not valid JSON: ${(error as Error).message}` } };
  }
}
