import { z } from 'zod';
import { parseDuration } from './parseDuration.js';
import { SEVERITIES, type Severity } from './severities.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
// Part of a policy's shape (its `severities` keys), so importers of the policy find them here too.
export { SEVERITIES, type Severity };

/** Days a Brazilian company may choose to close on although they are not public holidays. */
export const OPTIONAL_CLOSURES = [
  'carnival_monday',
  'carnival_tuesday',
  'ash_wednesday_morning',
  'corpus_christi',
  'christmas_eve',
  'new_years_eve',
] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const duration = z
  .string({ error: 'expected a duration like "24h"' })
  .transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "24h" (got "${text}")` });
      return z.NEVER;
    }
    return seconds;
  });

const window = z
  .string({ error: 'expected hours like "08:00-12:00"' })
  .transform((text, ctx) => {
    const [from, to, extra] = text.split('-').map((part) => part.trim());
    if (extra !== undefined || !from || !to || !HHMM.test(from) || !HHMM.test(to)) {
      ctx.addIssue({ code: 'custom', message: `expected hours like "08:00-12:00" (got "${text}")` });
      return z.NEVER;
    }
    const window = { from: toMinutes(from), to: toMinutes(to) };
    if (window.from >= window.to) {
      ctx.addIssue({ code: 'custom', message: `"${text}" ends before it starts (split a window that crosses midnight in two days)` });
      return z.NEVER;
    }
    return window;
  });

const dayHours = z.array(window).superRefine((windows, ctx) => {
  const sorted = [...windows].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.from < sorted[i - 1]!.to) ctx.addIssue({ code: 'custom', message: 'windows overlap' });
  }
});

const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone like "America/Sao_Paulo"' },
);

const calendar = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('24x7'), label: z.string().optional() }),
    z.strictObject({
      type: z.literal('weekly'),
      label: z.string().optional(),
      timezone,
      hours: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours.default([])])) as Record<
        (typeof WEEKDAYS)[number],
        z.ZodDefault<typeof dayHours>
      >),
      holidays: z.boolean().default(true),
    }),
  ],
  { error: 'expected a calendar with type "24x7" or "weekly"' },
);

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date like "2026-12-24"' });
const monthDay = z.string().regex(/^\d{2}-\d{2}$/, { error: 'expected a day like "08-25" (month-day)' });
const clock = z.string().regex(HHMM, { error: 'expected a time like "12:00"' }).transform(toMinutes);

const severity = z.strictObject({
  label: z.string(),
  calendar: z.string(),
  firstResponse: duration,
  solution: duration,
});

export const policySchema = z
  .strictObject({
    company: z.string().min(1),
    locale: z.enum(['pt-BR', 'en']).default('pt-BR'),
    calendars: z.record(z.string(), calendar),
    holidays: z.strictObject({
      country: z.string().length(2, { error: 'expected a country code like "BR"' }),
      state: z.string().optional(),
      types: z.array(z.enum(['public', 'bank', 'school', 'optional', 'observance'])).default(['public']),
      companyClosesOn: z.array(z.enum(OPTIONAL_CLOSURES)).default([]),
      recurring: z.array(z.strictObject({ date: monthDay, name: z.string() })).default([]),
      closures: z
        .array(z.strictObject({ date: localDate, name: z.string(), from: clock.optional(), to: clock.optional() }))
        .default([]),
    }),
    severities: z.strictObject(
      Object.fromEntries(SEVERITIES.map((s) => [s, severity])) as Record<Severity, typeof severity>,
    ),
    approval: z.strictObject({
      autoCloseAfterBusinessDays: z.number().int().min(1),
      calendar: z.string(),
    }),
    atRiskThreshold: z.number().gt(0).lt(1).default(0.75),
    // What counts as the first response: the earlier of the first analyst reply and the first move
    // out of novo (earliest), or only one of them. A source with only state changes (ServiceNow)
    // needs status_change or earliest.
    firstResponse: z.enum(['earliest', 'analyst_reply', 'status_change']).default('earliest'),
    // The weekly report: when it runs (cron, in its zone), who it is from, how often a delivery is
    // tried. Secrets (the SMTP URL) stay in the environment; PRAZO_* variables override these.
    reports: z
      .strictObject({
        schedule: z.string().default('0 7 * * 1'),
        timezone: timezone.default('America/Sao_Paulo'),
        mailFrom: z.string().min(3).default('Prazo <prazo@localhost>'),
        maxAttempts: z.number().int().min(1).max(50).default(8),
      })
      .prefault({}),
  });

/**
 * Problems between parts of a policy (a severity naming a calendar that does not exist, a calendar
 * never open). Works on the raw file so they are reported together with the schema's problems.
 */
export function checkPolicyReferences(raw: unknown): string[] {
  const problems: string[] = [];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const root = obj(raw);
  const calendars = obj(root?.calendars);
  if (!root || !calendars) return problems;
  const names = Object.keys(calendars);
  const checkName = (path: string, name: unknown) => {
    if (typeof name === 'string' && !names.includes(name)) {
      problems.push(`${path}: no calendar named "${name}" (known: ${names.join(', ')})`);
    }
  };
  const severities = obj(root.severities);
  for (const s of SEVERITIES) checkName(`severities.${s}.calendar`, obj(severities?.[s])?.calendar);
  checkName('approval.calendar', obj(root.approval)?.calendar);
  for (const [name, cal] of Object.entries(calendars)) {
    const hours = obj(obj(cal)?.hours);
    if (obj(cal)?.type === 'weekly' && hours && WEEKDAYS.every((d) => !Array.isArray(hours[d]) || hours[d].length === 0)) {
      problems.push(`calendars.${name}.hours: the calendar is never open`);
    }
  }
  return problems;
}

export type Policy = z.output<typeof policySchema>;
export type CalendarPolicy = Policy['calendars'][string];
export type HolidayPolicy = Policy['holidays'];
