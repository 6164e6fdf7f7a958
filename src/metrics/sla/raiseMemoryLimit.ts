import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB's memory limit while a full recompute writes ticket_sla. The statement keeps every
 * ticket's partial aggregate (its list of events) in memory at once — about 300 MB at a million
 * tickets, outside the buffer pool and so never spilled — and with the default 384 MB limit the
 * hash table and the rows being written spilled ~150 MB to disk: 10–15 % of the recompute's time.
 * 768 MB leaves room for both (peak RSS of the metrics bench ≈ 0.9 GB). A larger configured limit
 * is left alone.
 */
export const FULL_RECOMPUTE_MEMORY_BYTES = 768 * 1024 * 1024;

const UNITS: Record<string, number> = {
  bytes: 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40,
};

/**
 * Bytes of a size as DuckDB shows a setting ("366.2 MiB"); undefined if not understood. DuckDB shows
 * one decimal: 0.04 of the last digit is added so that setting the result back shows the same
 * text, and a limit set and restored repeatedly stays put instead of creeping down.
 */
export function parseDuckDbSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.(\d+))?)\s*([A-Za-z]+)\s*$/.exec(text);
  const unit = match ? UNITS[match[3]!] : undefined;
  if (!match || unit === undefined) return undefined;
  const decimals = match[2]?.length ?? 0;
  return Math.round((Number(match[1]) + (decimals > 0 ? 0.4 * 10 ** -decimals : 0)) * unit);
}

/**
 * Raises DuckDB's memory limit (a setting of the whole instance) to at least `bytes` and returns
 * how to put it back; does nothing (and restores nothing) when the limit is already that high or
 * cannot be read. Other connections see the raised limit meanwhile: it only lets them use more.
 */
export async function raiseMemoryLimit(connection: DuckDBConnection, bytes: number): Promise<() => Promise<void>> {
  const reader = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
  const shown = String(reader.getRows()[0]?.[0] ?? '');
  const current = parseDuckDbSize(shown);
  if (current === undefined || current >= bytes) return async () => undefined;
  await connection.run(`SET memory_limit = '${Math.round(bytes)}B'`);
  return async () => {
    await connection.run(`SET memory_limit = '${current}B'`);
  };
}
