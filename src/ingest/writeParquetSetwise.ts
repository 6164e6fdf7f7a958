import { canReadTableInSql, type ColumnInfo, getTableCandidatesSql } from './getTableCandidatesSql.js';
import type { EventWriter } from './EventWriter.js';
import { rowToRecord, tableValue } from './readers/rowToRecord.js';
import type { SetwiseCounts, SetwiseOptions } from './writeNdjsonSetwise.js';

/** Rows per batch (one transaction each): four of DuckDB's row groups, written straight to the file. */
export const PARQUET_BATCH_ROWS = 491_520;

/**
 * Imports a Parquet file through `writer` set-wise: each batch of rows goes from read_parquet,
 * on the target database's own connection, through the common-case checks in SQL
 * (commonCaseSql.ts) straight into the batch table; the rows SQL cannot vouch for are read back
 * as JavaScript objects, exactly as readTable reads them, and go through rowToRecord and zod.
 * Returns undefined, having written nothing, when the SQL path cannot read the file's columns;
 * the caller then uses readTable.
 */
export async function writeParquetSetwise(writer: EventWriter, path: string, options: SetwiseOptions): Promise<SetwiseCounts | undefined> {
  const c = writer.connection;
  const columns = (await c.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($path)', { path }))
    .getRowObjectsJS()
    .map((row): ColumnInfo => ({ name: String(row.column_name), type: String(row.column_type) }));
  // DuckDB numbers the rows in a column of that name (any case), which it refuses beside the file's own.
  if (!canReadTableInSql(columns) || columns.some((column) => column.name.toLowerCase() === 'file_row_number')) return undefined;
  const file = 'read_parquet($path, file_row_number = true)';
  const counts: SetwiseCounts = { inSql: 0 };
  const total = Number((await c.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${file}`, { path })).getRows()[0]![0]);
  const size = options.batchSize ?? PARQUET_BATCH_ROWS;
  // One SQL for every batch: a batch is its rows' range, bound as $start and $end.
  const range = 'file_row_number >= $start AND file_row_number < $end';
  const candidates = getTableCandidatesSql(columns, `(SELECT file_row_number + 1 AS __prazo_pos, * EXCLUDE (file_row_number) FROM ${file} WHERE ${range})`);
  // A batch table an earlier file of the run left on this connection (read in JavaScript: CSV, Arrow…).
  await c.run('DROP TABLE IF EXISTS batch');
  for (let start = 0; start < total; start += size) {
    const end = Math.min(start + size, total);
    const params = { path, start, end };
    // The batch's columns the file fills, in a table; the writer reads them through the view
    // `batch`, or a table of that name when JavaScript adds the rows SQL did not vouch for.
    await c.run(`CREATE OR REPLACE TEMP TABLE batch_rows AS ${candidates.rows}`, params);
    const unvouched = Number((await c.runAndReadAll('SELECT count(*)::DOUBLE FROM batch_rows WHERE NOT ok')).getRows()[0]![0]);
    const kind = unvouched === 0 ? 'VIEW' : 'TABLE';
    await c.run(`CREATE TEMP ${kind} batch AS ${candidates.batch('batch_rows')}`);
    try {
      // The file is read again only for a batch with rows SQL did not vouch for.
      const rows =
        unvouched === 0
          ? []
          : (
              await c.runAndReadAll(
                `SELECT * FROM ${file} WHERE ${range} AND file_row_number + 1 IN (SELECT pos FROM batch WHERE NOT ok) ORDER BY file_row_number`,
                params,
              )
            ).convertRowObjects(tableValue);
      const records = rows.map(({ file_row_number: n, ...row }) => rowToRecord(row, Number(n) + 1));
      const prepared = writer.prepare(records);
      await writer.stage(prepared);
      const read = end - start;
      counts.inSql += read - records.length;
      await writer.commitStaged(
        { read, valid: read - records.length + prepared.positions.length, rejected: prepared.rejects.length, surveys: prepared.surveys },
        options.origin,
      );
    } finally {
      // Free the batch before the next one is built beside it; a view left behind would stop the
      // next writer's CREATE OR REPLACE TEMP TABLE batch.
      await c.run(`DROP ${kind} batch`);
      await c.run('DROP TABLE batch_rows');
    }
    options.onProgress?.(end);
  }
  return counts;
}
