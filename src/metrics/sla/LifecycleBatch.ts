import { SEVERITIES } from '../../policy/severities.js';

/**
 * The lifecycles of a batch of tickets as columns (struct of arrays), the shape the business-time
 * batch functions work on; foldTicketEvents appends one ticket at a time. Instants are UTC ms (NaN
 * when absent), statuses and severities codes (eventKinds.ts). Pauses of ticket i are
 * [pauseOffset[i], pauseOffset[i + 1]).
 */
export class LifecycleBatch {
  n = 0;
  /** Current severity code, -1 when none is known. */
  readonly severity: Int8Array;
  /** Status after the last event. */
  readonly status: Uint8Array;
  readonly closeReason: Uint8Array;
  readonly reopenCount: Int32Array;
  readonly flags: Int32Array;
  /** The earliest and the latest event of the ticket, as dated (before any clamping to the opening). */
  readonly firstEvent: Float64Array;
  readonly lastEvent: Float64Array;
  /** ticket.opened, or the first event when there is none (flag missing_opened). */
  readonly opened: Float64Array;
  readonly firstResponse: Float64Array;
  /**
   * The solution instant: the resolvido finally accepted, auto-closed or still awaiting an answer,
   * or the fechado of a ticket closed without one. NaN while the ticket is being worked on.
   */
  readonly resolved: Float64Array;
  readonly closed: Float64Array;
  /** The resolvido from which auto-close is due: still unanswered, or auto-closed. */
  readonly autoCloseFrom: Float64Array;
  readonly pauseOffset: Int32Array;
  /** Pauses [start, end): end NaN while not ended. */
  pauseStart: Float64Array;
  pauseEnd: Float64Array;
  /** The status the ticket paused in (foldTicketEvents.isPause). */
  pauseStatus: Uint8Array;
  /** JSON of the severity history when the severity changed, else null (the opening severity is `severity`). */
  readonly severityHistory: (string | null)[];
  /** How many tickets of the batch have a severity history. */
  historyCount = 0;

  constructor(readonly capacity: number) {
    this.severity = new Int8Array(capacity);
    this.status = new Uint8Array(capacity);
    this.closeReason = new Uint8Array(capacity);
    this.reopenCount = new Int32Array(capacity);
    this.flags = new Int32Array(capacity);
    this.firstEvent = new Float64Array(capacity);
    this.lastEvent = new Float64Array(capacity);
    this.opened = new Float64Array(capacity);
    this.firstResponse = new Float64Array(capacity);
    this.resolved = new Float64Array(capacity);
    this.closed = new Float64Array(capacity);
    this.autoCloseFrom = new Float64Array(capacity);
    this.pauseOffset = new Int32Array(capacity + 1);
    this.pauseStart = new Float64Array(capacity);
    this.pauseEnd = new Float64Array(capacity);
    this.pauseStatus = new Uint8Array(capacity);
    this.severityHistory = new Array<string | null>(capacity).fill(null);
  }

  clear(): void {
    for (let i = 0; this.historyCount > 0 && i < this.n; i++) this.severityHistory[i] = null;
    this.historyCount = 0;
    this.n = 0;
    this.pauseOffset[0] = 0;
  }

  /** Starts the next ticket, every field reset; returns its index. */
  add(): number {
    const i = this.n;
    if (i >= this.capacity) throw new RangeError('LifecycleBatch is full');
    this.severity[i] = -1;
    this.status[i] = 0;
    this.closeReason[i] = 0;
    this.reopenCount[i] = 0;
    this.flags[i] = 0;
    this.firstEvent[i] = NaN;
    this.lastEvent[i] = NaN;
    this.opened[i] = NaN;
    this.firstResponse[i] = NaN;
    this.resolved[i] = NaN;
    this.closed[i] = NaN;
    this.autoCloseFrom[i] = NaN;
    this.pauseOffset[i + 1] = this.pauseOffset[i]!;
    this.n = i + 1;
    return i;
  }

  /** A pause of the last ticket starting at `start`, not ended yet. */
  startPause(start: number, status: number): void {
    const p = this.pauseOffset[this.n]!;
    if (p >= this.pauseStart.length) this.growPauses();
    this.pauseStart[p] = start;
    this.pauseEnd[p] = NaN;
    this.pauseStatus[p] = status;
    this.pauseOffset[this.n] = p + 1;
  }

  /** Ends the last pause of the last ticket. */
  endPause(end: number): void {
    this.pauseEnd[this.pauseOffset[this.n]! - 1] = end;
  }

  setSeverityHistory(i: number, pairs: ArrayLike<number>, length: number): void {
    this.severityHistory[i] = severityHistoryJson(pairs, length);
    this.historyCount++;
  }

  private growPauses(): void {
    const size = this.pauseStart.length * 2;
    const start = new Float64Array(size);
    const end = new Float64Array(size);
    const status = new Uint8Array(size);
    start.set(this.pauseStart);
    end.set(this.pauseEnd);
    status.set(this.pauseStatus);
    this.pauseStart = start;
    this.pauseEnd = end;
    this.pauseStatus = status;
  }
}

/** `[{"at":"2026-03-02T11:05:00.000Z","severity":"baixa"}, …]` from (instant, code) pairs. */
export function severityHistoryJson(pairs: ArrayLike<number>, length = pairs.length): string {
  const entries: string[] = [];
  for (let k = 0; k + 1 < length; k += 2) {
    entries.push(`{"at":"${new Date(pairs[k]!).toISOString()}","severity":"${SEVERITIES[pairs[k + 1]!]}"}`);
  }
  return `[${entries.join(',')}]`;
}
