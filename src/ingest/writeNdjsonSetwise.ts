import { type DuckDBBlobValue, type DuckDBConnection, listValue } from '@duckdb/node-api';
import { open } from 'node:fs/promises';
import { areCommonKeys, getNdjsonCandidatesSql } from './getNdjsonCandidatesSql.js';
import type { EventWriter } from './EventWriter.js';
import { parseLine } from './readers/readNdjson.js';
import type { RawRecord } from './types.js';

/** Lines per batch (one transaction each): four of DuckDB's row groups, so a batch is written straight to the file (one row group was not: it went through the WAL, 40% slower). */
export const NDJSON_BATCH_LINES = 491_520;

/** Bytes read at a time; each read's whole lines go to DuckDB as one piece. */
const PIECE_BYTES = 4 << 20;

export interface SetwiseCounts {
  /** Rows SQL vouched for (the rest went through JavaScript). */
  inSql: number;
}

export interface SetwiseOptions {
  /** The file's path as recorded with its rejects. */
  origin: string;
  /** Called after each batch with the bytes (NDJSON) or rows (Parquet) consumed so far. */
  onProgress?: (done: number) => void;
  /** Rows per batch (tests use small ones). */
  batchSize?: number;
  /** Bytes read at a time (tests use small ones). */
  pieceBytes?: number;
}

/** The in-memory database where lines wait for their batch: visible to every connection of the instance. */
const STAGE = 'prazo_stage';
let stageTables = 0;

/**
 * Imports an NDJSON file through `writer` with DuckDB doing the work. JavaScript reads the file
 * in pieces of whole lines and hands each piece to DuckDB as bytes, never decoding or holding
 * more than a piece; DuckDB splits the lines of a batch into a table of lines, parses every line
 * and checks it against the common case in SQL (getNdjsonCandidatesSql.ts). Lines it cannot
 * vouch for — rejects, values to normalise, unknown fields — are read back and go through
 * JavaScript and zod like any record. Each batch is one transaction (EventWriter.commitStaged).
 *
 * Splitting a piece into lines runs on one thread, so it runs beside the previous batch's checks
 * and commit (which use every thread): a second connection fills one of two tables of lines in an
 * in-memory database while the writer's connection works from the other.
 */
export async function writeNdjsonSetwise(writer: EventWriter, path: string, options: SetwiseOptions): Promise<SetwiseCounts> {
  const size = options.batchSize ?? NDJSON_BATCH_LINES;
  const filler = await writer.database.connect();
  const id = `${process.pid}_${++stageTables}`;
  const slots = [0, 1].map((slot) => `${STAGE}.lines_${id}_${slot}`);
  const counts: SetwiseCounts = { inSql: 0 };
  let processing: Promise<void> = Promise.resolve();
  let pieces: AsyncGenerator<LinePiece> | undefined;
  try {
    await filler.run(`ATTACH IF NOT EXISTS ':memory:' AS ${STAGE}`);
    pieces = readLinePieces(path, size, options.pieceBytes);
    let base = 0;
    for (let k = 0; ; k++) {
      const table = slots[k % 2]!;
      // The writer is done with this table: the batch that used it ended before the last one began.
      const filled = await fillLines(filler, table, pieces, size);
      await processing;
      if (filled.lines === 0) break;
      const batchBase = base;
      processing = commitLines(writer, table, batchBase, options.origin).then((inSql) => {
        counts.inSql += inSql;
        options.onProgress?.(filled.bytesRead);
      });
      // Seen by the next fillLines only once awaited; a failure must not go unhandled meanwhile.
      processing.catch(() => undefined);
      base += filled.lines;
      if (filled.last) break;
    }
    await processing;
    return counts;
  } finally {
    // The reader stops at the last piece, before its generator would end: close the file.
    await pieces?.return(undefined);
    await processing.catch(() => undefined);
    for (const table of slots) await filler.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    filler.closeSync();
  }
}

/** Fills `table` anew with the next batch's lines (at most `size`), numbered from 1. */
async function fillLines(
  c: DuckDBConnection,
  table: string,
  pieces: AsyncGenerator<LinePiece>,
  size: number,
): Promise<{ lines: number; last: boolean; bytesRead: number }> {
  await c.run(`CREATE OR REPLACE TABLE ${table} (pos BIGINT, line VARCHAR)`);
  let lines = 0;
  for (;;) {
    const { value: piece, done } = await pieces.next();
    if (done) return { lines, last: true, bytesRead: 0 };
    const appended = await insertPiece(c, insertPieceSql(table, 'decode($2)'), lines, piece.bytes).catch((error: Error) => {
      if (/decode/i.test(error.message)) return false;
      throw error;
    });
    // Not UTF-8: decoded as Node decodes a file read as text (each bad byte sequence a U+FFFD).
    if (!appended) await insertPiece(c, insertPieceSql(table, '$2'), lines, piece.bytes.toString('utf8'));
    lines += piece.lines;
    if (lines === size || piece.last) return { lines, last: piece.last, bytesRead: piece.bytesRead };
  }
}

/** A piece's lines into `table`; WITH ORDINALITY numbers them in the pass that unnests them (generate_subscripts took a second). */
const insertPieceSql = (table: string, text: string) =>
  `INSERT INTO ${table} SELECT $1 + n, line FROM unnest(string_split(${text}, chr(10))) WITH ORDINALITY AS t(line, n)`;

/**
 * Appends a piece's lines to a table of lines, numbered from `offset` + 1. The piece is bound straight to
 * the statement, which is destroyed at once: a bound value made with blobValue() would keep a
 * native copy of the piece until JavaScript's garbage collector ran, which a small heap seldom
 * makes it do (a 1 GB file once held most of itself that way).
 */
async function insertPiece(c: DuckDBConnection, sql: string, offset: number, piece: Buffer | string): Promise<true> {
  const statement = await c.prepare(sql);
  try {
    statement.bindBigInt(1, BigInt(offset));
    if (typeof piece === 'string') statement.bindVarchar(2, piece);
    else statement.bindBlob(2, piece);
    await statement.run();
    return true;
  } finally {
    statement.destroySync();
  }
}

interface LinePiece {
  /** Whole lines, joined by \n (a view of the read buffer, valid until the next piece is asked for). */
  bytes: Buffer;
  lines: number;
  /** The end of the file. */
  last: boolean;
  bytesRead: number;
}

/**
 * The file as pieces of whole lines, cut so that no piece crosses a multiple of `batchLines`
 * lines. A last line without a newline is a line; the newline that ends a file starts none.
 */
export async function* readLinePieces(path: string, batchLines: number, pieceBytes = PIECE_BYTES): AsyncGenerator<LinePiece> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(pieceBytes);
    let filled = 0;
    let bytesRead = 0;
    let inBatch = 0;
    for (;;) {
      if (filled === buffer.length) {
        // One line longer than the buffer: make room.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead: n } = await file.read(buffer, filled, buffer.length - filled, null);
      bytesRead += n;
      filled += n;
      const view = buffer.subarray(0, filled);
      let start = 0;
      for (;;) {
        let end = start;
        let lines = 0;
        const wanted = batchLines - inBatch;
        for (let nl = view.indexOf(10, end); nl !== -1 && lines < wanted; nl = view.indexOf(10, end)) {
          lines++;
          end = nl + 1;
        }
        if (lines === 0) break;
        inBatch = (inBatch + lines) % batchLines;
        const last = n === 0 && end === filled;
        yield { bytes: view.subarray(start, end - 1), lines, last, bytesRead };
        start = end;
        if (last) return;
      }
      if (n === 0) {
        if (start < filled) yield { bytes: view.subarray(start, filled), lines: 1, last: true, bytesRead };
        else yield { bytes: Buffer.alloc(0), lines: 0, last: true, bytesRead };
        return;
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
    }
  } finally {
    await file.close();
  }
}

/**
 * Checks the staged lines (positions `base` + pos), reads back the ones SQL could not vouch for,
 * commits; returns how many SQL vouched for.
 */
async function commitLines(writer: EventWriter, lines: string, base: number, origin: string): Promise<number> {
  const c = writer.connection;
  await c.run(`CREATE OR REPLACE TEMP TABLE batch AS ${getNdjsonCandidatesSql(lines)}`, { base });
  const keyLists = (await c.runAndReadAll('SELECT DISTINCT keys FROM batch WHERE ok')).getRows().map(([keys]) => String(keys));
  const uncommon = keyLists.filter((keys) => !areCommonKeys(keys));
  if (uncommon.length > 0) await c.run('UPDATE batch SET ok = false WHERE ok AND list_contains($uncommon, keys)', { uncommon: listValue(uncommon) });
  const [counts] = (await c.runAndReadAll('SELECT count(*) FILTER (WHERE ok)::INTEGER, count(*) FILTER (WHERE NOT ok)::INTEGER FROM batch')).getRows();
  const [ok, notOk] = counts as [number, number];
  let records: RawRecord[] = [];
  if (notOk > 0) {
    // As bytes: the client's text decoding would drop a byte order mark that begins a line.
    const rows = await c.runAndReadAll(
      `SELECT (l.pos + $base)::DOUBLE AS pos, encode(l.line) FROM ${lines} l JOIN batch b ON b.pos = l.pos + $base WHERE NOT b.ok ORDER BY l.pos`,
      { base },
    );
    records = rows.getRows().flatMap(([pos, line]) => parseLine(Buffer.from((line as DuckDBBlobValue).bytes).toString('utf8'), pos as number) ?? []);
  }
  const prepared = writer.prepare(records, { rawIsJson: true });
  await writer.stage(prepared);
  await writer.commitStaged(
    {
      read: ok + records.length,
      valid: ok + prepared.positions.length,
      rejected: prepared.rejects.length,
      surveys: prepared.surveys,
    },
    origin,
  );
  // Free the batch before the next one is built beside it.
  await c.run('DROP TABLE batch');
  return ok;
}
