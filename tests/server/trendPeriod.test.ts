import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { trendPeriod } from '../../src/server/routes/readPeriod.js';
import { loginAs } from './auth/authHelpers.js';
import { createServerFixture } from './pages/serverFixture.js';

// A trend chart's first point is a whole week (or month): the window starts on a bucket's first day.

describe('trendPeriod', () => {
  test.each([
    // November's period: 26 weeks back from 2026-12-01 is Tue 2026-06-02, so the window starts Mon 2026-06-01.
    [{ from: '2026-11-01', to: '2026-12-01' }, 'week', { from: '2026-06-01', to: '2026-12-01' }],
    // Ending on a Monday: 26 whole weeks.
    [{ from: '2026-06-22', to: '2026-06-29' }, 'week', { from: '2025-12-29', to: '2026-06-29' }],
    // A period longer than 26 weeks keeps its own start, moved back to its Monday.
    [{ from: '2025-01-15', to: '2026-06-29' }, 'week', { from: '2025-01-13', to: '2026-06-29' }],
    // Monthly charts start on the 1st.
    [{ from: '2026-11-01', to: '2026-12-01' }, 'month', { from: '2026-06-01', to: '2026-12-01' }],
    [{ from: '2026-03-10', to: '2026-07-01' }, 'month', { from: '2025-12-01', to: '2026-07-01' }],
  ] as const)('%j by %s → %j', (period, bucket, expected) => {
    const range = trendPeriod(period, 26, bucket);
    expect(range).toEqual(expected);
    const first = DateTime.fromISO(range.from, { zone: 'America/Sao_Paulo' });
    expect(bucket === 'week' ? first.weekday : first.day).toBe(1);
  });

  test('what is not a date is left to the registry to refuse', () => {
    expect(trendPeriod({ from: 'abc', to: '2026-12-01T00:00:00Z' })).toEqual({ from: 'abc', to: '2026-12-01T00:00:00Z' });
  });
});

test('a trend panel says which days it shows', async () => {
  const { db, app } = await createServerFixture();
  try {
    const leadership = await loginAs(app, db, 'leadership');
    const html = await (await app.request('/?from=2026-06-01&to=2026-07-01', { headers: leadership })).text();
    const section = /<section class="panel" id="panel-breaches_trend">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('<p class="note">De 29/12/2025 a 30/06/2026: semanas e meses inteiros desde o primeiro ponto; o último vai até o fim do período.</p>');
    const en = await (await app.request('/?from=2026-06-01&to=2026-07-01&lang=en', { headers: leadership })).text();
    expect(en).toContain('From Dec 29, 2025 to Jun 30, 2026: whole weeks and months');
    // Panels of the period itself have no such caption.
    expect(/<section class="panel" id="panel-response_by_severity">([\s\S]*?)<\/section>/.exec(html)?.[1]).not.toContain('semanas e meses inteiros');
  } finally {
    db.close();
  }
});
