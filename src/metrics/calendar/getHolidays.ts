import Holidays from 'date-holidays';
import type { HolidayPolicy } from '../../policy/policySchema.js';
import type { Closure } from './types.js';

export interface Holiday {
  /** Local date, YYYY-MM-DD. */
  date: string;
  name: string;
  /** Where it comes from: the public list, the company's optional days, the city, or a one-off closure. */
  source: 'public' | 'optional' | 'recurring' | 'closure';
  /** Minutes since local midnight when only part of the day closes. */
  from?: number;
  to?: number;
}

const DAY = 86_400_000;

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as UTC midnight ms. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The optional closing days of one year, as holidays; `from`/`to` where only part of the day closes. */
function optionalDays(year: number, chosen: HolidayPolicy['companyClosesOn']): Holiday[] {
  const easter = easterSunday(year);
  const all: Record<HolidayPolicy['companyClosesOn'][number], Holiday> = {
    carnival_monday: { date: isoDate(easter - 48 * DAY), name: 'Carnaval (segunda-feira)', source: 'optional' },
    carnival_tuesday: { date: isoDate(easter - 47 * DAY), name: 'Carnaval (terça-feira)', source: 'optional' },
    ash_wednesday_morning: { date: isoDate(easter - 46 * DAY), name: 'Quarta-feira de Cinzas (até 14h)', source: 'optional', to: 14 * 60 },
    corpus_christi: { date: isoDate(easter + 60 * DAY), name: 'Corpus Christi', source: 'optional' },
    christmas_eve: { date: `${year}-12-24`, name: 'Véspera de Natal', source: 'optional' },
    new_years_eve: { date: `${year}-12-31`, name: 'Véspera de Ano Novo', source: 'optional' },
  };
  return chosen.map((key) => all[key]);
}

const libraries = new Map<string, Holidays>();

function library(country: string, state: string | undefined): Holidays {
  const key = `${country}/${state ?? ''}`;
  let hd = libraries.get(key);
  if (!hd) {
    hd = state ? new Holidays(country, state) : new Holidays(country);
    libraries.set(key, hd);
  }
  return hd;
}

/**
 * Every day the policy closes in `year`, in date order: public holidays from date-holidays
 * (filtered by type; SC moves some state holidays to Sundays and that is kept as listed), the
 * company's optional days, recurring local holidays (city anniversaries) and one-off closures.
 */
export function getHolidays(policy: HolidayPolicy, year: number): Holiday[] {
  const out: Holiday[] = [];
  const types = new Set<string>(policy.types);
  for (const h of library(policy.country, policy.state).getHolidays(year)) {
    if (!types.has(h.type)) continue;
    const time = h.date.slice(11, 16);
    const from = time && time !== '00:00' ? Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)) : undefined;
    const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY));
    for (let d = 0; d < days; d++) {
      const date = isoDate(Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`) + d * DAY);
      out.push(d === 0 && from !== undefined ? { date, name: h.name, source: 'public', from } : { date, name: h.name, source: 'public' });
    }
  }
  out.push(...optionalDays(year, policy.companyClosesOn));
  for (const r of policy.recurring) out.push({ date: `${year}-${r.date}`, name: r.name, source: 'recurring' });
  for (const c of policy.closures) {
    if (c.date.startsWith(`${year}-`)) out.push({ date: c.date, name: c.name, source: 'closure', from: c.from, to: c.to });
  }
  const seen = new Set<string>();
  return out
    .filter((h) => {
      const key = `${h.date}|${h.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as unknown as Holiday)
    .sort((a, b) => a.date.localeCompare(b.date));
}

/** Holidays as closures of a weekly calendar. */
export function holidayClosures(policy: HolidayPolicy, year: number): Closure[] {
  return getHolidays(policy, year).map(({ date, name, from, to }) => ({ date, name, from, to }));
}
