import { type DuckDBValueConverter, type JS, JSDuckDBValueConverter } from '@duckdb/node-api';
import type { RawRecord } from '../types.js';

/**
 * A table's values as JavaScript values (what getRowObjectsJS gives), except one JavaScript cannot
 * hold — an infinite timestamp, one past a Date's ±275,760 years — which comes as DuckDB's text
 * of it ("infinity"), for validation to refuse that row by name instead of the read failing.
 */
export const tableValue: DuckDBValueConverter<JS> = (value, type, converter) => {
  try {
    return JSDuckDBValueConverter(value, type, converter);
  } catch {
    return value === null ? null : String(value);
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
