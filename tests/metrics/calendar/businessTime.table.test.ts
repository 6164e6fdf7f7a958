import { describe, expect, test } from 'vitest';
import {
  addBusinessDays,
  businessSeconds,
  compileCalendar,
  createCalendars,
  deadline,
  openIntervals,
} from '../../../src/metrics/calendar/index.js';
import { loadPolicy } from '../../../src/policy/loadPolicy.js';

// The default policy: 8x5 = Mon–Fri 08:00–12:00 and 13:30–17:30 America/Sao_Paulo with BR/SC
// holidays and Chapecó (25 Aug); 24x7 = every second. Since 2019 São Paulo is UTC−03:00 all year;
// in 2018–2019 daylight saving made it −02:00 from 2018-11-04 to 2019-02-16.
const calendars = createCalendars(loadPolicy());
const c8x5 = calendars.get('8x5')!;
const c24x7 = calendars.get('24x7')!;
const H = 3600;
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

describe('deadline on 8x5', () => {
  test.each([
    // Opened 23:00 the day before Tiradentes (Tue 2026-04-21, holiday): nothing counts until
    // Wed 08:00; 2 h later is Wed 10:00 (13:00Z).
    ['23:00 the day before a holiday, 2 h', '2026-04-21T02:00:00Z', 2 * H, '2026-04-22T13:00:00Z'],
    // Friday 17:00 (20:00Z), 4 h: 30 min on Friday, then 3 h 30 from Monday 08:00 → Mon 11:30 (14:30Z).
    ['Friday 17:00, 4 h', '2026-03-06T20:00:00Z', 4 * H, '2026-03-09T14:30:00Z'],
    // Monday 10:00 (13:00Z), 4 h: 10:00–12:00 is 2 h, lunch does not count, 13:30–15:30 → 15:30 (18:30Z).
    ['Monday 10:00, 4 h across lunch', '2026-03-09T13:00:00Z', 4 * H, '2026-03-09T18:30:00Z'],
    // Tuesday 12:45 (15:45Z), during lunch: the clock starts at 13:30; 2 h → 15:30 (18:30Z).
    ['12:45 during lunch, 2 h', '2026-03-10T15:45:00Z', 2 * H, '2026-03-10T18:30:00Z'],
    // Monday 08:00 (11:00Z), 4 h: ends exactly at 12:00 (15:00Z), not at 13:30.
    ['landing exactly on 12:00', '2026-03-09T11:00:00Z', 4 * H, '2026-03-09T15:00:00Z'],
    // Tuesday 13:30 (16:30Z), 4 h: ends exactly at 17:30 (20:30Z), not Wednesday 08:00.
    ['landing exactly on 17:30', '2026-03-10T16:30:00Z', 4 * H, '2026-03-10T20:30:00Z'],
    // Wed 2026-04-22 23:00 local is outside hours; zero seconds is the opening instant itself.
    ['zero seconds is the start itself', '2026-04-23T02:00:00Z', 0, '2026-04-23T02:00:00Z'],
    // Thu 2026-11-19 16:00 (19:00Z), 4 h: 1 h 30 Thursday, Fri 20 is Consciência Negra, Sat/Sun
    // closed, then 2 h 30 from Mon 23 08:00 → 10:30 (13:30Z).
    ['across Consciência Negra and a weekend', '2026-11-19T19:00:00Z', 4 * H, '2026-11-23T13:30:00Z'],
    // Baixa solution, 48 h = six 8-hour days. Mon 2026-03-09 08:00 (11:00Z) → the end of Monday
    // 16 March is 48 h (Mon..Fri = 40 h, Mon 16 = 8 h) → 17:30 (20:30Z).
    ['48 h is six business days', '2026-03-09T11:00:00Z', 48 * H, '2026-03-16T20:30:00Z'],
    // DST began at 00:00 on Sun 2018-11-04. Thursday 2018-11-01 17:00 −03:00 (20:00Z), 4 h: 30 min
    // on Thursday, Friday 2 is Finados, then Monday 08:00 −02:00 (10:00Z) + 3 h 30 → 11:30 −02:00 = 13:30Z.
    ['across the 2018-11-04 DST start', '2018-11-01T20:00:00Z', 4 * H, '2018-11-05T13:30:00Z'],
    // The same from Friday 2 itself (Finados): nothing counts until Monday 08:00 −02:00 (10:00Z);
    // 4 h → 12:00 −02:00 = 14:00Z.
    ['from a holiday across the DST start', '2018-11-02T20:00:00Z', 4 * H, '2018-11-05T14:00:00Z'],
    // DST ended at 00:00 on Sun 2019-02-17. Friday 2019-02-15 17:00 −02:00 (19:00Z), 4 h: 30 min
    // on Friday, then Monday 08:00 −03:00 (11:00Z) + 3 h 30 → 11:30 −03:00 = 14:30Z.
    ['across the 2019-02-17 DST end', '2019-02-15T19:00:00Z', 4 * H, '2019-02-18T14:30:00Z'],
  ])('%s', (_, from, seconds, expected) => {
    expect(iso(deadline(c8x5, from, seconds))).toBe(expected);
  });
});

describe('businessSeconds on 8x5', () => {
  test.each([
    // Fri 2026-03-06 16:00 → Mon 09:00 local: 1 h 30 on Friday + 1 h on Monday = 9000 s.
    ['Friday afternoon to Monday morning', '2026-03-06T19:00:00Z', '2026-03-09T12:00:00Z', 9000],
    // Lunch 12:45 → 14:00 local: only 13:30–14:00 counts = 1800 s.
    ['from inside lunch', '2026-03-10T15:45:00Z', '2026-03-10T17:00:00Z', 1800],
    // A pause Fri 16:00 → Mon 09:00 removes 9000 s; its weekend part (Fri 17:30 → Mon 08:00) removes 0.
    ['the weekend part of a pause', '2026-03-06T20:30:00Z', '2026-03-09T11:00:00Z', 0],
    ['Saturday to Monday 00:00', '2026-03-07T03:00:00Z', '2026-03-09T03:00:00Z', 0],
    // Whole holiday weekday (Fri 2026-11-20, Consciência Negra) counts nothing.
    ['a holiday', '2026-11-20T03:00:00Z', '2026-11-21T03:00:00Z', 0],
    // Chapecó's anniversary (Tue 2026-08-25, city holiday from the policy) counts nothing.
    ['the city holiday', '2026-08-25T03:00:00Z', '2026-08-26T03:00:00Z', 0],
    // Thu 2018-11-01 09:00 −03:00 (12:00Z) → Mon 2018-11-05 10:00 −02:00 (12:00Z): Thursday 7 h,
    // Friday is Finados, Monday 08:00–10:00 local 2 h = 9 h, although UTC shows exactly 96 h.
    ['across the DST start', '2018-11-01T12:00:00Z', '2018-11-05T12:00:00Z', 9 * H],
    // A full week around the DST end (Mon 2019-02-11 → Mon 2019-02-18 local midnight) is 40 h.
    ['the week of the DST end', '2019-02-11T02:00:00Z', '2019-02-18T03:00:00Z', 40 * H],
    // Reversed instants give the negative.
    ['reversed', '2026-03-09T12:00:00Z', '2026-03-06T19:00:00Z', -9000],
  ])('%s', (_, from, to, expected) => {
    expect(businessSeconds(c8x5, from, to)).toBe(expected);
  });
});

describe('24x7 counts real elapsed seconds', () => {
  test('an Urgente deadline across the DST start', () => {
    // Opened Sat 2018-11-03 22:00 −03:00 (2018-11-04T01:00Z); 4 h elapsed = 05:00Z, which the
    // wall clock reads as 03:00 −02:00 (it jumped from 00:00 to 01:00).
    expect(iso(deadline(c24x7, '2018-11-03T22:00:00-03:00', 4 * H))).toBe('2018-11-04T05:00:00Z');
  });
  test('across the DST end one hour repeats and still counts once', () => {
    // 2019-02-16 23:30 −02:00 is 01:30Z; 1 h later is 02:30Z, read as 23:30 −03:00 again.
    expect(iso(deadline(c24x7, '2019-02-16T23:30:00-02:00', H))).toBe('2019-02-17T02:30:00Z');
    expect(businessSeconds(c24x7, '2019-02-16T23:00:00-02:00', '2019-02-16T23:00:00-03:00')).toBe(H);
  });
  test('a holiday counts on 24x7', () => {
    expect(businessSeconds(c24x7, '2026-11-20T00:00:00-03:00', '2026-11-21T00:00:00-03:00')).toBe(24 * H);
  });
  test('fractions of a second are kept', () => {
    expect(businessSeconds(c24x7, '2026-03-09T12:00:00.250Z', '2026-03-09T12:00:01Z')).toBe(0.75);
  });
});

describe('a calendar open one weekday only', () => {
  // Wednesdays 09:00–11:00 São Paulo, no holidays.
  const wednesdays = compileCalendar({
    kind: 'weekly',
    name: 'wed',
    timezone: 'America/Sao_Paulo',
    week: [[], [], [{ from: 540, to: 660 }], [], [], [], []],
    closuresForYear: () => [],
  });
  test('a deadline skips six days a week', () => {
    // Opened Thu 2026-03-12 10:00; 3 h: Wed 18th 09–11 (2 h), Wed 25th 09:00–10:00 → 10:00 (13:00Z).
    expect(iso(deadline(wednesdays, '2026-03-12T13:00:00Z', 3 * H))).toBe('2026-03-25T13:00:00Z');
  });
  test('a week holds two hours', () => {
    expect(businessSeconds(wednesdays, '2026-03-16T00:00:00-03:00', '2026-03-23T00:00:00-03:00')).toBe(2 * H);
  });
  test('a business day is a Wednesday', () => {
    // From Mon 2026-03-16 (not open) → first open instant of the 1st Wednesday after the 18th: 25th 09:00.
    expect(iso(addBusinessDays(wednesdays, '2026-03-16T12:00:00Z', 1))).toBe('2026-03-25T12:00:00Z');
  });
});

describe('addBusinessDays (the 4-day approval window)', () => {
  test.each([
    // Resolved Mon 2026-03-09 10:00 → Tue, Wed, Thu, Fri → Fri 13 10:00 (13:00Z).
    ['Monday 10:00', '2026-03-09T13:00:00Z', '2026-03-13T13:00:00Z'],
    // Resolved Wed 2026-11-18 10:00 → Thu 19, (Fri 20 holiday), Mon 23, Tue 24, Wed 25 10:00.
    ['across a holiday', '2026-11-18T13:00:00Z', '2026-11-25T13:00:00Z'],
    // Resolved Friday 19:00, after hours: same wall time on the 4th business day, Thu 19:00 (22:00Z).
    ['Friday evening', '2026-03-06T22:00:00Z', '2026-03-12T22:00:00Z'],
    // Resolved Saturday: counting starts Monday, so Mon–Thu are the 4 days and it closes at
    // Friday's opening, 08:00 (11:00Z).
    ['Saturday', '2026-03-07T15:00:00Z', '2026-03-13T11:00:00Z'],
    // Resolved Thu 2018-11-01 10:00 −03:00 (13:00Z) → (Fri 2 Finados) Mon 5, Tue 6, Wed 7, Thu 8 at
    // 10:00 −02:00 (12:00Z): the wall time is kept although the offset changed.
    ['across the DST start keeps the wall time', '2018-11-01T13:00:00Z', '2018-11-08T12:00:00Z'],
  ])('%s', (_, from, expected) => {
    expect(iso(addBusinessDays(c8x5, from, 4))).toBe(expected);
  });
  test('refuses a negative or fractional count', () => {
    expect(() => addBusinessDays(c8x5, '2026-03-09T13:00:00Z', -1)).toThrow(RangeError);
    expect(() => addBusinessDays(c8x5, '2026-03-09T13:00:00Z', 1.5)).toThrow(RangeError);
  });
});

describe('openIntervals explains a timeline', () => {
  test('lunch and the night split a day', () => {
    // Tue 2026-03-10 from 11:00 to Wed 09:00 local.
    const got = openIntervals(c8x5, '2026-03-10T14:00:00Z', '2026-03-11T12:00:00Z').map((i) => [
      iso(new Date(i.from)),
      iso(new Date(i.to)),
    ]);
    expect(got).toEqual([
      ['2026-03-10T14:00:00Z', '2026-03-10T15:00:00Z'],
      ['2026-03-10T16:30:00Z', '2026-03-10T20:30:00Z'],
      ['2026-03-11T11:00:00Z', '2026-03-11T12:00:00Z'],
    ]);
  });
  test('24x7 is one interval across days', () => {
    expect(openIntervals(c24x7, '2026-03-06T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
      { from: Date.parse('2026-03-06T00:00:00Z'), to: Date.parse('2026-03-09T00:00:00Z') },
    ]);
  });
});

describe('bad instants', () => {
  test('a zone-less text is refused, not guessed', () => {
    expect(() => businessSeconds(c8x5, '2026-03-06T19:00:00', '2026-03-09T12:00:00Z')).toThrow(/offset/);
  });
  test('an instant far outside the supported years is refused', () => {
    expect(() => businessSeconds(c8x5, Date.UTC(1800, 0, 1), Date.UTC(2026, 0, 1))).toThrow(/supported years/);
  });
});
