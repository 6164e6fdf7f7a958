import { normalizeToken } from '../normalizeToken.js';
import type { RawRecord } from '../types.js';
import type { CsvRow } from './CsvParser.js';
import { CANONICAL, type ColumnMapping, MAPPED_KINDS, MappingError } from './loadMapping.js';
import { type Instant, Problem, TimeReader } from './TimeReader.js';

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
export class RowMapper {
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
export function rejectOf(row: CsvRow, problems: Problem[]): RawRecord {
  return { position: row.line, raw: row.text, error: { reason: problems[0]!.reason, message: problems.map((p) => p.message).join('; ') } };
}
