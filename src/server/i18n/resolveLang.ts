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

/** An instant as local São Paulo date and time (dd/mm/aaaa hh:mm in pt-BR). */
export function formatInstant(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'short' }).format(ms);
}
