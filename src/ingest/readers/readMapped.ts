import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ConfigFileError, loadConfigFile, parseJsonWithSchema } from '../../config/configFile.js';
import { CATEGORIES, CLOSE_REASONS, KNOWN_FIELDS, SEVERITY_VALUES, STATUS_VALUES } from '../eventSchema.js';
import { normalizeToken } from '../normalizeToken.js';
import type { RawRecord } from '../types.js';
import type { ReaderOptions } from './index.js';
import { BATCH_SIZE } from './readNdjson.js';

// ── The mapping file ────────────────────────────────────────────────────────────────────────────

const column = z.string({ error: 'expected a column name' }).trim().min(1, { error: 'expected a column name' });
const zone = z.string().refine((name) => isZone(name), { error: 'expected an IANA time zone like "America/Sao_Paulo"' });
const valueMap = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.record(z.string(), z.enum(values, { error: (i) => `expected one of ${values.join(', ')} (got ${JSON.stringify(i.input)})` })).default({});
const MAPPED_KINDS = ['status', 'severity', 'category'] as const;
const CANONICAL = { status: STATUS_VALUES, severity: SEVERITY_VALUES, category: CATEGORIES };

const mappingSchema = z.strictObject({
  /** The source its events belong to unless --source says otherwise (default: the file's name). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected 1–64 letters, digits, ".", "_" or "-"' }).optional(),
  description: z.string().optional(),
  delimiter: z.string().length(1, { error: 'expected one character, like "," or ";"' }).default(','),
  /** Texts that mean "no value" besides the empty field (ServiceNow writes "?"). */
  empty: z.array(z.string()).default([]),
  timezone: zone.optional(),
  timeFormat: z
    .string()
    .default('ISO')
    .refine((f) => compileTimeFormat(f) !== undefined, { error: 'expected "ISO" or a pattern like "DD-MM-YYYY HH:mm" (tokens YYYY MM DD HH mm, optional ss SSS)' }),
  columns: z.strictObject({
    ticket: column,
    at: column,
    status: column,
    openedAt: column.optional(),
    severity: column.optional(),
    client: column.optional(),
    requester: column.optional(),
    channel: column.optional(),
    analyst: column.optional(),
    category: column.optional(),
  }),
  id: z
    .strictObject({ column: column.optional(), columns: z.array(column).min(1, { error: 'expected at least one column' }).optional() })
    .refine((id) => (id.column === undefined) !== (id.columns === undefined), { error: 'expected {"column": …} or {"columns": […]}' }),
  order: z.array(column).default([]),
  values: z
    .strictObject({ status: valueMap(STATUS_VALUES), severity: valueMap(SEVERITY_VALUES), category: valueMap(CATEGORIES) })
    .prefault({}),
  passThrough: z.array(z.enum(MAPPED_KINDS, { error: `expected ${MAPPED_KINDS.join(', ')}` })).default([]),
  defaults: z.strictObject({ client: z.string().min(1).optional(), channel: z.string().min(1).optional(), severity: z.enum(SEVERITY_VALUES).optional() }).prefault({}),
  closedReason: z
    .strictObject({ column, auto: z.array(z.string()).default([]), approved: z.array(z.string()).default([]), otherwise: z.enum(CLOSE_REASONS).optional() })
    .optional(),
  extra: z
    .union([z.array(column), z.record(z.string(), column)], { error: 'expected a list of columns or {"name": "column"}' })
    .transform((extra) => (Array.isArray(extra) ? Object.fromEntries(extra.map((c) => [c, c])) : extra))
    .default({}),
});

export type ColumnMapping = z.output<typeof mappingSchema>;

/** Cross-field rules zod's shape cannot say; each as `path: message`. */
function checkMapping(m: ColumnMapping): string[] {
  const errors: string[] = [];
  if (!m.columns.severity && !m.defaults.severity) errors.push('columns.severity: ticket.opened needs a severity: name its column or set defaults.severity');
  if (!m.columns.client && !m.defaults.client) errors.push('columns.client: ticket.opened needs a client: name its column or set defaults.client');
  for (const name of Object.keys(m.extra)) {
    if (KNOWN_FIELDS.has(name)) errors.push(`extra.${name}: "${name}" is a canonical field; give it another name, e.g. {"source_${name}": "${m.extra[name]}"}`);
  }
  for (const kind of MAPPED_KINDS) {
    const seen = new Map<string, string>();
    for (const [from, to] of Object.entries(m.values[kind])) {
      const other = seen.get(normalizeToken(from));
      if (other !== undefined && m.values[kind][other] !== to) errors.push(`values.${kind}.${from}: same value as "${other}" (case and accents are ignored) but mapped differently`);
      seen.set(normalizeToken(from), from);
    }
  }
  return errors;
}

export interface MappingResult {
  value?: Readonly<ColumnMapping>;
  /** Every problem, each as `path: message`. */
  errors: string[];
}

/** Validates a column mapping already read as text; reports every problem instead of the first. */
export function parseMapping(text: string): MappingResult {
  const { data, errors } = parseJsonWithSchema(text, mappingSchema);
  if (!data) return { errors };
  const problems = checkMapping(data);
  return problems.length > 0 ? { errors: problems } : { value: Object.freeze(data), errors: [] };
}

export class MappingError extends ConfigFileError {
  constructor(path: string, problems: string[]) {
    super('mapping', path, problems);
    this.name = 'MappingError';
  }
}

/** Reads and validates a mapping file. Throws MappingError listing every problem. */
export function loadMapping(path: string): Readonly<ColumnMapping> {
  return loadConfigFile(path, parseMapping, (file, problems) => new MappingError(file, problems));
}

/**
 * The source a mapped import writes to by default: the mapping's `name`, else its file name
 * without `.json` (and a `.mapping` before it): `zammad.mapping.json` → `zammad`.
 */
export function getMappingSourceName(path: string): string {
  return loadMapping(path).name ?? basename(path).replace(/(\.mapping)?\.json$/i, '');
}

const isZone = (name: string) => IANAZone.isValidZone(name);

// ── Times ───────────────────────────────────────────────────────────────────────────────────────

interface TimeParts {
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
type TimeFormat = (text: string) => TimeParts | undefined;

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
class Problem {
  constructor(
    readonly reason: string,
    readonly message: string,
  ) {}
}
interface Instant {
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
class TimeReader {
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

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

export interface CsvRow {
  /** Line on which the row starts, from 1. */
  line: number;
  /** The row as written in the file, without its line ending. */
  text: string;
  fields: string[];
  /** Why the row is malformed, when it is. */
  error?: string;
}

/** The longest row kept in memory: a quote left open must not swallow the whole file. */
export const MAX_ROW_CHARS = 8 << 20;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const enum State {
  FieldStart,
  Plain,
  Quoted,
  QuoteSeen,
  AfterQuote,
}

/**
 * RFC 4180 CSV, fed in chunks of any size: quoted fields with `""` escapes, delimiters and line
 * breaks inside quotes, LF or CRLF row endings. Memory holds the row being read, not the file.
 * Blank lines are skipped; a quote inside an unquoted field is kept as text.
 */
export class CsvParser {
  private text = '';
  private scan = 0;
  private state = State.FieldStart;
  private segment = 0;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private rowLine = 1;
  private error: string | undefined;

  constructor(private readonly delimiter = ',') {}

  /** The rows completed by this chunk. */
  push(chunk: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const t = this.text + chunk;
    const d = this.delimiter.charCodeAt(0);
    let rowStart = 0;
    for (let i = this.scan; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === LF) this.line++;
      switch (this.state) {
        case State.FieldStart:
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.segment = i + 1;
          } else if (c === d) this.fields.push('');
          else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, '');
          else {
            this.state = State.Plain;
            this.segment = i;
          }
          break;
        case State.Plain:
          if (c === d) {
            this.fields.push(t.slice(this.segment, i));
            this.state = State.FieldStart;
          } else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, stripCr(t.slice(this.segment, i)));
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.field += t.slice(this.segment, i);
            this.state = State.QuoteSeen;
          }
          break;
        case State.QuoteSeen:
          if (c === QUOTE) {
            this.field += '"';
            this.segment = i + 1;
            this.state = State.Quoted;
            break;
          }
          this.state = State.AfterQuote;
        // falls through: the quote closed the field
        case State.AfterQuote:
          if (c === d) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF) rowStart = this.endRow(rows, t, rowStart, i, this.field);
          else if (c !== CR) {
            this.error ??= `line ${this.line}: text after a closing quote`;
            this.field += t[i];
          }
          break;
      }
    }
    if (this.state === State.Plain || this.state === State.Quoted) this.segment -= rowStart;
    this.text = t.slice(rowStart);
    this.scan = this.text.length;
    if (this.text.length > MAX_ROW_CHARS) {
      throw new Error(`line ${this.rowLine}: a row longer than ${MAX_ROW_CHARS} characters; is a quote left open?`);
    }
    return rows;
  }

  /** The last row, when the file does not end with a line break. */
  end(): CsvRow[] {
    const rows: CsvRow[] = [];
    const t = this.text;
    if (this.state === State.Quoted) {
      this.error ??= `line ${this.rowLine}: a quoted field is not closed before the end of the file`;
      this.endRow(rows, t, 0, t.length, this.field + t.slice(this.segment));
    } else if (this.state === State.Plain) this.endRow(rows, t, 0, t.length, stripCr(t.slice(this.segment)));
    else if (this.state !== State.FieldStart || this.fields.length > 0) this.endRow(rows, t, 0, t.length, this.field);
    this.text = '';
    this.scan = 0;
    return rows;
  }

  /** Closes the row ending at `end` with its last field; returns where the next row starts. */
  private endRow(rows: CsvRow[], t: string, start: number, end: number, last: string): number {
    this.fields.push(last);
    const text = stripCr(t.slice(start, end));
    if (!(this.fields.length === 1 && text === '')) {
      rows.push({ line: this.rowLine, text, fields: this.fields, ...(this.error ? { error: this.error } : {}) });
    }
    this.fields = [];
    this.field = '';
    this.error = undefined;
    this.state = State.FieldStart;
    this.rowLine = this.line;
    return end + 1;
  }
}

const stripCr = (s: string) => (s.charCodeAt(s.length - 1) === CR ? s.slice(0, -1) : s);

// ── Rows to events ──────────────────────────────────────────────────────────────────────────────

/** Tickets whose "already opened / last analyst / last severity" is remembered; older ones are forgotten. */
export const MAX_TICKETS_REMEMBERED = 100_000;
/** Rows of one ticket sorted together; a longer run is mapped in slices of this size. */
export const MAX_TICKET_ROWS = 10_000;

interface TicketState {
  opened: boolean;
  /** The last mapped status (normalised): a row that keeps it is not a status change. */
  status?: string;
  analyst?: string;
  severity?: string;
  category?: string;
}
type Kind = (typeof MAPPED_KINDS)[number];
type Event = Record<string, unknown>;

const isProblem = (v: unknown): v is Problem => v instanceof Problem;

/** Maps rows of a CSV whose header is known onto canonical events, a ticket's rows at a time. */
class RowMapper {
  private readonly index = new Map<string, number>();
  private readonly maps: Record<Kind, Map<string, string>>;
  private readonly empty: Set<string>;
  private readonly time: TimeReader;
  private readonly tickets = new Map<string, TicketState>();

  constructor(
    private readonly m: Readonly<ColumnMapping>,
    header: CsvRow,
    zone: string | undefined,
    mappingName: string,
  ) {
    header.fields.forEach((name, i) => {
      if (!this.index.has(name.trim())) this.index.set(name.trim(), i);
    });
    const problems: string[] = [];
    const need = (path: string, name: string | undefined) => {
      if (name !== undefined && !this.index.has(name)) problems.push(`${path}: no column "${name}" in the header of the file`);
    };
    for (const [key, name] of Object.entries(m.columns)) need(`columns.${key}`, name);
    if (m.id.column) need('id.column', m.id.column);
    m.id.columns?.forEach((name, i) => need(`id.columns.${i}`, name));
    m.order.forEach((name, i) => need(`order.${i}`, name));
    if (m.closedReason) need('closedReason.column', m.closedReason.column);
    for (const [key, name] of Object.entries(m.extra)) need(`extra.${key}`, name);
    if (problems.length > 0) {
      problems.push(`(the header has: ${header.fields.slice(0, 40).join(', ')}${header.fields.length > 40 ? ', …' : ''})`);
      throw new MappingError(mappingName, problems);
    }
    this.maps = Object.fromEntries(
      MAPPED_KINDS.map((kind) => [kind, new Map(Object.entries(m.values[kind]).map(([from, to]) => [normalizeToken(from), to]))]),
    ) as Record<Kind, Map<string, string>>;
    this.empty = new Set(m.empty);
    this.time = new TimeReader(m.timeFormat, zone);
    this.width = header.fields.length;
  }

  /** How many fields a row must have: as many as the header. */
  readonly width: number;

  /** A column's value, trimmed; undefined when empty or one of the mapping's "empty" texts. */
  get(row: CsvRow, name: string | undefined): string | undefined {
    if (name === undefined) return undefined;
    const text = row.fields[this.index.get(name)!]?.trim();
    return text === undefined || text === '' || this.empty.has(text) ? undefined : text;
  }

  /** The records of one ticket's rows (as read, in any order). */
  mapTicket(ticket: string, rows: CsvRow[]): RawRecord[] {
    const state = this.ticketState(ticket);
    const cols = this.m.columns;
    const timed = rows.map((row) => ({ row, at: this.instant(row, cols.at) }));
    timed.sort((a, b) => this.compareOrder(a.row, b.row) || msOf(a.at) - msOf(b.at) || a.row.line - b.row.line);
    const out: RawRecord[] = [];
    const ids = new Set<string>();
    for (const { row, at } of timed) {
      const record = (value: Event): RawRecord => ({ position: row.line, raw: row.text, value });
      const id = this.idOf(row);
      const status = this.lookup('status', cols.status, row);
      const problems = [id, at, status].filter(isProblem);
      if (problems.length > 0) {
        out.push(rejectOf(row, problems));
        continue;
      }
      const instant = at as Instant;
      // Two rows of one ticket with the same id columns (ServiceNow repeats sys_mod_count now and then) are
      // still two updates: the later one gets its time in its id, which stays the same on every import.
      let rowId = id as string;
      if (ids.has(rowId)) rowId = `${rowId}@${instant.iso}`;
      ids.add(rowId);
      const base = { ticket, at: instant.iso };
      const extra = this.extraOf(row);
      const failed: Problem[] = [];
      const add = (value: Event | Problem) => (isProblem(value) ? failed.push(value) : out.push(record(value)));
      if (!state.opened) {
        state.opened = true;
        add(this.openedOf(ticket, row, timed.map((t) => t.row), state, extra));
      }
      // An audit row that keeps the status (ServiceNow writes one per update of any field) is no status change.
      const statusKey = normalizeToken(status as string);
      if (statusKey !== state.status) {
        const reason = statusKey === 'fechado' ? this.closedReasonOf(row) : undefined;
        add({ id: rowId, ...base, type: 'ticket.status_changed', status, ...(reason ? { reason } : {}), ...extra });
        state.status = detach(statusKey);
      }
      const analyst = this.get(row, cols.analyst);
      if (analyst !== undefined && analyst !== state.analyst) add({ id: `${rowId}:assigned`, ...base, type: 'ticket.assigned', analyst });
      if (analyst !== state.analyst) state.analyst = detach(analyst);
      const severity = this.get(row, cols.severity);
      if (severity !== undefined && severity !== state.severity) {
        const mapped = this.lookup('severity', cols.severity, row);
        add(isProblem(mapped) ? mapped : { id: `${rowId}:severity`, ...base, type: 'ticket.severity_changed', severity: mapped });
        state.severity = detach(severity);
      }
      const category = this.get(row, cols.category);
      if (category !== undefined && category !== state.category) {
        const mapped = this.lookup('category', cols.category, row);
        add(isProblem(mapped) ? mapped : { id: `${rowId}:category`, ...base, type: 'ticket.categorized', category: mapped });
        state.category = detach(category);
      }
      if (failed.length > 0) out.push(rejectOf(row, failed));
    }
    return out;
  }

  /**
   * ticket.opened from the ticket's first row; a field empty there is taken from the first later
   * row that has it (ServiceNow fills location in after opening), else from the mapping's defaults.
   */
  private openedOf(ticket: string, first: CsvRow, rows: CsvRow[], state: TicketState, extra: Event): Event | Problem {
    const cols = this.m.columns;
    const firstOf = (name: string | undefined) => this.get(first, name) ?? rows.map((r) => this.get(r, name)).find((v) => v !== undefined);
    const severityText = firstOf(cols.severity);
    state.severity = detach(severityText);
    let at: Instant | Problem = this.instant(first, cols.at);
    if (cols.openedAt) {
      const text = firstOf(cols.openedAt);
      if (text !== undefined) at = this.time.read(cols.openedAt, text);
    }
    if (isProblem(at)) return at;
    const severity = severityText === undefined ? this.m.defaults.severity : this.mapText('severity', cols.severity!, severityText);
    if (severity === undefined) return new Problem('missing_field', `${cols.severity}: empty on every row of ${ticket} (ticket.opened needs a severity)`);
    if (isProblem(severity)) return severity;
    const client = firstOf(cols.client) ?? this.m.defaults.client;
    if (client === undefined) return new Problem('missing_field', `${cols.client}: empty on every row of ${ticket} (ticket.opened needs a client)`);
    const requester = firstOf(cols.requester);
    const channel = firstOf(cols.channel) ?? this.m.defaults.channel;
    return {
      id: `${ticket}:opened`,
      ticket,
      at: at.iso,
      type: 'ticket.opened',
      severity,
      client,
      ...(requester ? { requester } : {}),
      ...(channel ? { channel } : {}),
      ...extra,
    };
  }

  private ticketState(ticket: string): TicketState {
    const state = this.tickets.get(ticket) ?? { opened: false };
    this.tickets.delete(ticket);
    this.tickets.set(detach(ticket), state);
    if (this.tickets.size > MAX_TICKETS_REMEMBERED) this.tickets.delete(this.tickets.keys().next().value!);
    return state;
  }

  private instant(row: CsvRow, name: string): Instant | Problem {
    const text = this.get(row, name);
    if (text === undefined) return new Problem('missing_field', `${name}: empty`);
    return this.time.read(name, text);
  }

  private idOf(row: CsvRow): string | Problem {
    const names = this.m.id.columns ?? [this.m.id.column!];
    const parts: string[] = [];
    for (const name of names) {
      const value = this.get(row, name);
      if (value === undefined) return new Problem('missing_field', `${name}: empty (the event id is made from ${names.join(' + ')})`);
      parts.push(value);
    }
    return parts.join('#');
  }

  private lookup(kind: Kind, name: string | undefined, row: CsvRow): string | Problem {
    const text = this.get(row, name);
    if (text === undefined) return new Problem('missing_field', `${name}: empty`);
    return this.mapText(kind, name!, text);
  }

  private mapText(kind: Kind, name: string, text: string): string | Problem {
    const mapped = this.maps[kind].get(normalizeToken(text));
    if (mapped !== undefined) return mapped;
    // Checked here rather than left to validation, so the message names the column.
    const passing = this.m.passThrough.includes(kind);
    if (passing && (CANONICAL[kind] as readonly string[]).includes(normalizeToken(text))) return text;
    const known = Object.keys(this.m.values[kind]);
    const list = known.length ? ` (mapped: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : '';
    const what = passing ? `is not one of Prazo's ${kind} values and has no mapping` : 'has no mapping';
    return new Problem(`unknown_${kind}`, `${name}: ${JSON.stringify(text)} ${what} in values.${kind}${list}`);
  }

  private closedReasonOf(row: CsvRow): string | undefined {
    const rule = this.m.closedReason;
    if (!rule) return undefined;
    const value = this.get(row, rule.column);
    if (value !== undefined && rule.auto.includes(value)) return 'auto';
    if (value !== undefined && rule.approved.includes(value)) return 'approved';
    return rule.otherwise;
  }

  private extraOf(row: CsvRow): Event {
    const extra: Event = {};
    for (const [key, name] of Object.entries(this.m.extra)) {
      const value = this.get(row, name);
      if (value !== undefined) extra[key] = value;
    }
    return extra;
  }

  private compareOrder(a: CsvRow, b: CsvRow): number {
    for (const name of this.m.order) {
      const x = this.get(a, name);
      const y = this.get(b, name);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const nx = Number(x);
      const ny = Number(y);
      if (Number.isFinite(nx) && Number.isFinite(ny) && nx !== ny) return nx - ny;
      return x < y ? -1 : 1;
    }
    return 0;
  }
}

/**
 * A copy of a field that owns its characters. V8 may keep a field as a slice of the whole chunk it
 * was read from; state remembered across chunks must not hold every chunk alive.
 */
function detach<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : Buffer.from(text, 'utf8').toString('utf8')) as T;
}

const msOf = (at: Instant | Problem) => (isProblem(at) ? Number.MAX_SAFE_INTEGER : at.ms);

/** One reject for a row, however many of its events failed: reason of the first, every message. */
function rejectOf(row: CsvRow, problems: Problem[]): RawRecord {
  return { position: row.line, raw: row.text, error: { reason: problems[0]!.reason, message: problems.map((p) => p.message).join('; ') } };
}

// ── The reader ──────────────────────────────────────────────────────────────────────────────────

/**
 * Format "mapped": any helpdesk's CSV export, read through the column mapping named by
 * `options.mapping` (see README "Importing helpdesk exports").
 */
export async function* readMapped(path: string, options: ReaderOptions): AsyncGenerator<RawRecord[]> {
  if (!options.mapping) throw new Error('format mapped needs a column mapping file (--mapping FILE)');
  yield* readWithMapping(path, loadMapping(options.mapping), options, resolve(options.mapping));
}

/**
 * Streams a CSV audit log as canonical events: a row whose mapped status differs from the ticket's
 * previous row (in `order`, then time) yields ticket.status_changed; the first row of a ticket also
 * yields ticket.opened; a change of analyst, severity or category yields ticket.assigned,
 * ticket.severity_changed or ticket.categorized. A row that changes none of these yields nothing. Rows of a ticket are gathered
 * while they are contiguous (at most MAX_TICKET_ROWS) and sorted by `order`, then time. A row that
 * cannot be mapped becomes one reject naming its column; `position` is the line the row starts on.
 * Zone-less times are read in `options.timezone`, else the mapping's `timezone`.
 */
export async function* readWithMapping(
  path: string,
  mapping: Readonly<ColumnMapping>,
  options: ReaderOptions,
  mappingName = '(mapping)',
): AsyncGenerator<RawRecord[]> {
  const zone = options.timezone ?? mapping.timezone;
  if (zone !== undefined && !isZone(zone)) throw new Error(`timezone: expected an IANA zone like America/Sao_Paulo (got "${zone}")`);
  const parser = new CsvParser(mapping.delimiter);
  let mapper: RowMapper | undefined;
  let width = 0;
  let batch: RawRecord[] = [];
  let group: CsvRow[] = [];
  let groupTicket = '';
  const flush = () => {
    if (group.length > 0) for (const record of mapper!.mapTicket(groupTicket, group)) batch.push(record);
    group = [];
  };
  const take = (rows: CsvRow[]) => {
    for (const row of rows) {
      if (!mapper) {
        mapper = new RowMapper(mapping, row, zone, mappingName);
        width = mapper.width;
        continue;
      }
      if (row.error) batch.push({ position: row.line, raw: row.text, error: { reason: 'invalid_csv', message: row.error } });
      else if (row.fields.length !== width) {
        batch.push({ position: row.line, raw: row.text, error: { reason: 'invalid_csv', message: `expected ${width} fields as in the header, got ${row.fields.length}` } });
      } else {
        const ticket = mapper.get(row, mapping.columns.ticket);
        if (ticket === undefined) {
          batch.push({ position: row.line, raw: row.text, error: new Problem('missing_field', `${mapping.columns.ticket}: empty (the ticket)`) });
          continue;
        }
        if (ticket !== groupTicket || group.length >= MAX_TICKET_ROWS) flush();
        groupTicket = ticket;
        group.push(row);
      }
    }
  };
  let bytes = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    take(parser.push(bytes === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    bytes += Buffer.byteLength(text);
    options.onProgress?.(bytes);
    if (batch.length >= BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  take(parser.end());
  if (!mapper) throw new Error(`${path}: empty file, no header row`);
  flush();
  if (batch.length > 0) yield batch;
}
