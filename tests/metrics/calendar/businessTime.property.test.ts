/**
 * Property tests of the business-time engine (businessTime.ts over WeeklyCalendar) against the
 * minute-by-minute reference in referenceCalendar.ts, plus algebraic laws the engine must obey.
 *
 * Calendars are random weekly hours (minute boundaries, some days closed) in São Paulo, Manaus,
 * UTC or Lisbon, with random one-off closures (whole day, partial, open-ended) near the instants
 * and optional yearly closures. Instants have second precision and come in ranges of a few days
 * from 2012–2019 (Brazil still had daylight saving) and 2024–2027, biased towards the days on
 * which São Paulo or Lisbon change their offset and towards New Year.
 *
 * Every counterexample prints the calendar (hours, closures) and the instants in UTC and local time.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  businessSeconds,
  businessSecondsBatch,
  businessTimeBatch,
  deadline,
  deadlineBatch,
  instantAtBusinessTimeBatch,
  openIntervals,
} from '../../../src/metrics/calendar/businessTime.js';
import { compileCalendar } from '../../../src/metrics/calendar/compileCalendar.js';
import type { BusinessCalendar, Closure, WallWindow, WeeklySpec } from '../../../src/metrics/calendar/types.js';
import type { WeeklyCalendar } from '../../../src/metrics/calendar/WeeklyCalendar.js';
import { isOpen, referenceDeadline, referenceSeconds } from './referenceCalendar.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Runs per property and a time budget for each (ms). The reference walks every minute (~9 µs each
 * via luxon) and every fresh calendar builds three years of intervals (~20 ms), so the counts are
 * modest; the budget also caps shrinking when a property fails. PROPERTY_SCALE=10 runs ten times
 * as many cases (and allows ten times the time) for a deeper search.
 */
const SCALE = Number(process.env.PROPERTY_SCALE ?? 1) || 1;
/** [runs, time budget in ms] per property. */
const RUNS = {
  referenceSeconds: [80, 2500],
  referenceDeadline: [80, 2000],
  laws: [60, 1500],
  inverse: [60, 1500],
  batch: [15, 1500],
  missing: [5, 600],
  intervals: [80, 1500],
  growth: [10, 2000],
  windowOrder: [20, 1000],
} satisfies Record<string, [number, number]>;

/** fast-check options: `count` cases, stopped (keeping any counterexample found) after `budgetMs`. */
function runs([count, budgetMs]: [number, number]): fc.Parameters<unknown> {
  return { numRuns: Math.ceil(count * SCALE), plugins: [fc.interruptAfterTimeLimit(budgetMs * SCALE)] };
}

/**
 * Wraps a predicate so that an error thrown by the engine (rather than a failed expectation, which
 * carries its own message) names the case it was thrown on.
 */
function explained<Ts extends unknown[]>(predicate: (...args: Ts) => void): (...args: Ts) => void {
  return (...args) => {
    try {
      predicate(...args);
    } catch (error) {
      if (error instanceof Error && error.name === 'AssertionError') throw error;
      throw new Error(`engine threw "${error instanceof Error ? error.message : String(error)}" on ${fc.stringify(args)}`, {
        cause: error,
      });
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios: plain data (so counterexamples print and shrink), turned into a WeeklySpec per run.

const ZONES = ['America/Sao_Paulo', 'America/Manaus', 'UTC', 'Europe/Lisbon'] as const;
type Zone = (typeof ZONES)[number];
/** The zones with daylight saving in the eras under test come up three times as often. */
const zoneArb: fc.Arbitrary<Zone> = fc.oneof(
  { arbitrary: fc.constantFrom<Zone>('America/Sao_Paulo', 'Europe/Lisbon'), weight: 3 },
  { arbitrary: fc.constantFrom<Zone>('America/Manaus', 'UTC'), weight: 1 },
);

interface Bounds {
  from?: number;
  to?: number;
}

interface RecurringClosure extends Bounds {
  /** MM-DD, closed every year. */
  monthDay: string;
}

interface Scenario {
  zone: Zone;
  week: WallWindow[][];
  /** One-off closures on absolute local dates. */
  closures: Closure[];
  /** Closures repeated every year (exercise the table as it grows by years). */
  recurring: RecurringClosure[];
}

function withBounds<T extends object>(target: T, bounds: Bounds): T & Bounds {
  const out: T & Bounds = { ...target };
  if (bounds.from !== undefined) out.from = bounds.from;
  if (bounds.to !== undefined) out.to = bounds.to;
  return out;
}

function specOf(s: Scenario): WeeklySpec {
  return {
    kind: 'weekly',
    name: 'property',
    timezone: s.zone,
    week: s.week,
    closuresForYear: (year) => [
      ...s.closures.filter((c) => c.date.startsWith(`${year}-`)),
      ...s.recurring.map((r) => withBounds({ date: `${year}-${r.monthDay}`, name: `every ${r.monthDay}` }, r)),
    ],
  };
}

/** A spec and a freshly compiled calendar over it (nothing built yet). */
function compile(s: Scenario): { spec: WeeklySpec; cal: BusinessCalendar } {
  const spec = specOf(s);
  return { spec, cal: compileCalendar(spec) };
}

// ---------------------------------------------------------------------------------------------
// Printing context.

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const showBounds = (b: Bounds) =>
  b.from === undefined && b.to === undefined ? 'all day' : `${hhmm(b.from ?? 0)}-${hhmm(b.to ?? 1440)}`;

function describeScenario(s: Scenario): string {
  const week = s.week
    .map((ws, i) => `${DAY_NAMES[i]} ${ws.length ? ws.map((w) => `${hhmm(w.from)}-${hhmm(w.to)}`).join(',') : 'closed'}`)
    .join('; ');
  const closures = [
    ...s.closures.map((c) => `${c.date} ${showBounds(c)}`),
    ...s.recurring.map((r) => `every ${r.monthDay} ${showBounds(r)}`),
  ];
  return `zone ${s.zone} | week: ${week} | closures: ${closures.join('; ') || 'none'}`;
}

/** An instant in UTC and in the scenario's local time. */
function at(t: number, zone: string): string {
  if (!Number.isFinite(t)) return String(t);
  const local = DateTime.fromMillis(t, { zone }).toFormat('ccc yyyy-MM-dd HH:mm:ss.SSS ZZ');
  return `${new Date(t).toISOString()} [${local}]`;
}

function printable<T extends object>(value: T, show: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => show(value), enumerable: false });
  return value;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

/** Minute of day, biased to the edges of days and to the hours that daylight saving skips or repeats. */
const minuteArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 1440 }), weight: 3 },
  { arbitrary: fc.constantFrom(0, 30, 60, 90, 120, 150, 480, 720, 780, 1080, 1380, 1400, 1410, 1440), weight: 2 },
);

/** Sorted, non-overlapping windows (adjacent ones allowed) from random cut points. */
function windowsFromPoints(points: number[]): WallWindow[] {
  const sorted = [...points].sort((x, y) => x - y);
  const windows: WallWindow[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    if (sorted[i]! < sorted[i + 1]!) windows.push({ from: sorted[i]!, to: sorted[i + 1]! });
  }
  return windows;
}

/** Cut points in and around the hours that São Paulo (00:00 Sun, 23:00 Sat) and Lisbon (01:00–02:00 Sun) skip or repeat. */
const dstMinuteArb = fc.constantFrom(0, 30, 60, 75, 90, 105, 120, 150, 1380, 1395, 1410, 1425, 1440);

const dayArb: fc.Arbitrary<WallWindow[]> = fc.oneof(
  { arbitrary: fc.constant<WallWindow[]>([]), weight: 2 },
  { arbitrary: fc.array(minuteArb, { minLength: 2, maxLength: 6 }).map(windowsFromPoints), weight: 4 },
  { arbitrary: fc.array(dstMinuteArb, { minLength: 2, maxLength: 6 }).map(windowsFromPoints), weight: 2 },
);

const weekArb = fc
  .array(dayArb, { minLength: 7, maxLength: 7 })
  .filter((week) => week.some((windows) => windows.length > 0));

const boundsArb: fc.Arbitrary<Bounds> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 2 },
  {
    arbitrary: fc.tuple(minuteArb, minuteArb).map(([x, y]): Bounds => {
      if (x === y) return x === 1440 ? { from: 1439, to: 1440 } : { from: x, to: x + 1 };
      return { from: Math.min(x, y), to: Math.max(x, y) };
    }),
    weight: 3,
  },
  { arbitrary: minuteArb.filter((m) => m < 1440).map((from): Bounds => ({ from })), weight: 2 },
  { arbitrary: minuteArb.filter((m) => m > 0).map((to): Bounds => ({ to })), weight: 2 },
);

/** A one-off closure `dayOffset` days from the start of the instants' range. */
const datedClosureArb = fc.record({ dayOffset: fc.integer({ min: -1, max: 4 }), bounds: boundsArb });

const recurringArb = fc.subarray<RecurringClosure>([
  { monthDay: '01-01' },
  { monthDay: '12-25' },
  { monthDay: '12-24', from: 720 },
  { monthDay: '12-31', from: 1080 },
  { monthDay: '02-29' },
]);

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

const ERA_YEARS = [2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2024, 2025, 2026, 2027];

/** UTC midnights of the days on which `zone` changes its offset (found by luxon, noon to noon). */
function offsetChangeDays(zone: string): number[] {
  const days: number[] = [];
  for (const year of ERA_YEARS) {
    let previous = DateTime.fromMillis(Date.UTC(year, 0, 1, 12), { zone }).offset;
    for (let day = Date.UTC(year, 0, 2); day < Date.UTC(year + 1, 0, 1); day += DAY) {
      const offset = DateTime.fromMillis(day + 12 * HOUR, { zone }).offset;
      if (offset !== previous) days.push(day);
      previous = offset;
    }
  }
  return days;
}

const NEW_YEARS = [2013, 2016, 2019, 2020, 2025, 2027].map((y) => Date.UTC(y, 0, 1));
const BRAZIL_CHANGES = offsetChangeDays('America/Sao_Paulo');
const LISBON_CHANGES = offsetChangeDays('Europe/Lisbon');
/** Days worth aiming at, per zone: its own offset changes (Brazil's for the others) and New Year. */
const HOT_DAYS: Record<Zone, number[]> = {
  'America/Sao_Paulo': [...BRAZIL_CHANGES, ...NEW_YEARS],
  'America/Manaus': [...BRAZIL_CHANGES, ...NEW_YEARS],
  UTC: [...BRAZIL_CHANGES, ...LISBON_CHANGES, ...NEW_YEARS],
  'Europe/Lisbon': [...LISBON_CHANGES, ...NEW_YEARS],
};

const secondsBetween = (fromIso: string, toIso: string) =>
  fc.integer({ min: Date.parse(fromIso) / SECOND, max: Date.parse(toIso) / SECOND - 1 });

/** Where a range starts, before the zone is known: near a hot day, or anywhere in an era. */
type StartPlan =
  | { kind: 'hot'; index: number; seconds: number; unit: number }
  | { kind: 'era'; seconds: number; unit: number };

const unitArb = fc.constantFrom(1, 1, 60, 1800, 3600);
const startPlanArb: fc.Arbitrary<StartPlan> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('hot' as const),
      index: fc.nat(),
      seconds: fc.integer({ min: -3 * 86_400, max: 36 * 3600 }),
      unit: unitArb,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('era' as const), seconds: secondsBetween('2012-01-01', '2020-01-01'), unit: unitArb }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('era' as const), seconds: secondsBetween('2024-01-01', '2028-01-01'), unit: unitArb }),
    weight: 2,
  },
);

/** The start instant (UTC ms, second precision, sometimes snapped to a minute, half hour or hour). */
function startOf(plan: StartPlan, zone: Zone): number {
  const hot = HOT_DAYS[zone];
  const raw = plan.kind === 'hot' ? hot[plan.index % hot.length]! + plan.seconds * SECOND : plan.seconds * SECOND;
  const unit = plan.unit * SECOND;
  return Math.floor(raw / unit) * unit;
}

const spanSecondsArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3 * 86_400 }), weight: 4 },
  { arbitrary: fc.constantFrom(0, 1, 60, 3600, 86_400, 2 * 86_400), weight: 1 },
);

/** A fraction in thousandths, for picking a point inside a range or a share of an amount. */
const permilleArb = fc.integer({ min: 0, max: 1000 });
/** A point of [a, b] at second precision. */
const pointIn = (a: number, b: number, permille: number) =>
  a + Math.floor(((b - a) / SECOND) * (permille / 1000)) * SECOND;

interface Case {
  scenario: Scenario;
  a: number;
  b: number;
}

function makeScenario(zone: Zone, week: WallWindow[][], dated: { dayOffset: number; bounds: Bounds }[], recurring: RecurringClosure[], start: number): Scenario {
  const closures = dated.map((c, i) => withBounds({ date: isoDate(start + c.dayOffset * DAY), name: `closure ${i}` }, c.bounds));
  return printable({ zone, week, closures, recurring }, describeScenario);
}

function makeCase(scenario: Scenario, a: number, b: number): Case {
  return printable({ scenario, a, b }, (c) => `${describeScenario(c.scenario)} | a = ${at(c.a, c.scenario.zone)} | b = ${at(c.b, c.scenario.zone)}`);
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    zone: zoneArb,
    week: weekArb,
    dated: fc.array(datedClosureArb, { maxLength: 4 }),
    recurring: recurringArb,
    plan: startPlanArb,
    span: spanSecondsArb,
  })
  .map(({ zone, week, dated, recurring, plan, span }) => {
    const a = startOf(plan, zone);
    return makeCase(makeScenario(zone, week, dated, recurring, a), a, a + span * SECOND);
  });

/** A target between 0 and `total` seconds: a share of it, nudged by a second either way. */
function targetOf(total: number, permille: number, nudge: number): number {
  return Math.min(total, Math.max(0, Math.floor((total * permille) / 1000) + nudge));
}
const nudgeArb = fc.constantFrom(0, 0, 0, -1, 1);

// ---------------------------------------------------------------------------------------------

describe('test data', () => {
  it('aims at the days Brazil and Portugal change their clocks', () => {
    // If luxon's scan stopped finding transitions, the DST-focused cases would silently vanish.
    expect(BRAZIL_CHANGES.map(isoDate)).toEqual(expect.arrayContaining(['2018-11-04', '2019-02-17', '2012-10-21', '2013-02-17']));
    expect(BRAZIL_CHANGES.filter((d) => d >= Date.UTC(2020, 0, 1))).toEqual([]);
    expect(LISBON_CHANGES.map(isoDate)).toEqual(expect.arrayContaining(['2025-03-30', '2025-10-26', '2027-10-31']));
  });
});

describe('reference calendar (hand-computed)', () => {
  const E: WallWindow[] = [];
  const weekdays = (w: WallWindow[]): WallWindow[][] => [w, w, w, w, w, E, E];
  const spec = (timezone: string, week: WallWindow[][], closures: Closure[] = []): WeeklySpec => ({
    kind: 'weekly',
    name: 'hand',
    timezone,
    week,
    closuresForYear: (year) => closures.filter((c) => c.date.startsWith(`${year}-`)),
  });

  it('counts weekday hours, closures and exact deadlines in UTC', () => {
    const s = spec('UTC', weekdays([{ from: 480, to: 720 }]), [
      { date: '2025-01-07', name: 'whole day' },
      { date: '2025-01-08', name: 'from 11:00', from: 660 },
      { date: '2025-01-09', name: 'until 09:30', to: 570 },
    ]);
    // Mon 4 h, Tue closed, Wed 08–11 = 3 h, Thu 09:30–12 = 2.5 h, Fri 4 h.
    expect(referenceSeconds(s, Date.parse('2025-01-06T00:00:00Z'), Date.parse('2025-01-13T00:00:00Z'))).toBe(13.5 * 3600);
    expect(referenceSeconds(s, Date.parse('2025-01-06T08:00:30Z'), Date.parse('2025-01-06T08:01:45Z'))).toBe(75);
    expect(isOpen(s, Date.parse('2025-01-06T11:59:59Z'))).toBe(true);
    expect(isOpen(s, Date.parse('2025-01-06T12:00:00Z'))).toBe(false);
    expect(isOpen(s, Date.parse('2025-01-09T09:29:59Z'))).toBe(false);
    // Lands exactly on a closing instant, not on the next opening.
    expect(referenceDeadline(s, Date.parse('2025-01-06T11:00:30Z'), 3570)).toBe(Date.parse('2025-01-06T12:00:00Z'));
    // Fri 11:00 + 2 h: one hour on Friday, one on Monday.
    expect(referenceDeadline(s, Date.parse('2025-01-10T11:00:00Z'), 7200)).toBe(Date.parse('2025-01-13T09:00:00Z'));
    expect(referenceDeadline(s, Date.parse('2025-01-11T10:00:00Z'), 0)).toBe(Date.parse('2025-01-11T10:00:00Z'));
  });

  it('skips the missing hour and counts the repeated hour twice (São Paulo 2018–2019)', () => {
    // 2018-11-04 (Sun): 00:00 → 01:00, so a 00:00–02:00 window is open for one hour.
    const sunday = spec('America/Sao_Paulo', [E, E, E, E, E, E, [{ from: 0, to: 120 }]]);
    expect(referenceSeconds(sunday, Date.parse('2018-11-04T00:00:00Z'), Date.parse('2018-11-05T00:00:00Z'))).toBe(3600);
    // 2019-02-17 00:00 → 2019-02-16 23:00 (Sat): 23:00–24:00 happens twice.
    const saturday = spec('America/Sao_Paulo', [E, E, E, E, E, [{ from: 1380, to: 1440 }], E]);
    expect(referenceSeconds(saturday, Date.parse('2019-02-16T00:00:00Z'), Date.parse('2019-02-18T00:00:00Z'))).toBe(7200);
    expect(referenceDeadline(saturday, Date.parse('2019-02-16T12:00:00Z'), 5400)).toBe(Date.parse('2019-02-17T02:30:00Z'));
  });
});

describe('businessTime properties', () => {
  it('businessSeconds equals the minute-by-minute reference', () => {
    fc.assert(
      fc.property(caseArb, explained(({ scenario, a, b }) => {
        const { spec, cal } = compile(scenario);
        const expected = referenceSeconds(spec, a, b);
        const got = businessSeconds(cal, a, b);
        expect(got, `businessSeconds(${at(a, scenario.zone)}, ${at(b, scenario.zone)}) in ${describeScenario(scenario)}`).toBe(expected);
      })),
      runs(RUNS.referenceSeconds),
    );
  });

  it('deadline equals the reference deadline', () => {
    fc.assert(
      fc.property(caseArb, permilleArb, nudgeArb, explained(({ scenario, a, b }, permille, nudge) => {
        const { spec, cal } = compile(scenario);
        const seconds = targetOf(businessSeconds(cal, a, b), permille, nudge);
        const expected = referenceDeadline(spec, a, seconds, b - a + 2 * DAY);
        const got = deadline(cal, a, seconds).getTime();
        expect(
          at(got, scenario.zone),
          `deadline(${at(a, scenario.zone)}, ${seconds} s) in ${describeScenario(scenario)}`,
        ).toBe(at(expected, scenario.zone));
      })),
      runs(RUNS.referenceDeadline),
    );
  });

  it('is additive, non-negative, monotone, antisymmetric and never more than elapsed time', () => {
    fc.assert(
      fc.property(caseArb, permilleArb, explained(({ scenario, a, b: c }, permille) => {
        const b = pointIn(a, c, permille);
        const { cal } = compile(scenario);
        const ab = businessSeconds(cal, a, b);
        const bc = businessSeconds(cal, b, c);
        const ac = businessSeconds(cal, a, c);
        const ctx = `a = ${at(a, scenario.zone)}, b = ${at(b, scenario.zone)}, c = ${at(c, scenario.zone)}: ab = ${ab}, bc = ${bc}, ac = ${ac} in ${describeScenario(scenario)}`;
        expect(ab + bc, `additivity: ${ctx}`).toBe(ac);
        expect(ab, `non-negative ab: ${ctx}`).toBeGreaterThanOrEqual(0);
        expect(bc, `non-negative bc: ${ctx}`).toBeGreaterThanOrEqual(0);
        expect(ab, `monotone in the end: ${ctx}`).toBeLessThanOrEqual(ac);
        expect(bc, `monotone in the start: ${ctx}`).toBeLessThanOrEqual(ac);
        expect(ac, `at most elapsed: ${ctx}`).toBeLessThanOrEqual((c - a) / SECOND);
        expect(businessSeconds(cal, a, a), `empty range: ${ctx}`).toBe(0);
        expect(businessSeconds(cal, c, a) + ac, `antisymmetric (businessSeconds(c, a) + ac): ${ctx}`).toBe(0);
      })),
      runs(RUNS.laws),
    );
  });

  it('deadline is the least instant reaching the target: businessSeconds(a, deadline(a, d)) = d', () => {
    fc.assert(
      fc.property(caseArb, permilleArb, nudgeArb, permilleArb, explained(({ scenario, a, b }, permille, nudge, before) => {
        const { cal } = compile(scenario);
        const total = businessSeconds(cal, a, b);
        const d = targetOf(total, permille, nudge);
        const t = deadline(cal, a, d).getTime();
        const ctx = `d = ${d} s (of ${total} s in [a, b)), a = ${at(a, scenario.zone)}, b = ${at(b, scenario.zone)}, deadline = ${at(t, scenario.zone)} in ${describeScenario(scenario)}`;
        expect(t, `deadline before a: ${ctx}`).toBeGreaterThanOrEqual(a);
        expect(t, `deadline after b although [a, b) holds d: ${ctx}`).toBeLessThanOrEqual(b);
        expect(businessSeconds(cal, a, t), `businessSeconds(a, deadline): ${ctx}`).toBe(d);
        if (d === 0) {
          expect(t, `zero target: ${ctx}`).toBe(a);
        } else {
          expect(businessSeconds(cal, a, t - 1), `1 ms before the deadline: ${ctx}`).toBeLessThan(d);
          const earlier = a + Math.floor(((t - a) * before) / 1001);
          expect(businessSeconds(cal, a, earlier), `at ${at(earlier, scenario.zone)}: ${ctx}`).toBeLessThan(d);
        }
      })),
      runs(RUNS.inverse),
    );
  });

  it('batch forms agree with the scalar forms element-wise', () => {
    const pointsArb = fc.array(permilleArb, { minLength: 1, maxLength: 20 });
    const secondsArb = fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 20, maxLength: 20 });
    /** Whole years added to the last `to`, so the pairs may reach beyond what `from` alone would build. */
    const farArb = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(caseArb, pointsArb, secondsArb, farArb, explained(({ scenario, a, b }, points, targets, far) => {
        const instants = Float64Array.from(points, (p) => pointIn(a, b, p));
        const reversed = Float64Array.from(instants).reverse();
        reversed[reversed.length - 1] = reversed[reversed.length - 1]! + far * 365 * DAY;
        const seconds = Float64Array.from(instants, (_, i) => targets[i]!);
        const show = (xs: Float64Array) => Array.from(xs, (t) => at(t, scenario.zone)).join(', ');
        const ctx = `instants [${show(instants)}], to [${show(reversed)}] in ${describeScenario(scenario)}`;
        // A fresh calendar per batch call: each batch form must ensure its own range.
        const scalar = compile(scenario).cal;

        const times = businessTimeBatch(compile(scenario).cal, instants);
        for (let i = 0; i < instants.length; i++) {
          expect((times[i]! - times[0]!) / SECOND, `businessTimeBatch: B[${i}] − B[0] vs businessSeconds; ${ctx}`).toBe(
            businessSeconds(scalar, instants[0]!, instants[i]!),
          );
        }

        const durations = businessSecondsBatch(compile(scenario).cal, instants, reversed);
        for (let i = 0; i < instants.length; i++) {
          expect(durations[i], `businessSecondsBatch[${i}]: ${ctx}`).toBe(businessSeconds(scalar, instants[i]!, reversed[i]!));
        }

        const deadlines = deadlineBatch(compile(scenario).cal, instants, seconds);
        for (let i = 0; i < instants.length; i++) {
          expect(at(deadlines[i]!, scenario.zone), `deadlineBatch[${i}] for ${seconds[i]} s: ${ctx}`).toBe(
            at(deadline(scalar, instants[i]!, seconds[i]!).getTime(), scenario.zone),
          );
        }
      })),
      runs(RUNS.batch),
    );
  });

  describe('a missing instant or target (NaN) gives NaN in the batch forms, not a made-up number', () => {
    // businessTimeBatch documents "NaN entries (a missing instant) give NaN"; the scalar forms
    // reject NaN outright, so the batch forms must not turn a missing value into a number.
    // At least two entries, so that one is a real instant (a batch with no real instant at all is
    // covered by a regression test below).
    const missingArb = fc.tuple(caseArb, fc.array(permilleArb, { minLength: 2, maxLength: 6 }), fc.nat());
    const withNaN = (a: number, b: number, points: number[], index: number) => {
      const instants = Float64Array.from(points, (p) => pointIn(a, b, p));
      const k = index % instants.length;
      instants[k] = NaN;
      return { instants, k };
    };

    it('businessTimeBatch', () => {
      fc.assert(
        fc.property(missingArb, explained(([{ scenario, a, b }, points, index]) => {
          const { instants, k } = withNaN(a, b, points, index);
          const out = businessTimeBatch(compile(scenario).cal, instants);
          for (let i = 0; i < instants.length; i++) {
            expect(Number.isNaN(out[i]), `entry ${i} (NaN at ${k}) gave ${out[i]} in ${describeScenario(scenario)}`).toBe(i === k);
          }
        })),
        runs(RUNS.missing),
      );
    });

    it('businessSecondsBatch', () => {
      fc.assert(
        fc.property(missingArb, ([{ scenario, a, b }, points, index]) => {
          const { instants, k } = withNaN(a, b, points, index);
          const others = Float64Array.from(points, (p) => pointIn(a, b, 1000 - p));
          const ctx = `(other end ${at(others[k]!, scenario.zone)}) in ${describeScenario(scenario)}`;
          const missingFrom = businessSecondsBatch(compile(scenario).cal, instants, others);
          expect(missingFrom[k], `businessSecondsBatch with from[${k}] = NaN ${ctx}`).toBeNaN();
          const missingTo = businessSecondsBatch(compile(scenario).cal, others, instants);
          expect(missingTo[k], `businessSecondsBatch with to[${k}] = NaN ${ctx}`).toBeNaN();
        }),
        runs(RUNS.missing),
      );
    });

    it('deadlineBatch', () => {
      fc.assert(
        fc.property(missingArb, ([{ scenario, a, b }, points, index]) => {
          const { instants, k } = withNaN(a, b, points, index);
          const starts = Float64Array.from(points, (p) => pointIn(a, b, p));
          const hour = new Float64Array(instants.length).fill(3600);
          const ctx = `in ${describeScenario(scenario)}`;
          const missingFrom = deadlineBatch(compile(scenario).cal, instants, hour);
          expect(missingFrom[k], `deadlineBatch with from[${k}] = NaN gave ${at(missingFrom[k]!, scenario.zone)} ${ctx}`).toBeNaN();
          const seconds = instants.map((t) => (Number.isNaN(t) ? NaN : 3600));
          const missingSeconds = deadlineBatch(compile(scenario).cal, starts, seconds);
          expect(
            missingSeconds[k],
            `deadlineBatch with seconds[${k}] = NaN (from ${at(starts[k]!, scenario.zone)}) gave ${at(missingSeconds[k]!, scenario.zone)} ${ctx}`,
          ).toBeNaN();
        }),
        runs(RUNS.missing),
      );
    });
  });

  it('openIntervals are ordered, inside [a, b), open per the reference, and sum to businessSeconds', () => {
    fc.assert(
      fc.property(caseArb, explained(({ scenario, a, b }) => {
        const { spec, cal } = compile(scenario);
        const intervals = openIntervals(cal, a, b);
        const show = intervals.map((iv) => `[${at(iv.from, scenario.zone)}, ${at(iv.to, scenario.zone)})`).join(' ');
        const ctx = `a = ${at(a, scenario.zone)}, b = ${at(b, scenario.zone)}, intervals ${show || 'none'} in ${describeScenario(scenario)}`;
        let sum = 0;
        let previousEnd = a;
        for (const iv of intervals) {
          expect(iv.from, `interval starts before a or before the previous one ends: ${ctx}`).toBeGreaterThanOrEqual(previousEnd);
          expect(iv.from, `empty interval: ${ctx}`).toBeLessThan(iv.to);
          expect(iv.to, `interval ends after b: ${ctx}`).toBeLessThanOrEqual(b);
          const mid = Math.floor((iv.from + iv.to) / 2);
          expect(isOpen(spec, mid), `reference says closed at ${at(mid, scenario.zone)}: ${ctx}`).toBe(true);
          if (iv.from > previousEnd) {
            const gap = Math.floor((previousEnd + iv.from) / 2);
            expect(isOpen(spec, gap), `reference says open in a gap at ${at(gap, scenario.zone)}: ${ctx}`).toBe(false);
          }
          sum += iv.to - iv.from;
          previousEnd = iv.to;
        }
        if (b > previousEnd) {
          const gap = Math.floor((previousEnd + b) / 2);
          expect(isOpen(spec, gap), `reference says open in the last gap at ${at(gap, scenario.zone)}: ${ctx}`).toBe(false);
        }
        expect(sum / SECOND, `sum of interval lengths vs businessSeconds: ${ctx}`).toBe(businessSeconds(cal, a, b));
      })),
      runs(RUNS.intervals),
    );
  });

  it('gives the same answers however the lazily built range grows (backwards, forwards, by deadlines)', () => {
    interface Query {
      a: number;
      b: number;
      /** Deadline target; up to ~60 weeks of open time, so some deadlines grow the table forward. */
      seconds: number;
    }
    const queryPlanArb = fc.record({
      yearOffset: fc.integer({ min: -3, max: 3 }),
      where: fc.oneof(
        fc.record({ kind: fc.constant('any' as const), seconds: fc.integer({ min: 0, max: 365 * 86_400 }) }),
        fc.record({ kind: fc.constant('newYear' as const), seconds: fc.integer({ min: -3 * 86_400, max: 2 * 86_400 }) }),
        fc.record({ kind: fc.constant('hot' as const), index: fc.nat(), seconds: fc.integer({ min: -2 * 86_400, max: 86_400 }) }),
      ),
      span: spanSecondsArb,
      share: fc.integer({ min: 0, max: 6000 }),
    });
    const growthArb = fc
      .record({
        zone: zoneArb,
        week: weekArb,
        dated: fc.array(datedClosureArb, { maxLength: 3 }),
        recurring: recurringArb,
        centerYear: fc.integer({ min: 2014, max: 2025 }),
        plans: fc.array(queryPlanArb, { minLength: 3, maxLength: 5 }),
      })
      .map(({ zone, week, dated, recurring, centerYear, plans }) => {
        const weeklyOpenSeconds = week.flat().reduce((sum, w) => sum + (w.to - w.from) * 60, 0);
        const queries: Query[] = plans.map((p) => {
          const year = centerYear + p.yearOffset;
          const hot = HOT_DAYS[zone].filter((d) => new Date(d).getUTCFullYear() === year);
          const base =
            p.where.kind === 'any' || (p.where.kind === 'hot' && hot.length === 0)
              ? Date.UTC(year, 0, 1)
              : p.where.kind === 'newYear'
                ? Date.UTC(year, 0, 1)
                : hot[p.where.index % hot.length]!;
          const a = base + p.where.seconds * SECOND;
          return { a, b: a + p.span * SECOND, seconds: Math.floor((weeklyOpenSeconds * p.share) / 100) };
        });
        const scenario = makeScenario(zone, week, dated, recurring, queries[0]!.a);
        return printable({ scenario, queries }, (g) =>
          `${describeScenario(g.scenario)} | queries: ${g.queries.map((q) => `[${at(q.a, zone)} +${(q.b - q.a) / SECOND} s, deadline ${q.seconds} s]`).join(' ')}`,
        );
      });

    fc.assert(
      fc.property(growthArb, explained(({ scenario, queries }) => {
        const zone = scenario.zone;
        const byTime = [...queries].sort((x, y) => x.a - y.a);
        // Scrambled: start in the middle, then go to the earliest (backwards), the latest
        // (forwards), then the rest in generated order.
        const middle = byTime[Math.floor(byTime.length / 2)]!;
        const scrambled = [middle, byTime[0]!, byTime[byTime.length - 1]!, ...queries.filter((q) => q !== middle && q !== byTime[0] && q !== byTime[byTime.length - 1])];
        const answer = (cal: BusinessCalendar, q: Query) => ({
          seconds: businessSeconds(cal, q.a, q.b),
          deadline: at(deadline(cal, q.a, q.seconds).getTime(), zone),
        });

        const natural = compile(scenario).cal;
        const naturalAnswers = new Map(byTime.map((q) => [q, answer(natural, q)]));

        const grown = compile(scenario).cal;
        const probes = Float64Array.from([middle.a, middle.b, pointIn(middle.a, middle.b, 500)]);
        const firstAnswer = answer(grown, middle);
        const probesBefore = businessTimeBatch(grown, probes);
        const grownAnswers = new Map<Query, ReturnType<typeof answer>>([[middle, firstAnswer]]);
        for (const q of scrambled.slice(1)) grownAnswers.set(q, answer(grown, q));
        const probesAfter = businessTimeBatch(grown, probes);

        for (const q of queries) {
          expect(grownAnswers.get(q), `query from ${at(q.a, zone)} (+${(q.b - q.a) / SECOND} s, deadline ${q.seconds} s): scrambled vs natural order`).toEqual(
            naturalAnswers.get(q),
          );
        }
        expect(Array.from(probesAfter), `B at [${Array.from(probes, (t) => at(t, zone)).join(', ')}] changed as the table grew`).toEqual(
          Array.from(probesBefore),
        );
        const first = byTime[0]!.a;
        const last = byTime[byTime.length - 1]!.b;
        const across = businessSeconds(grown, first, last);
        expect(across, `businessSeconds across eras ${at(first, zone)} → ${at(last, zone)}: scrambled vs natural`).toBe(
          businessSeconds(natural, first, last),
        );
        expect(businessSeconds(grown, first, middle.a) + businessSeconds(grown, middle.a, last), `additivity across eras via ${at(middle.a, zone)}`).toBe(across);
      })),
      runs(RUNS.growth),
    );
  });

  it('does not depend on the order in which a day lists its windows', () => {
    // WeeklySpec does not ask for sorted windows, and the policy schema only sorts a copy to
    // check for overlaps, so hours like ["13:00-17:00", "08:00-12:00"] reach the engine as written.
    fc.assert(
      fc.property(
        // Zones without daylight saving in these years, to keep this apart from the repeated-hour case.
        caseArb.filter(({ scenario }) => (scenario.zone === 'UTC' || scenario.zone === 'America/Manaus') && scenario.week.some((ws) => ws.length >= 2)),
        ({ scenario, a, b }) => {
          const reversed = printable({ ...scenario, week: scenario.week.map((ws) => [...ws].reverse()) }, describeScenario);
          const sorted = compile(scenario).cal;
          const shuffled = compile(reversed).cal;
          const ctx = `a = ${at(a, scenario.zone)}, b = ${at(b, scenario.zone)}; sorted ${describeScenario(scenario)}; as listed ${describeScenario(reversed)}`;
          let got: number;
          try {
            got = businessSeconds(shuffled, a, b);
          } catch (error) {
            throw new Error(`windows listed in reverse order: ${(error as Error).message}; ${ctx}`);
          }
          expect(got, ctx).toBe(businessSeconds(sorted, a, b));
        },
      ),
      runs(RUNS.windowOrder),
    );
  });
});

describe('regressions: minimal counterexamples found by the properties', () => {
  const E: WallWindow[] = [];
  const check = (scenario: Scenario, aIso: string, bIso: string, expectedSeconds: number) => {
    const { spec, cal } = compile(scenario);
    const a = Date.parse(aIso);
    const b = Date.parse(bIso);
    expect(referenceSeconds(spec, a, b), 'reference (hand-computed)').toBe(expectedSeconds);
    let got: number;
    try {
      got = businessSeconds(cal, a, b);
    } catch (error) {
      throw new Error(`businessSeconds(${aIso}, ${bIso}) threw "${(error as Error).message}"; expected ${expectedSeconds} s; ${describeScenario(scenario)}`);
    }
    expect(got, describeScenario(scenario)).toBe(expectedSeconds);
  };

  it('two windows inside the repeated hour (São Paulo, Sat 2019-02-16 23:00–23:20 and 23:30–24:00)', () => {
    // Clocks went from 2019-02-17 00:00 back to 2019-02-16 23:00: each window happens twice.
    const scenario: Scenario = {
      zone: 'America/Sao_Paulo',
      week: [E, E, E, E, E, [{ from: 1380, to: 1400 }, { from: 1410, to: 1440 }], E],
      closures: [],
      recurring: [],
    };
    check(scenario, '2019-02-16T00:00:00Z', '2019-02-18T00:00:00Z', 2 * (20 + 30) * 60);
  });

  it('a partial closure inside the repeated hour (Lisbon, Sun 2025-10-26 open all day, closed 01:30–01:40)', () => {
    // 01:00–02:00 happens twice that day, so the day is 25 h and the closure takes 2 × 10 min.
    const scenario: Scenario = {
      zone: 'Europe/Lisbon',
      week: [E, E, E, E, E, E, [{ from: 0, to: 1440 }]],
      closures: [{ date: '2025-10-26', name: 'closure', from: 90, to: 100 }],
      recurring: [],
    };
    check(scenario, '2025-10-25T22:00:00Z', '2025-10-27T01:00:00Z', 25 * 3600 - 20 * 60);
  });

  it('windows listed out of order (UTC, Mon 13:00–17:00 then 08:00–12:00)', () => {
    const scenario: Scenario = {
      zone: 'UTC',
      week: [[{ from: 780, to: 1020 }, { from: 480, to: 720 }], E, E, E, E, E, E],
      closures: [],
      recurring: [],
    };
    check(scenario, '2025-01-06T00:00:00Z', '2025-01-07T00:00:00Z', 8 * 3600);
  });

  // An unbuilt table (firstYear 0, lastYear −1) asked for B⁻¹ used to grow by growTo(0, 4): that
  // skipped the MIN_YEAR check, and Date.UTC reads years 0–99 as 1900–1999, so it built 1900–1904
  // over zone offsets sampled from year −1 (15–25 s), and every later growth did so again.
  const freshCalendar = () =>
    compileCalendar({
      kind: 'weekly',
      name: 'c',
      timezone: 'UTC',
      week: [[{ from: 480, to: 720 }], [], [], [], [], [], []],
      closuresForYear: () => [],
    }) as WeeklyCalendar;

  it('a fresh calendar whose first use is a deadlineBatch with only missing starts', () => {
    const cal = freshCalendar();
    expect(Array.from(deadlineBatch(cal, Float64Array.of(NaN, NaN), Float64Array.of(3600, 0)), String)).toEqual(['NaN', 'NaN']);
    const [first, last] = cal.builtYears;
    expect(last < first, `nothing should be built for missing starts, built ${first}–${last}`).toBe(true);
    expect(businessSeconds(cal, '2025-03-10T00:00:00Z', '2025-03-17T00:00:00Z')).toBe(4 * 3600);
    expect(cal.builtYears[0]).toBeGreaterThanOrEqual(2020);
  });

  it('a fresh calendar whose first use is instantAtBusinessTimeBatch refuses: B has no origin yet', () => {
    const cal = freshCalendar();
    expect(() => instantAtBusinessTimeBatch(cal, Float64Array.of(3_600_000))).toThrow(/no business time computed yet/);
    const [first, last] = cal.builtYears;
    expect(last < first, `built ${first}–${last}`).toBe(true);
  });
});
