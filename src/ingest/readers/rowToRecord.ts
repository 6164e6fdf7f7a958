import { DuckDBDateValue, DuckDBTypeId, type DuckDBValueConverter, type JS, JSDuckDBValueConverter } from '@duckdb/node-api';
import type { RawRecord } from '../types.js';

/** The types whose values may lie beyond a JavaScript Date (±275,760 years, or infinite). */
const INSTANT_TYPES = new Set([DuckDBTypeId.DATE, DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ]);

/**
 * A table's values as JavaScript values (what getRowObjectsJS gives), except a date or timestamp
 * a Date cannot hold — infinite, or past ±275,760 years — which comes as DuckDB's text of it
 * ("infinity", "280000-01-01 00:00:00+00"), for validation to refuse that row by name instead of the
 * read failing. Any other conversion error is thrown as before.
 */
export const tableValue: DuckDBValueConverter<JS> = (value, type, converter) => {
  try {
    return JSDuckDBValueConverter(value, type, converter);
  } catch (error) {
    if (!INSTANT_TYPES.has(type.typeId)) throw error;
    // The library prints an infinite date as its day count's date (5881580-07-11).
    if (value instanceof DuckDBDateValue && !value.isFinite) return value.days > 0 ? 'infinity' : '-infinity';
    return String(value);
  }
};

/** JSON text of a row whose values may be bigints or Dates. */
export function rowJson(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * A row of a canonical table (CSV, Parquet, Arrow: the event's fields as columns) as a record:
 * empty cells are absent, bigints become numbers, `gut_g`/`gut_u`/`gut_t` columns become `gut`.
 */
export function rowToRecord(row: Record<string, unknown>, position: number): RawRecord {
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    let v = row[key];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'bigint') v = Number(v);
    if (key === 'gut_g' || key === 'gut_u' || key === 'gut_t') {
      const gut = (value.gut ??= {}) as Record<string, unknown>;
      gut[key.slice(4)] = v;
    } else if (key === 'gut' && typeof v === 'string') {
      try {
        value.gut = JSON.parse(v);
      } catch {
        value.gut = v;
      }
    } else value[key] = v;
  }
  return { position, raw: rowJson(row), value };
}
