import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '../db/openDatabase.js';
import { EventWriter } from './EventWriter.js';
import { type Format, formatFromPath, type Reader, type ReaderOptions } from './readers/index.js';
import { readArrow } from './readers/readArrow.js';
import { getMappingSourceName } from './readers/readMapped.js';
import { readNdjson } from './readers/readNdjson.js';
import { readTable } from './readers/readTable.js';
import type { IngestCounts, RawRecord } from './types.js';
import { type SetwiseCounts, type SetwiseOptions, writeNdjsonSetwise } from './writeNdjsonSetwise.js';
import { writeParquetSetwise } from './writeParquetSetwise.js';

/** Readers by format; each streams batches. */
const READERS: Partial<Record<Format, Reader>> = {
  ndjson: (path, options) => readNdjson(path, options.onProgress),
  csv: (path, options) => readTable(path, 'csv', options.onProgress),
  parquet: (path, options) => readTable(path, 'parquet', options.onProgress),
  arrow: (path, options) => readArrow(path, options.onProgress),
};

/**
 * Formats imported set-wise, DuckDB reading and checking the rows (a writer returns undefined
 * when it cannot read a file that way; its reader then does).
 */
const SETWISE: Partial<Record<Format, (writer: EventWriter, path: string, options: SetwiseOptions) => Promise<SetwiseCounts | undefined>>> = {
  ndjson: writeNdjsonSetwise,
  parquet: writeParquetSetwise,
};

/** Readers that report rows rather than bytes, so progress is shown as a share of rows only when known. */
const COUNTS_ROWS = new Set<Format>(['csv', 'parquet', 'arrow']);

/** Registers a reader (formats whose readers live in their own modules register here). */
export function registerReader(format: Format, reader: Reader): void {
  READERS[format] = reader;
}

export class IngestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestInputError';
  }
}

export interface IngestProgress {
  file: string;
  /** Bytes or rows of the file consumed so far (whatever the reader reports). */
  done: number;
  /** File size in bytes, for a percentage; 0 when the reader counts rows (no percentage). */
  total: number;
  counts: Omit<IngestCounts, 'tickets'>;
}

export interface IngestFileOptions extends Omit<ReaderOptions, 'onProgress'> {
  format?: Format;
  source?: string;
  /** Let DuckDB read and check NDJSON and Parquet set-wise (default); false reads every row in JavaScript. */
  setwise?: boolean;
  onProgress?: (progress: IngestProgress) => void;
}

/** Default source names: a helpdesk export is its own source, anything else is "file". */
const DEFAULT_SOURCE: Partial<Record<Format, string>> = { servicenow: 'servicenow' };

/** The source of a run without --source: a mapped export's is its mapping's name (getMappingSourceName). */
function defaultSource(format: Format, mapping: string | undefined): string {
  if (format !== 'mapped' || mapping === undefined) return DEFAULT_SOURCE[format] ?? 'file';
  try {
    return getMappingSourceName(mapping);
  } catch (error) {
    throw new IngestInputError((error as Error).message);
  }
}

function checkFile(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new IngestInputError(`${file}: not a file`);
    return stat.size;
  } catch (error) {
    if (error instanceof IngestInputError) throw error;
    throw new IngestInputError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Imports files as one run: picks each file's reader, streams its batches through one
 * EventWriter (a transaction per batch) and records the run. Every file is checked before any
 * is read; IngestInputError when one cannot be read at all.
 */
export async function ingestFiles(
  db: Database,
  files: string[],
  options: IngestFileOptions = {},
): Promise<IngestCounts & { runId: number; source: string }> {
  if (files.length === 0) throw new IngestInputError('no file to import');
  const plan = files.map((file) => {
    const format = options.format ?? formatFromPath(file);
    if (!format) throw new IngestInputError(`${file}: cannot tell the format from the name; pass --format (ndjson, csv, parquet, arrow, servicenow, mapped)`);
    const reader = READERS[format];
    if (!reader) throw new IngestInputError(`format ${format} is not supported yet`);
    const size = checkFile(file);
    return { file, format, reader, total: COUNTS_ROWS.has(format) ? 0 : size };
  });
  const formats = [...new Set(plan.map((p) => p.format))];
  const source = options.source ?? defaultSource(formats[0]!, options.mapping);
  const writer = await EventWriter.open(db, {
    source,
    origin: resolve(files[0]!) + (files.length > 1 ? ` (+${files.length - 1} more)` : ''),
    format: formats.join(','),
    timezone: options.timezone,
    sourceKind: formats[0],
  });
  try {
    for (const { file, format, reader, total } of plan) {
      let done = 0;
      const report = () => options.onProgress?.({ file, done, total, counts: writer.totals });
      const setwise = options.setwise === false ? undefined : SETWISE[format];
      const onProgress = (d: number) => {
        done = d;
        report();
      };
      if (!setwise || !(await setwise(writer, file, { origin: resolve(file), onProgress }))) {
        await writeFromReader(writer, reader(file, { ...options, onProgress: (d) => (done = d) }), resolve(file), format, report);
      }
      done = total;
      report();
    }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    await writer.finish(failure);
    throw error instanceof IngestInputError ? error : new IngestInputError(failure.message);
  }
  return { ...(await writer.finish()), runId: writer.runId, source };
}

/** Prepares batch n + 1 in JavaScript while DuckDB commits batch n. */
async function writeFromReader(writer: EventWriter, batches: AsyncIterable<RawRecord[]>, origin: string, format: Format, report: () => void) {
  let committing: Promise<void> | undefined;
  try {
    for await (const batch of batches) {
      const prepared = writer.prepare(batch, { rawIsJson: format === 'ndjson' });
      await committing;
      committing = writer.commit(prepared, origin).then(report);
    }
  } finally {
    await committing;
  }
}

/** Runs left "running" by a process that died; call once the database is held by this process. */
export async function markInterruptedRuns(db: Database): Promise<number> {
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `UPDATE ingest_runs SET status = 'interrupted', finished_at = current_timestamp
       WHERE status = 'running' RETURNING id`,
    );
    return reader.getRows().length;
  } finally {
    c.closeSync();
  }
}
