import { IANAZone } from 'luxon';

// ── Times ───────────────────────────────────────────────────────────────────────────────────────

export interface TimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** "Z" or "+hh:mm" when the text states its offset. */
  offset?: string;
}
export type TimeFormat = (text: string) => TimeParts | undefined;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TOKENS: Record<string, [keyof TimeParts, string]> = {
  YYYY: ['year', '(\\d{4})'],
  MM: ['month', '(\\d{2})'],
  M: ['month', '(\\d{1,2})'],
  DD: ['day', '(\\d{2})'],
  D: ['day', '(\\d{1,2})'],
  HH: ['hour', '(\\d{2})'],
  H: ['hour', '(\\d{1,2})'],
  mm: ['minute', '(\\d{2})'],
  ss: ['second', '(\\d{2})'],
  SSS: ['millisecond', '(\\d{3})'],
};

/** "ISO", or a pattern of YYYY MM DD HH mm (ss SSS M D H) and literal characters; undefined if unusable. */
export function compileTimeFormat(format: string): TimeFormat | undefined {
  if (format === 'ISO') {
    return (text) => {
      const m = ISO.exec(text);
      if (!m) return undefined;
      const n = (i: number) => Number(m[i] ?? 0);
      const offset = m[8]?.toUpperCase();
      return { year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6), millisecond: Math.floor(Number(`0.${m[7] ?? 0}`) * 1000), offset };
    };
  }
  const fields: (keyof TimeParts)[] = [];
  let pattern = '';
  for (const token of format.match(/YYYY|SSS|MM|DD|HH|mm|ss|M|D|H|[^]/g) ?? []) {
    const known = TOKENS[token];
    if (known) {
      fields.push(known[0]);
      pattern += known[1];
    } else pattern += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const required: (keyof TimeParts)[] = ['year', 'month', 'day', 'hour', 'minute'];
  if (!required.every((f) => fields.includes(f)) || new Set(fields).size !== fields.length) return undefined;
  const regex = new RegExp(`^${pattern}$`);
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const parts: TimeParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
    fields.forEach((field, i) => ((parts as unknown as Record<string, number>)[field] = Number(m[i + 1])));
    return parts;
  };
}

/** Why a value cannot be mapped: a reject reason code and a message naming the column. */
export class Problem {
  constructor(
    readonly reason: string,
    readonly message: string,
  ) {}
}
export interface Instant {
  ms: number;
  /** ISO-8601 with the offset that applied, e.g. 2016-02-29T01:23:00-03:00. */
  iso: string;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A zone's UTC offset in minutes at an instant, remembered per UTC hour that holds no transition. */
function offsetsOf(zoneName: string): (utcMs: number) => number {
  const zone = IANAZone.create(zoneName);
  const cache = new Map<number, number>();
  return (t) => {
    const hour = Math.floor(t / HOUR);
    const known = cache.get(hour);
    if (known !== undefined) return known;
    const offset = zone.offset(hour * HOUR);
    if (offset !== zone.offset(hour * HOUR + HOUR - 1)) return zone.offset(t);
    if (cache.size >= 100_000) cache.clear();
    cache.set(hour, offset);
    return offset;
  };
}

/** Reads time texts of the mapping's format; zone-less ones in `zone` (none: they are refused). */
export class TimeReader {
  private readonly format: TimeFormat;
  private readonly offsets: ((utcMs: number) => number) | undefined;

  constructor(
    private readonly formatName: string,
    private readonly zone: string | undefined,
  ) {
    this.format = compileTimeFormat(formatName)!;
    this.offsets = zone === undefined ? undefined : offsetsOf(zone);
  }

  /** The instant a text of `column` names, with the offset that applied; or the problem. */
  read(column: string, text: string): Instant | Problem {
    const parts = this.format(text);
    if (!parts) return new Problem('invalid_timestamp', `${column}: expected a time like ${this.formatName} (got ${JSON.stringify(text)})`);
    const { year, month, day, hour, minute, second, millisecond, offset } = parts;
    const local = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
    const check = new Date(local);
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
      return new Problem('invalid_timestamp', `${column}: ${JSON.stringify(text)} is not a real date or time`);
    }
    let minutes: number;
    if (offset !== undefined) minutes = offset === 'Z' ? 0 : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
    else if (!this.offsets) {
      return new Problem('timestamp_without_zone', `${column}: ${JSON.stringify(text)} has no offset and neither the mapping nor --timezone gives a zone`);
    } else {
      // Local wall time to UTC as luxon does it: guess, correct once; a second disagreement is a gap.
      const first = this.offsets(local);
      minutes = this.offsets(local - first * MINUTE);
      if (minutes !== first && this.offsets(local - minutes * MINUTE) !== minutes) {
        return new Problem('invalid_timestamp', `${column}: ${JSON.stringify(text)} does not exist in ${this.zone} (clocks moved forward); is the zone right?`);
      }
    }
    const abs = Math.abs(minutes);
    const iso =
      `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${millisecond ? `.${pad(millisecond, 3)}` : ''}` +
      `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    return { ms: local - minutes * MINUTE, iso };
  }
}
