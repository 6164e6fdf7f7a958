import type { Caller } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { cacheBySlaVersion } from '../../metrics/readSlaVersion.js';
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
 * commits, so results are kept per data version (cacheBySlaVersion), keyed by the query and the
 * caller's role: a recompute makes every cached result stale at once. The version is re-read at
 * most every `versionTtlMs` (1 s), so a view can lag a recompute by that long. Satisfaction metrics are never cached: each read goes through the
 * satisfaction zone, which audits it.
 */
export function createMetricReader(db: Database, options: MetricCacheOptions = {}): MetricReader {
  const maxEntries = options.maxEntries ?? 500;
  const ttl = options.versionTtlMs ?? 1000;
  const clock = options.clock ?? Date.now;
  // One map of results per data version: a recompute that commits starts an empty one.
  const results = cacheBySlaVersion(db, async () => new Map<string, Promise<MetricResult>>(), ttl);

  return async (caller, query) => {
    if (getMetric(query.name).satisfaction) return queryMetric(db, caller, query);
    const cache = await results(clock());
    const key = JSON.stringify([caller.role, query.name, query.from, query.to, query.by ?? [], Object.entries(query.filters ?? {}).sort()]);
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
