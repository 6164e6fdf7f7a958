import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { RawRecord } from '../types.js';
import { type CsvRow, CsvParser } from './CsvParser.js';
import type { ReaderOptions } from './index.js';
import { type ColumnMapping, isZone, loadMapping } from './loadMapping.js';
import { BATCH_SIZE } from './readNdjson.js';
import { MAX_TICKET_ROWS, RowMapper } from './RowMapper.js';
import { Problem } from './TimeReader.js';

// The mapped reader's parts, re-exported for the modules and tests that import them from here.
export { type CsvRow, CsvParser, MAX_ROW_CHARS } from './CsvParser.js';
export { type ColumnMapping, getMappingSourceName, loadMapping, MappingError, type MappingResult, parseMapping } from './loadMapping.js';
export { MAX_TICKET_ROWS, MAX_TICKETS_REMEMBERED } from './RowMapper.js';
export { compileTimeFormat } from './TimeReader.js';

// ── The reader ──────────────────────────────────────────────────────────────────────────────────

/**
 * Format "mapped": any helpdesk's CSV export, read through the column mapping named by
 * `options.mapping` (see README "Importing helpdesk exports").
 */
export async function* readMapped(path: string, options: ReaderOptions): AsyncGenerator<RawRecord[]> {
  if (!options.mapping) throw new Error('format mapped needs a column mapping file (--mapping FILE)');
  yield* readWithMapping(path, loadMapping(options.mapping), options, resolve(options.mapping));
}

/**
 * Streams a CSV audit log as canonical events: a row whose mapped status differs from the ticket's
 * previous row (in `order`, then time) yields ticket.status_changed; the first row of a ticket also
 * yields ticket.opened; a change of analyst, severity or category yields ticket.assigned,
 * ticket.severity_changed or ticket.categorized. A row that changes none of these yields nothing. Rows of a ticket are gathered
 * while they are contiguous (at most MAX_TICKET_ROWS) and sorted by `order`, then time. A row that
 * cannot be mapped becomes one reject naming its column; `position` is the line the row starts on.
 * Zone-less times are read in `options.timezone`, else the mapping's `timezone`.
 */
export async function* readWithMapping(
  path: string,
  mapping: Readonly<ColumnMapping>,
  options: ReaderOptions,
  mappingName = '(mapping)',
): AsyncGenerator<RawRecord[]> {
  const zone = options.timezone ?? mapping.timezone;
  if (zone !== undefined && !isZone(zone)) throw new Error(`timezone: expected an IANA zone like America/Sao_Paulo (got "${zone}")`);
  const parser = new CsvParser(mapping.delimiter);
  let mapper: RowMapper | undefined;
  let width = 0;
  let batch: RawRecord[] = [];
  let group: CsvRow[] = [];
  let groupTicket = '';
  const flush = () => {
    if (group.length > 0) for (const record of mapper!.mapTicket(groupTicket, group)) batch.push(record);
    group = [];
  };
  const take = (rows: CsvRow[]) => {
    for (const row of rows) {
      if (!mapper) {
        mapper = new RowMapper(mapping, row, zone, mappingName);
        width = mapper.width;
        continue;
      }
      if (row.error) batch.push({ position: row.line, raw: row.text, error: { reason: 'invalid_csv', message: row.error } });
      else if (row.fields.length !== width) {
        batch.push({ position: row.line, raw: row.text, error: { reason: 'invalid_csv', message: `expected ${width} fields as in the header, got ${row.fields.length}` } });
      } else {
        const ticket = mapper.get(row, mapping.columns.ticket);
        if (ticket === undefined) {
          batch.push({ position: row.line, raw: row.text, error: new Problem('missing_field', `${mapping.columns.ticket}: empty (the ticket)`) });
          continue;
        }
        if (ticket !== groupTicket || group.length >= MAX_TICKET_ROWS) flush();
        groupTicket = ticket;
        group.push(row);
      }
    }
  };
  let bytes = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    take(parser.push(bytes === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    bytes += Buffer.byteLength(text);
    options.onProgress?.(bytes);
    if (batch.length >= BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  take(parser.end());
  if (!mapper) throw new Error(`${path}: empty file, no header row`);
  flush();
  if (batch.length > 0) yield batch;
}
