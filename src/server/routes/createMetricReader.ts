import type { Caller } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { readSlaVersion } from '../../metrics/readSlaVersion.js';
import { withConnection } from '../../db/withConnection.js';
import { getMetric, queryMetric } from '../../metrics/registry/queryMetric.js';
import type { MetricQuery, MetricResult } from '../../metrics/registry/types.js';

/** Reads a metric for a caller: queryMetric's signature, so pages and the API share one reader. */
export type MetricReader = (caller: Caller, query: MetricQuery) => Promise<MetricResult>;

export interface MetricCacheOptions {
  /** Most results kept (least recently used go first). */
  maxEntries?: number;
  /** How long a read of the data version is trusted, in ms. */
  versionTtlMs?: number;
  clock?: () => number;
}

/**
 * queryMetric with a cache of SLA metric results. ticket_sla changes only when a recompute
 * commits, and every recompute rewrites ticket_sla_state, so results are keyed by the query, the
 * caller's role and that row's (updated_at, events_seen): a recompute makes every cached result
 * stale at once. The version is re-read at most every `versionTtlMs` (1 s), so a view can lag a
 * recompute by that long. Satisfaction metrics are never cached: each read goes through the
 * satisfaction zone, which audits it.
 */
export function createMetricReader(db: Database, options: MetricCacheOptions = {}): MetricReader {
  const maxEntries = options.maxEntries ?? 500;
  const ttl = options.versionTtlMs ?? 1000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, Promise<MetricResult>>();
  let version: { value: string; readAt: number } | undefined;
  let reading: Promise<string> | undefined;

  async function readVersion(): Promise<string> {
    if (version && clock() - version.readAt < ttl) return version.value;
    // Cleared however the read ends (a failed connect too), so one failure is not every later answer.
    reading ??= (async () => {
      try {
        const value = await withConnection(db, readSlaVersion);
        if (version?.value !== value) cache.clear();
        version = { value, readAt: clock() };
        return value;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  return async (caller, query) => {
    if (getMetric(query.name).satisfaction) return queryMetric(db, caller, query);
    const key = JSON.stringify([await readVersion(), caller.role, query.name, query.from, query.to, query.by ?? [], Object.entries(query.filters ?? {}).sort()]);
    let result = cache.get(key);
    if (result) {
      cache.delete(key);
      cache.set(key, result);
      return result;
    }
    result = queryMetric(db, caller, query);
    cache.set(key, result);
    result.catch(() => cache.delete(key));
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return result;
  };
}
