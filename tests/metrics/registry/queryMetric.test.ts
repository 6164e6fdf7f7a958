import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { listMetrics, METRICS } from '../../../src/metrics/registry/metrics.js';
import { getFixedOffset, MAX_SNAPSHOT_BUCKETS, parsePeriod } from '../../../src/metrics/registry/parseMetricQuery.js';
import { queryMetric } from '../../../src/metrics/registry/queryMetric.js';
import type { MetricQuery } from '../../../src/metrics/registry/types.js';
import { refusal } from '../satisfaction/refusal.js';
import { fixtureDatabase } from './fixture.js';

// The fixture and every number below are derived in tests/metrics/registry/fixture.ts (seven tickets,
// March 2026, São Paulo time). The period is 1–21 March 2026 unless a test says otherwise.
const analyst: Caller = { role: 'analyst', actor: 'ana@example.com' };
const leadership: Caller = { role: 'leadership', actor: 'diretoria@example.com' };
const MARCH = { from: '2026-03-01', to: '2026-03-21' };

let db: Database;
beforeAll(async () => {
  db = await fixtureDatabase();
});
afterAll(() => db.close());

const rows = async (query: Omit<MetricQuery, 'from' | 'to'> & Partial<MetricQuery>, caller: Caller = analyst) =>
  (await queryMetric(db, caller, { ...MARCH, ...query })).rows;

describe('hand-checked values', () => {
  test('tickets_opened by week (weeks start on Monday, São Paulo)', async () => {
    // A1, A2, B1, C1 in the week of 2 Mar; U1, U2 in the week of 9 Mar; M1 in the week of 16 Mar.
    expect(await rows({ name: 'tickets_opened', by: ['week'] })).toEqual([
      { week: '2026-03-02', value: 4 },
      { week: '2026-03-09', value: 2 },
      { week: '2026-03-16', value: 1 },
    ]);
  });

  test('solution_compliance by week × severity: open breached tickets count at their deadline', async () => {
    // Week of 2 Mar: alta A1 met, A2 missed, C1 met → 2/3; baixa B1 met → 1.
    // Week of 9 Mar: urgente U1 met, U2 still open but past its deadline (Tue 10 Mar 12:00) → 1/2.
    // M1 (at risk, not yet decided) is in no group.
    expect(await rows({ name: 'solution_compliance', by: ['week', 'severity'] })).toEqual([
      { week: '2026-03-02', severity: 'alta', value: 2 / 3 },
      { week: '2026-03-02', severity: 'baixa', value: 1 },
      { week: '2026-03-09', severity: 'urgente', value: 0.5 },
    ]);
  });

  test('response_compliance overall and with a filter', async () => {
    // Met: A1, B1, C1, U1, M1; missed: A2 (2 h), U2 (never answered, past 08:30) → 5/7.
    expect(await rows({ name: 'response_compliance' })).toEqual([{ value: 5 / 7 }]);
    // Urgente only: U1 met, U2 missed.
    expect(await rows({ name: 'response_compliance', filters: { severity: 'urgente' } })).toEqual([{ value: 0.5 }]);
  });

  test('breaches by client', async () => {
    // A2 missed both targets (one ticket); U2 missed both; Gamma's tickets met theirs.
    expect(await rows({ name: 'breaches', by: ['client'] })).toEqual([
      { client: 'Acme', value: 1 },
      { client: 'Beta', value: 1 },
      { client: 'Gamma', value: 0 },
    ]);
  });

  test('business-hour durations', async () => {
    // Responses 600, 1,200, 1,800, 1,800, 3,600, 7,200 s → median 1,800 s = 0.5 h.
    expect(await rows({ name: 'response_hours_median' })).toEqual([{ value: 0.5 }]);
    // Solutions: A1 4 h, A2 14 h, B1 9 h, C1 2 h, U1 2 h → median 4 h; p90 = 9 + 0.6 × (14 − 9) = 12 h.
    expect(await rows({ name: 'solution_hours_median' })).toEqual([{ value: 4 }]);
    expect((await rows({ name: 'solution_hours_p90' }))[0]!.value).toBeCloseTo(12, 9);
    // Paused: A2 1 h awaiting an approval it got "não" for, B1 4.5 h waiting on Gamma.
    expect(await rows({ name: 'paused_hours', by: ['client'] })).toEqual([
      { client: 'Acme', value: 1 },
      { client: 'Beta', value: 0 },
      { client: 'Gamma', value: 4.5 },
    ]);
  });

  test('backlog at the end of the period and of each week', async () => {
    // On 21 Mar, U2 and M1 are open. End of the week of 9 Mar (16 Mar 00:00): U2. The week of 2 Mar
    // ends with nothing open, so it has no row.
    expect(await rows({ name: 'backlog' })).toEqual([{ value: 2 }]);
    expect(await rows({ name: 'backlog', by: ['week'] })).toEqual([
      { week: '2026-03-09', value: 1 },
      { week: '2026-03-16', value: 2 },
    ]);
    // On 10 Mar 00:00 local: nothing opened in March was open (U2 opens at 08:00).
    expect(await rows({ name: 'backlog', to: '2026-03-10' })).toEqual([{ value: 0 }]);
  });

  test('at_risk, reopen and approval shares', async () => {
    expect(await rows({ name: 'at_risk' })).toEqual([{ value: 1 }]); // M1: 19 of 24 business hours used
    // Solved in March: A1, A2, B1, C1, U1; A2 reopened once.
    expect(await rows({ name: 'reopen_rate' })).toEqual([{ value: 0.2 }]);
    // Closed: four approved (A1, A2, B1, C1), U1 closed automatically; A2 had a rejection.
    expect(await rows({ name: 'approval_share' })).toEqual([{ value: 0.8 }]);
    expect(await rows({ name: 'auto_close_share' })).toEqual([{ value: 0.2 }]);
    expect(await rows({ name: 'rejection_share' })).toEqual([{ value: 0.2 }]);
  });

  test('category_share per client and duvida_explicita_share', async () => {
    expect(await rows({ name: 'category_share', by: ['client'] })).toEqual([
      { client: 'Acme', category: 'duvida_explicita', value: 0.5 },
      { client: 'Acme', category: 'erro', value: 0.5 },
      { client: 'Beta', category: 'duvida_explicita', value: 1 },
      { client: 'Gamma', category: 'cortesia', value: 0.5 },
      { client: 'Gamma', category: 'servicos', value: 0.5 },
    ]);
    expect(await rows({ name: 'duvida_explicita_share' })).toEqual([{ value: 0.4 }]); // A2, U1 of 5
    expect(await rows({ name: 'category_distribution' })).toEqual([
      { category: 'cortesia', value: 1 },
      { category: 'duvida_explicita', value: 2 },
      { category: 'erro', value: 1 },
      { category: 'servicos', value: 1 },
    ]);
  });

  test('Serviço Rápido: accepted hours and value, jobs over 4 h; declined jobs do not count', async () => {
    // B1: 6 h × R$ 150 proposed and accepted; A1: 2 h × R$ 100 declined.
    expect(await rows({ name: 'quick_service_hours' })).toEqual([{ value: 6 }]);
    expect(await rows({ name: 'quick_service_value', by: ['client'] })).toEqual([
      { client: 'Acme', value: 0 },
      { client: 'Gamma', value: 900 },
    ]);
    expect(await rows({ name: 'quick_service_over_4h' })).toEqual([{ value: 1 }]);
  });

  test('gut_distribution: bands of 25, tickets without GUT as null', async () => {
    // B1 2×2×2 = 8, U1 5×5×5 = 125, five tickets without GUT.
    expect(await rows({ name: 'gut_distribution' })).toEqual([
      { gut_band: '001–025', value: 1 },
      { gut_band: '101–125', value: 1 },
      { gut_band: null, value: 5 },
    ]);
  });

  test('an instant bound is exact; a date bound is midnight in São Paulo', async () => {
    // From 2 Mar 09:30 local: B1 (09:00) is out, A1 (10:00) in; to 3 Mar 00:00 local.
    expect(await rows({ name: 'tickets_opened', from: '2026-03-02T09:30:00-03:00', to: '2026-03-03' })).toEqual([{ value: 1 }]);
    expect(await rows({ name: 'tickets_opened', from: '2026-03-02T11:59:59Z', to: '2026-03-03T03:00:00Z' })).toEqual([{ value: 2 }]);
  });
});

describe('refusals', () => {
  test('unknown metric → 404 unknown_metric', async () => {
    expect(await refusal(queryMetric(db, leadership, { name: 'nope', ...MARCH }))).toEqual({ status: 404, code: 'unknown_metric' });
  });

  test.each<[string, Partial<MetricQuery>]>([
    ['unknown dimension', { by: ['weekday' as never] }],
    ['dimension the metric does not allow', { name: 'at_risk', by: ['week'] }],
    ['two time dimensions', { by: ['week', 'month'] }],
    ['repeated dimension', { by: ['client', 'client'] }],
    ['filter on a time dimension', { filters: { week: '2026-03-02' } as never }],
    ['unreadable from', { from: '02/03/2026' }],
    ['instant without offset', { from: '2026-03-02T10:00:00' }],
    ['impossible date', { to: '2026-02-30' }],
    ['empty period', { from: '2026-03-21', to: '2026-03-01' }],
    [`a snapshot in more than ${MAX_SNAPSHOT_BUCKETS} buckets`, { name: 'backlog', by: ['day'], from: '1000-01-01', to: '9999-12-31' }],
  ])('%s → 400 invalid_query', async (_, change) => {
    expect(await refusal(queryMetric(db, leadership, { name: 'tickets_opened', ...MARCH, ...change }))).toEqual({ status: 400, code: 'invalid_query' });
  });

  test('a snapshot over ten years by week or month is still read', async () => {
    expect(await rows({ name: 'backlog', by: ['month'], from: '2000-01-01' })).toEqual([{ month: '2026-03-01', value: 2 }]);
  });

  test('a value that looks like SQL is only ever a bound value', async () => {
    expect(await rows({ name: 'tickets_opened', filters: { client: "Acme' OR '1'='1" } })).toEqual([{ value: 0 }]);
  });
});

describe('the registry', () => {
  test('names are unique snake_case with both labels; analysts are never listed on satisfaction', () => {
    for (const metric of METRICS.values()) {
      expect(metric.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(metric.label.pt.length * metric.label.en.length).toBeGreaterThan(0);
      if (metric.satisfaction) expect(metric.roles).not.toContain('analyst');
    }
    const analystNames = listMetrics('analyst').map((m) => m.name);
    expect(analystNames).toContain('solution_compliance');
    expect(analystNames.some((name) => METRICS.get(name)!.satisfaction)).toBe(false);
    expect(listMetrics('lead').map((m) => m.name)).toEqual([...METRICS.keys()]);
    expect(JSON.stringify(listMetrics('admin'))).not.toMatch(/count\(|FILTER/); // no SQL leaves the registry
  });

  // Every metric's SQL runs with no dimension and with each dimension it allows, for a role that may read it.
  const cases = [...METRICS.values()].flatMap((metric) => [[metric.name, undefined], ...metric.dimensions.map((d) => [metric.name, d])] as [string, string | undefined][]);
  test.each(cases)('%s by %s runs', async (name, dimension) => {
    const caller: Caller = { role: 'lead', actor: 'lead@example.com' };
    const result = await queryMetric(db, caller, { name, ...MARCH, by: dimension ? [dimension as never] : [] });
    expect(result.metric.name).toBe(name);
    expect(result.rows.length).toBeGreaterThan(0);
    for (const row of result.rows) {
      expect(row.value === null || typeof row.value === 'number').toBe(true);
      if (dimension) expect(row).toHaveProperty(dimension);
    }
  });
});

describe('time buckets across a daylight-saving change (Brazil, until 2019)', () => {
  // São Paulo moved to −02:00 at 00:00 on Sun 4 Nov 2018. A ticket opened Mon 5 Nov 00:30 −02:00
  // (02:30Z) is on Monday 5 Nov locally, in the week of 5 Nov; a fixed −03:00 would put it on
  // Sunday 4 Nov, in the week of 29 Oct. Sat 3 Nov 23:30 −03:00 is on the 3rd either way.
  const events = [
    '{"id":"d1","ticket":"D1","at":"2018-11-03T23:30:00-03:00","type":"ticket.opened","severity":"alta","client":"Acme"}',
    '{"id":"d2","ticket":"D2","at":"2018-11-05T00:30:00-02:00","type":"ticket.opened","severity":"alta","client":"Acme"}',
  ];
  let dst: Database;
  beforeAll(async () => {
    dst = await fixtureDatabase(events);
  });
  afterAll(() => dst.close());

  test('the offset is fixed in 2026 and not across 4 Nov 2018', () => {
    expect(getFixedOffset(parsePeriod('2025-01-01', '2027-01-01'))).toBe(-3 * 3600);
    expect(getFixedOffset(parsePeriod('2018-11-01', '2018-11-10'))).toBeUndefined();
  });

  test('a period of centuries is not sampled day by day: per-row conversion, same buckets', async () => {
    // Up to five years the offset is checked day by day (fixed since 2019); beyond, rows are converted one by one.
    expect(getFixedOffset(parsePeriod('2020-01-01', '2024-12-31'))).toBe(-3 * 3600);
    expect(getFixedOffset(parsePeriod('2020-01-01', '9999-12-31'))).toBeUndefined();
    expect(await rows({ name: 'tickets_opened', by: ['week'], from: '2020-01-01', to: '9999-12-31' })).toEqual(await rows({ name: 'tickets_opened', by: ['week'] }));
  });

  test.each([
    ['day', [{ day: '2018-11-03', value: 1 }, { day: '2018-11-05', value: 1 }]],
    ['week', [{ week: '2018-10-29', value: 1 }, { week: '2018-11-05', value: 1 }]],
  ])('by %s', async (dimension, expected) => {
    const result = await queryMetric(dst, leadership, { name: 'tickets_opened', from: '2018-11-01', to: '2018-11-10', by: [dimension as never] });
    expect(result.rows).toEqual(expected);
  });
});
