import { DuckDBInstance } from '@duckdb/node-api';
import type { RawRecord } from '../types.js';
import { BATCH_SIZE } from './readNdjson.js';
import { rowToRecord, tableValue } from './rowToRecord.js';

/**
 * Canonical CSV or Parquet read by DuckDB's own readers in a private in-memory instance and
 * streamed chunk by chunk, so memory holds one batch whatever the file's size. CSV cells stay
 * text (validation normalises them); rows DuckDB cannot parse become records with their error.
 * Positions are data-row numbers from 1.
 */
export async function* readTable(path: string, kind: 'csv' | 'parquet', onProgress?: (rows: number) => void): AsyncGenerator<RawRecord[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const source =
      kind === 'csv'
        ? `read_csv($path, header = true, all_varchar = true, ignore_errors = true, store_rejects = true)`
        : `read_parquet($path)`;
    // A CSV line DuckDB cannot read is not among the rows, but keeps its data-row number (line − 1,
    // as its reject has): the rows after it must not take it. Which lines those are is known only
    // after a read, so a first pass counts the rows (≈1% of an import) and notes them.
    const unreadable = new Set<number>();
    if (kind === 'csv') {
      await connection.run(`SELECT count(*) FROM ${source}`, { path });
      for (const [line] of (await connection.runAndReadAll('SELECT DISTINCT line::DOUBLE FROM reject_errors')).getRows()) unreadable.add(Number(line) - 1);
    }
    let position = 0;
    const nextPosition = () => {
      do position++;
      while (unreadable.has(position));
      return position;
    };
    const result = await connection.stream(`SELECT * FROM ${source}`, { path });
    let batch: RawRecord[] = [];
    for await (const rows of result.yieldConvertedRowObjects(tableValue)) {
      for (const row of rows) batch.push(rowToRecord(row as Record<string, unknown>, nextPosition()));
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
      onProgress?.(position);
    }
    if (kind === 'csv') {
      // One reject per line: DuckDB may record several errors for one line (an unterminated quote
      // is read twice), which stored as two rejects of the same line would collapse into one.
      const rejected = await connection.runAndReadAll(
        `SELECT line::BIGINT::DOUBLE AS line, any_value(csv_line) AS raw,
           string_agg(DISTINCT coalesce(error_message, error_type::VARCHAR), '; ' ORDER BY coalesce(error_message, error_type::VARCHAR)) AS message
         FROM reject_errors GROUP BY line ORDER BY line`,
      );
      for (const r of rejected.getRowObjectsJS()) {
        batch.push({
          position: Number(r.line) - 1,
          raw: String(r.raw ?? ''),
          error: { reason: 'invalid_csv', message: `line ${r.line}: the row could not be read as CSV (${String(r.message)})` },
        });
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
