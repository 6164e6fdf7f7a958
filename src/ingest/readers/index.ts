import type { RawRecord } from '../types.js';

/** What a reader gets besides the path. */
export interface ReaderOptions {
  /** Called with bytes (or rows) consumed so far, for progress. */
  onProgress?: (done: number) => void;
  /** IANA zone for zone-less timestamps (ServiceNow, mapped exports). */
  timezone?: string;
  /** Column mapping file (format "mapped"). */
  mapping?: string;
  /** Policy-level options a reader may need (e.g. ServiceNow awaiting states that pause). */
  settings?: Record<string, unknown>;
}

/** A reader streams a file as batches of raw records; memory holds one batch at a time. */
export type Reader = (path: string, options: ReaderOptions) => AsyncIterable<RawRecord[]>;

export const FORMATS = ['ndjson', 'csv', 'parquet', 'arrow', 'servicenow', 'mapped'] as const;
export type Format = (typeof FORMATS)[number];

/** The format a file's extension suggests, or undefined. */
export function formatFromPath(path: string): Format | undefined {
  const lower = path.toLowerCase();
  if (/\.(ndjson|jsonl|json)$/.test(lower)) return 'ndjson';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (/\.(arrow|arrows|ipc|feather)$/.test(lower)) return 'arrow';
  return undefined;
}
