import { Float64, Table, tableToIPC, Utf8, type Vector, vectorFromArray } from 'apache-arrow';
import type { MetricResult } from '../../metrics/registry/types.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const ARROW_TYPE = 'application/vnd.apache.arrow.stream';

/** The result's columns, in order: the requested dimensions, then value. */
export function metricColumns(result: MetricResult): string[] {
  const extra = new Set<string>();
  for (const row of result.rows) for (const key of Object.keys(row)) if (key !== 'value' && !result.by.includes(key as never)) extra.add(key);
  return [...result.by, ...extra, 'value'];
}

/**
 * One CSV field. Text that a spreadsheet would run as a formula (a client named "=HYPERLINK(…)"
 * from a helpdesk export) is prefixed with an apostrophe, as OWASP advises for CSV injection.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, comma separated, CRLF line ends, dot decimals and ratios as 0–1 (so
 * any tool reads it the same way), UTF-8; text fields quoted when they need it. Empty field = null.
 */
export function formatMetricCsv(result: MetricResult): string {
  const columns = metricColumns(result);
  const lines = [columns.map(csvField).join(',')];
  for (const row of result.rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * An Arrow IPC stream: dimension columns as utf8, value as float64, nulls kept. The types are
 * given rather than inferred (tableFromArrays would guess dictionaries, or Null for an all-null
 * column), so a reader sees the same schema whatever the rows.
 */
export function formatMetricArrow(result: MetricResult): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const column of metricColumns(result)) {
    vectors[column] =
      column === 'value'
        ? vectorFromArray(result.rows.map((row) => (typeof row.value === 'number' ? row.value : null)), new Float64())
        : vectorFromArray(result.rows.map((row) => (row[column] === null || row[column] === undefined ? null : String(row[column]))), new Utf8());
  }
  return tableToIPC(new Table(vectors), 'stream');
}

/** A file name for downloads: metric_from_to.ext with only safe characters. */
export function exportFileName(result: MetricResult, ext: string): string {
  const safe = (text: string) => text.replace(/[^0-9A-Za-z_-]+/g, '-');
  return `${safe(result.metric.name)}_${safe(result.from)}_${safe(result.to)}.${ext}`;
}
