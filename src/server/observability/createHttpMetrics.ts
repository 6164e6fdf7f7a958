import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

/** Latency histogram buckets, in seconds (Prometheus' defaults, trimmed to what a page takes). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The server's own counters, kept in memory for `/metrics`: requests by method, route pattern and
 * status, their latency per method and route, and how long the last recompute took. The route
 * label is the pattern that answered (`/api/v1/metrics/:name`), never the raw path, so label
 * cardinality stays bounded.
 */
export interface HttpMetrics {
  middleware: MiddlewareHandler;
  /** Called by whoever recomputes ticket_sla (the scheduler) with its duration. */
  observeRecompute(seconds: number, tickets: number): void;
  /** The counters as Prometheus text exposition lines (no trailing newline). */
  renderLines(): string[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
export const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;

/** A metric's `# HELP` and `# TYPE` lines. */
export const describeMetric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} ${type}`,
];

/** An unlabelled gauge: its HELP and TYPE lines and its one sample. */
export const gaugeLines = (name: string, help: string, value: number) => [...describeMetric(name, 'gauge', help), `${name} ${value}`];

/** The pattern of the last route that matched (a handler, not a catch-all middleware), else "unmatched". */
function routeLabel(c: Context): string {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL' || !/\*$/.test(r.path));
  return routes.at(-1)?.path ?? 'unmatched';
}

export function createHttpMetrics(): HttpMetrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  let recompute: { seconds: number; tickets: number } | undefined;

  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeLabel(c);
      const method = c.req.method;
      const key = labels({ method, route, status: String(c.res.status) });
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const hKey = JSON.stringify([method, route]);
      let h = latency.get(hKey);
      if (!h) latency.set(hKey, (h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
      LATENCY_BUCKETS.forEach((bound, i) => {
        if (seconds <= bound) h!.counts[i]!++;
      });
      h.sum += seconds;
      h.count++;
    }
  };

  function renderLines(): string[] {
    const lines = describeMetric('prazo_http_requests_total', 'counter', 'HTTP requests answered, by method, route pattern and status.');
    for (const [key, count] of [...requests].sort()) lines.push(`prazo_http_requests_total${key} ${count}`);
    lines.push(...describeMetric('prazo_http_request_duration_seconds', 'histogram', 'Time to answer a request, by method and route pattern.'));
    for (const [hKey, h] of [...latency].sort()) {
      const [method, route] = JSON.parse(hKey) as [string, string];
      LATENCY_BUCKETS.forEach((bound, i) =>
        lines.push(`prazo_http_request_duration_seconds_bucket${labels({ method, route, le: String(bound) })} ${h.counts[i]}`),
      );
      lines.push(`prazo_http_request_duration_seconds_bucket${labels({ method, route, le: '+Inf' })} ${h.count}`);
      lines.push(`prazo_http_request_duration_seconds_sum${labels({ method, route })} ${h.sum}`);
      lines.push(`prazo_http_request_duration_seconds_count${labels({ method, route })} ${h.count}`);
    }
    if (recompute) {
      lines.push(
        ...gaugeLines('prazo_recompute_last_duration_seconds', 'How long the last recompute in this process took.', recompute.seconds),
        ...gaugeLines('prazo_recompute_last_tickets', 'Tickets the last recompute in this process wrote.', recompute.tickets),
      );
    }
    return lines;
  }

  return {
    middleware,
    observeRecompute: (seconds, tickets) => {
      recompute = { seconds, tickets };
    },
    renderLines,
  };
}
