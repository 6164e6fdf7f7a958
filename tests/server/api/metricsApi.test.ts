import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { METRICS } from '../../../src/metrics/registry/metrics.js';
import { csvField } from '../../../src/server/routes/formatMetricResult.js';
import { bearerAs, readJson } from '../auth/authHelpers.js';
import { createServerFixture } from '../pages/serverFixture.js';

let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let leadership: { Authorization: string };
let analyst: { Authorization: string };

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  leadership = await bearerAs(db, 'leadership');
  analyst = await bearerAs(db, 'analyst');
});

afterAll(() => db.close());

const MARCH = 'from=2026-03-01&to=2026-04-01';
/** response_compliance by severity in March (registry fixture): urgente U1 met, U2 missed; alta A1, C1 met, A2 missed; baixa B1, média M1 met. */
const EXPECTED = [
  { severity: 'urgente', value: 0.5 },
  { severity: 'alta', value: 2 / 3 },
  { severity: 'media', value: 1 },
  { severity: 'baixa', value: 1 },
];

describe('GET /api/v1/metrics/:name', () => {
  test('JSON: the registry result for the period and dimensions asked', async () => {
    const res = await app.request(`/api/v1/metrics/response_compliance?${MARCH}&by=severity`, { headers: analyst });
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body.metric).toMatchObject({ name: 'response_compliance', format: 'percent', target: 0.95 });
    expect(body.by).toEqual(['severity']);
    expect(body.from).toBe('2026-03-01T03:00:00.000Z');
    const rows = [...body.rows].sort((a, b) => EXPECTED.findIndex((e) => e.severity === a.severity) - EXPECTED.findIndex((e) => e.severity === b.severity));
    expect(rows.map((r: { severity: string }) => r.severity)).toEqual(EXPECTED.map((e) => e.severity));
    rows.forEach((row: { value: number }, i: number) => expect(row.value).toBeCloseTo(EXPECTED[i]!.value, 10));
  });

  test('a filter from the query string narrows the rows', async () => {
    const res = await app.request(`/api/v1/metrics/response_compliance?${MARCH}&by=severity&severity=alta`, { headers: analyst });
    const body = await readJson(res);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0].value).toBeCloseTo(2 / 3, 10);
  });

  test('CSV: header row, comma separated, dot decimals, attachment', async () => {
    const res = await app.request(`/api/v1/metrics/response_compliance?${MARCH}&by=severity&format=csv`, { headers: analyst });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="response_compliance_.+\.csv"$/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('severity,value');
    const values = Object.fromEntries(lines.slice(1).map((line) => line.split(',') as [string, string]));
    expect(values).toEqual({ urgente: '0.5', alta: String(2 / 3), media: '1', baixa: '1' });
  });

  test('Arrow: an IPC stream that apache-arrow reads back with the same rows and types', async () => {
    const res = await app.request(`/api/v1/metrics/response_compliance?${MARCH}&by=severity&format=arrow`, { headers: analyst });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['severity:Utf8', 'value:Float64']);
    const rows = Object.fromEntries(table.toArray().map((r) => [r.severity, r.value]));
    expect(rows.urgente).toBe(0.5);
    expect(rows.alta).toBeCloseTo(2 / 3, 10);
    expect(table.numRows).toBe(4);
  });

  test('unknown metric: 404 JSON envelope', async () => {
    const res = await app.request('/api/v1/metrics/no_such_metric', { headers: leadership });
    expect(res.status).toBe(404);
    expect(await readJson(res)).toEqual({ error: { code: 'unknown_metric', message: expect.any(String) } });
  });

  test('bad dimension, bad period and bad format: 400 invalid_query', async () => {
    for (const query of [`${MARCH}&by=planet`, 'from=2026-04-01&to=2026-03-01', `${MARCH}&format=xlsx`]) {
      const res = await app.request(`/api/v1/metrics/response_compliance?${query}`, { headers: leadership });
      expect(res.status, query).toBe(400);
      expect((await readJson(res)).error.code, query).toBe('invalid_query');
    }
  });

  test('anonymous: 401; analyst on a satisfaction metric: 403', async () => {
    expect((await app.request(`/api/v1/metrics/response_compliance?${MARCH}`)).status).toBe(401);
    const res = await app.request(`/api/v1/metrics/csat?${MARCH}&format=csv`, { headers: analyst });
    expect(res.status).toBe(403);
    expect((await readJson(res)).error.code).toBe('forbidden');
  });
});

describe('GET /api/v1/metrics and /api/v1/openapi.json', () => {
  test('the list is the caller role’s: analysts get no satisfaction metric', async () => {
    const forAnalyst = (await readJson(await app.request('/api/v1/metrics', { headers: analyst }))).metrics.map((m: { name: string }) => m.name);
    const forLeadership = (await readJson(await app.request('/api/v1/metrics', { headers: leadership }))).metrics.map((m: { name: string }) => m.name);
    expect(forAnalyst).toContain('response_compliance');
    expect(forAnalyst).not.toContain('csat');
    expect(forLeadership).toContain('csat');
  });

  test('OpenAPI 3.1 lists every route, with the metric names as an enum', async () => {
    const res = await app.request('/api/v1/openapi.json', { headers: leadership });
    expect(res.status).toBe(200);
    const doc = await readJson(res);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/metrics', '/api/v1/metrics/{name}', '/api/v1/tickets', '/api/v1/tickets/{id}', '/api/v1/followups', '/api/v1/events', '/healthz', '/metrics']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const name = doc.paths['/api/v1/metrics/{name}'].get.parameters.find((p: { name: string }) => p.name === 'name');
    expect(new Set(name.schema.enum)).toEqual(new Set(METRICS.keys()));
    const format = doc.paths['/api/v1/metrics/{name}'].get.parameters.find((p: { name: string }) => p.name === 'format');
    expect(format.schema.enum).toEqual(['json', 'csv', 'arrow']);
  });
});

describe('tickets and follow-ups', () => {
  test('open tickets, least remaining time first; state filter; bad limit 400', async () => {
    const all = (await readJson(await app.request('/api/v1/tickets', { headers: analyst }))).tickets;
    expect(all.map((t: { ticket: string }) => t.ticket)).toEqual(['U2', 'M1']);
    const breached = (await readJson(await app.request('/api/v1/tickets?state=breached', { headers: analyst }))).tickets;
    expect(breached.map((t: { ticket: string }) => t.ticket)).toEqual(['U2']);
    expect((await app.request('/api/v1/tickets?limit=0', { headers: analyst })).status).toBe(400);
  });

  test('one ticket: the explanation with its timeline and events; unknown: 404', async () => {
    const body = await readJson(await app.request('/api/v1/tickets/B1', { headers: analyst }));
    expect(body.ticket).toBe('B1');
    expect(body.timeline.some((s: { state: string }) => s.state === 'paused')).toBe(true);
    const counting = body.timeline.filter((s: { state: string }) => s.state === 'counting').reduce((sum: number, s: { business_seconds: number }) => sum + s.business_seconds, 0);
    expect(counting).toBe(body.solution_seconds);
    expect(body.events.map((e: { type: string }) => e.type)).toContain('ticket.opened');
    expect(body.events.some((e: { type: string }) => e.type.startsWith('survey.'))).toBe(false);
    const missing = await app.request('/api/v1/tickets/NOPE', { headers: analyst });
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).error.code).toBe('unknown_ticket');
  });

  test('follow-ups: leadership reads the insatisfeito queue, an analyst is refused', async () => {
    const res = await app.request('/api/v1/followups', { headers: leadership });
    expect(res.status).toBe(200);
    const tickets = (await readJson(res)).followups.map((f: { ticket: string }) => f.ticket).sort();
    expect(tickets).toEqual(['B1', 'C1', 'U1', 'U1']);
    expect((await app.request('/api/v1/followups', { headers: analyst })).status).toBe(403);
  });
});

describe('CSV fields', () => {
  test.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+55 49 3322', "'+55 49 3322"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['Acme, Ltda', '"Acme, Ltda"'],
    ['Acme', 'Acme'],
  ])('%s is written as %s (never run as a spreadsheet formula)', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  test('numbers stay numbers, negative ones too', () => {
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(null)).toBe('');
  });
});
