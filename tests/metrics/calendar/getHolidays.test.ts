import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { businessSeconds, createCalendars, easterSunday, getHolidays } from '../../../src/metrics/calendar/index.js';
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy } from '../../../src/policy/loadPolicy.js';

const policy = loadPolicy();

/**
 * Written out by hand from the law, for the default policy (Brazil, state SC, city Chapecó):
 * - national (Lei 662/1949, Lei 6.802/1980, Lei 14.759/2023 from 2024): 01-01, Sexta-feira Santa
 *   (Easter − 2), 04-21, 05-01, 09-07, 10-12, 11-02, 11-15, 11-20 Consciência Negra, 12-25;
 * - election days in even years (Lei 9.504/1997): the first and the last Sunday of October;
 * - SC: Dia de Santa Catarina (08-11) and Santa Catarina de Alexandria (11-25), each observed on
 *   the Sunday on or after it (state law moves them to Sundays);
 * - Chapecó: 08-25, the city's anniversary (configured in the policy).
 * Easter: 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28.
 */
const BY_LAW: Record<number, string[]> = {
  2024: ['01-01', '03-29', '04-21', '05-01', '08-11', '08-25', '09-07', '10-06', '10-12', '10-27', '11-02', '11-15', '11-20', '12-01', '12-25'],
  2025: ['01-01', '04-18', '04-21', '05-01', '08-17', '08-25', '09-07', '10-12', '11-02', '11-15', '11-20', '11-30', '12-25'],
  2026: ['01-01', '04-03', '04-21', '05-01', '08-16', '08-25', '09-07', '10-04', '10-12', '10-25', '11-02', '11-15', '11-20', '11-29', '12-25'],
  2027: ['01-01', '03-26', '04-21', '05-01', '08-15', '08-25', '09-07', '10-12', '11-02', '11-15', '11-20', '11-28', '12-25'],
};

describe('holidays of the default policy', () => {
  test.each(Object.entries(BY_LAW))('%s matches the list written from the law', (year, days) => {
    const got = [...new Set(getHolidays(policy.holidays, Number(year)).map((h) => h.date))];
    expect(got).toEqual(days.map((d) => `${year}-${d}`));
  });

  test('Consciência Negra is national from 2024 and names its source', () => {
    const h = getHolidays(policy.holidays, 2024).find((x) => x.date === '2024-11-20');
    expect(h).toMatchObject({ name: 'Dia da Consciência Negra', source: 'public' });
  });

  test("Chapecó's anniversary comes from the policy, not the library", () => {
    expect(getHolidays(policy.holidays, 2026).find((x) => x.date === '2026-08-25')).toMatchObject({ source: 'recurring' });
  });

  test('Carnaval and Corpus Christi are working days by default', () => {
    const dates = getHolidays(policy.holidays, 2026).map((h) => h.date);
    expect(dates).not.toContain('2026-02-16');
    expect(dates).not.toContain('2026-02-17');
    expect(dates).not.toContain('2026-06-04');
  });
});

test.each([
  [2018, '2018-04-01'],
  [2019, '2019-04-21'],
  [2024, '2024-03-31'],
  [2025, '2025-04-20'],
  [2026, '2026-04-05'],
  [2027, '2027-03-28'],
  [2038, '2038-04-25'],
])('Easter %i is %s', (year, date) => {
  expect(new Date(easterSunday(year)).toISOString().slice(0, 10)).toBe(date);
});

describe('days the company chooses to close', () => {
  const raw = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, 'utf8'));
  raw.holidays.companyClosesOn = ['carnival_monday', 'carnival_tuesday', 'ash_wednesday_morning', 'corpus_christi'];
  raw.holidays.closures = [
    { date: '2026-12-24', name: 'Recesso', from: '12:00' },
    { date: '2026-12-28', name: 'Inventário' },
  ];
  const { value, errors } = parsePolicy(JSON.stringify(raw));
  const c8x5 = createCalendars(value!).get('8x5')!;

  test('the policy with options parses', () => expect(errors).toEqual([]));
  test('Carnaval Monday and Tuesday close (2026-02-16/17)', () => {
    expect(businessSeconds(c8x5, '2026-02-16T00:00:00-03:00', '2026-02-18T00:00:00-03:00')).toBe(0);
  });
  test('Ash Wednesday opens at 14:00: 14:00–17:30 = 3 h 30', () => {
    expect(businessSeconds(c8x5, '2026-02-18T00:00:00-03:00', '2026-02-19T00:00:00-03:00')).toBe(3.5 * 3600);
  });
  test('Corpus Christi (2026-06-04) closes', () => {
    expect(businessSeconds(c8x5, '2026-06-04T00:00:00-03:00', '2026-06-05T00:00:00-03:00')).toBe(0);
  });
  test('a one-off closure from noon leaves the morning: 4 h', () => {
    expect(businessSeconds(c8x5, '2026-12-24T00:00:00-03:00', '2026-12-25T00:00:00-03:00')).toBe(4 * 3600);
  });
  test('a one-off whole-day closure', () => {
    expect(businessSeconds(c8x5, '2026-12-28T00:00:00-03:00', '2026-12-29T00:00:00-03:00')).toBe(0);
  });
});
