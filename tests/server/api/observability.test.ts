import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { createApp, createJsonLogger } from '../../../src/server/createApp.js';
import { createHttpMetrics } from '../../../src/server/observability/createHttpMetrics.js';
import { policy } from '../../metrics/helpers.js';
import { fixtureDatabase } from '../../metrics/registry/fixture.js';
import { bearerAs, readJson } from '../auth/authHelpers.js';
import { NOW, SERVER_EVENTS } from '../pages/serverFixture.js';

let db: Database;
const metrics = createHttpMetrics();
const logLines: string[] = [];
let app: ReturnType<typeof createApp>;
let server: Server;
let base: string;

beforeAll(async () => {
  db = await fixtureDatabase(SERVER_EVENTS);
  app = createApp({ db, policy, metrics, logger: createJsonLogger((line) => logLines.push(line)), config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
});

/** Sample lines by metric name and labels → value. */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

describe('/metrics', () => {
  test('admin: Prometheus text with request counts by route pattern, a latency histogram, ingest and recompute numbers', async () => {
    const analyst = await bearerAs(db, 'analyst');
    for (let i = 0; i < 3; i++) await app.request('/api/v1/metrics/breaches?from=2026-03-01&to=2026-04-01', { headers: analyst });
    await app.request('/api/v1/metrics/nope', { headers: analyst });
    metrics.observeRecompute(1.25, 7);
    const res = await app.request('/metrics', { headers: await bearerAs(db, 'admin') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE prazo_http_requests_total counter');
    expect(text).toContain('# TYPE prazo_http_request_duration_seconds histogram');
    const samples = parseSamples(text);
    expect(samples.get('prazo_http_requests_total{method="GET",route="/api/v1/metrics/:name",status="200"}')).toBe(3);
    expect(samples.get('prazo_http_requests_total{method="GET",route="/api/v1/metrics/:name",status="404"}')).toBe(1);
    const count = samples.get('prazo_http_request_duration_seconds_count{method="GET",route="/api/v1/metrics/:name"}');
    expect(count).toBe(4);
    expect(samples.get('prazo_http_request_duration_seconds_bucket{method="GET",route="/api/v1/metrics/:name",le="+Inf"}')).toBe(4);
    expect(samples.get('prazo_ingest_events_total{source="file",outcome="accepted"}')).toBe(SERVER_EVENTS.length);
    expect(samples.get('prazo_ingest_runs_total{source="file",status="done"}')).toBe(1);
    expect(samples.get('prazo_ticket_sla_rows')).toBe(7);
    expect(samples.get('prazo_recompute_last_timestamp_seconds')).toBeGreaterThan(0);
    expect(samples.get('prazo_recompute_last_duration_seconds')).toBe(1.25);
  });

  test('refused to a non-admin off loopback, and to anonymous requests that came through a proxy', async () => {
    const lead = await app.request('/metrics', { headers: await bearerAs(db, 'lead') });
    expect(lead.status).toBe(403);
    expect((await readJson(lead)).error.code).toBe('forbidden');
    expect((await app.request('/metrics')).status).toBe(403);
    const proxied = await fetch(`${base}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
  });

  test('anonymous scrape from loopback (a real socket on 127.0.0.1) is allowed', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('prazo_http_requests_total');
  });
});

describe('/healthz and request logs', () => {
  test('healthz answers ok, db ok and the version', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ ok: true, db: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  test('every request is logged as one JSON line with its request id', async () => {
    logLines.length = 0;
    const res = await app.request('/healthz');
    const id = res.headers.get('x-request-id');
    const entry = logLines.map((line) => JSON.parse(line)).find((e) => e.event === 'request' && e.path === '/healthz');
    expect(entry).toMatchObject({ level: 'info', method: 'GET', status: 200, request_id: id });
  });
});
