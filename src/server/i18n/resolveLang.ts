import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { METRICS_ZONE } from '../../metrics/registry/parseMetricQuery.js';
import { isLang, type Lang } from './messages.js';

export const LANG_COOKIE = 'prazo_lang';

/**
 * The page language: `?lang=pt|en` (remembered in a cookie for a year), else the cookie, else
 * pt-BR. Never the Accept-Language header: a shared link shows the same language to everyone
 * until they choose.
 */
export function resolveLang(c: Context): Lang {
  const asked = c.req.query('lang');
  if (isLang(asked)) {
    setCookie(c, LANG_COOKIE, asked, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', httpOnly: true });
    return asked;
  }
  const saved = getCookie(c, LANG_COOKIE);
  return isLang(saved) ? saved : 'pt';
}

const LOCALES: Record<Lang, string> = { pt: 'pt-BR', en: 'en-US' };
/** Pages show instants in São Paulo, the zone the metrics bucket days and weeks in. */
export const TIME_ZONE = METRICS_ZONE;

/** Number formatting for pages; percent takes a 0–1 ratio. Null shows as an en dash. */
export function formatValue(lang: Lang, value: number | null | undefined, format: string = 'number'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const locale = LOCALES[lang];
  switch (format) {
    case 'percent':
      return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
    case 'count':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
    case 'hours':
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} h`;
    case 'currency':
      return new Intl.NumberFormat(locale, { style: 'currency', currency: 'BRL' }).format(value);
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  }
}

/** A duration in seconds as "3 h 05 min" (negative: "−3 h 05 min"). */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  const sign = seconds < 0 ? '−' : '';
  const minutes = Math.round(Math.abs(seconds) / 60);
  const hours = Math.floor(minutes / 60);
  const rest = String(minutes % 60).padStart(2, '0');
  return hours > 0 ? `${sign}${hours} h ${rest} min` : `${sign}${minutes % 60} min`;
}

const DATE_FORMATS: Record<Lang, { day: Intl.DateTimeFormat; month: Intl.DateTimeFormat }> = {
  pt: {
    day: new Intl.DateTimeFormat('pt-BR', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }),
    month: new Intl.DateTimeFormat('pt-BR', { timeZone: 'UTC', month: 'long', year: 'numeric' }),
  },
  en: {
    day: new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' }),
    month: new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' }),
  },
};

/**
 * A calendar date (YYYY-MM-DD, no instant: a São Paulo day already) as the pages write one —
 * 25/05/2026 or May 25, 2026; by month, "maio de 2026" or May 2026. Text that is not a date as it is.
 */
export function formatDate(lang: Lang, date: string, unit: 'day' | 'month' = 'day'): string {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(date) ? Date.parse(`${date.slice(0, 10)}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(ms) ? date : DATE_FORMATS[lang][unit].format(ms);
}

/** An instant as local São Paulo date and time (dd/mm/aaaa hh:mm in pt-BR). */
export function formatInstant(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'short' }).format(ms);
}
