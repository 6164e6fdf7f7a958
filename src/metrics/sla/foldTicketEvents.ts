import {
  AGUARDANDO_CLIENTE,
  EM_ATENDIMENTO,
  eventKind,
  eventTime,
  FECHADO,
  Kind,
  NOVO,
  REASON_APPROVED,
  REASON_AUTO,
  REASON_NONE,
  RESOLVIDO,
} from './eventKinds.js';
import type { LifecycleBatch } from './LifecycleBatch.js';
import { CHECK_ORDER_BIT, Flag } from './qualityFlags.js';

/**
 * What counts as the first response: the earliest of the first analyst reply and the first move
 * out of `novo` (default), or only one of them (a source like ServiceNow has only state changes).
 */
export type FirstResponseRule = 'earliest' | 'analyst_reply' | 'status_change';
export const FIRST_RESPONSE_RULES: readonly FirstResponseRule[] = ['earliest', 'analyst_reply', 'status_change'];

/** Why the ticket's status changed, for the explained timeline. */
export type TransitionCause = 'opened' | 'status_changed' | 'approval_nao' | 'approval_sim';

export interface Transition {
  at: number;
  status: number;
  cause: TransitionCause;
}

/** The running state of one ticket's fold; one instance is reused (the fold allocates nothing per ticket). */
class FoldState {
  batch!: LifecycleBatch;
  i = 0;
  status = NOVO;
  /** The current status came from the opening or an approval answer, so one explicit echo of it is expected. */
  implicit = true;
  pending = NaN;
  firstReply = NaN;
  firstMove = NaN;
  closedFromResolvido = false;
  trace: Transition[] | undefined;
  history = new Float64Array(64);
  historyLength = 0;

  start(batch: LifecycleBatch, trace: Transition[] | undefined): void {
    this.batch = batch;
    this.i = batch.add();
    this.status = NOVO;
    this.implicit = true;
    this.pending = NaN;
    this.firstReply = NaN;
    this.firstMove = NaN;
    this.closedFromResolvido = false;
    this.trace = trace;
    this.historyLength = 0;
  }

  pushHistory(t: number, severity: number): void {
    if (this.historyLength + 2 > this.history.length) {
      const grown = new Float64Array(this.history.length * 2);
      grown.set(this.history);
      this.history = grown;
    }
    this.history[this.historyLength++] = t;
    this.history[this.historyLength++] = severity;
  }

  moveTo(next: number, t: number, reason: number, cause: TransitionCause): void {
    const b = this.batch;
    const i = this.i;
    const status = this.status;
    if (next === status) {
      if (cause !== 'status_changed') return;
      if (this.implicit) this.implicit = false;
      else b.flags[i] = b.flags[i]! | Flag.duplicate_status;
      return;
    }
    if (isPause(status)) b.endPause(t);
    if (status === NOVO && this.firstMove !== this.firstMove) this.firstMove = t;
    if (status === RESOLVIDO && next !== FECHADO) {
      b.reopenCount[i] = b.reopenCount[i]! + 1;
      this.pending = NaN;
    }
    if (status === FECHADO) {
      b.reopenCount[i] = b.reopenCount[i]! + 1;
      b.closed[i] = NaN;
      b.closeReason[i] = REASON_NONE;
      b.resolved[i] = NaN;
      this.pending = NaN;
    }
    if (isPause(next)) b.startPause(t, next);
    if (next === RESOLVIDO) this.pending = t;
    if (next === FECHADO) {
      b.closed[i] = t;
      b.closeReason[i] = reason;
      this.closedFromResolvido = status === RESOLVIDO;
      if (this.closedFromResolvido) b.resolved[i] = this.pending;
      else {
        b.resolved[i] = t;
        b.flags[i] = b.flags[i]! | Flag.closed_without_resolved;
      }
    }
    this.status = next;
    this.implicit = cause !== 'status_changed';
    this.trace?.push({ at: t, status: next, cause });
  }
}

/**
 * The statuses in which the solution clock stops: waiting on the customer, awaiting approval of a
 * resolvido, and closed (until a reopen: the time a ticket spent closed is not work left undone).
 */
export function isPause(status: number): boolean {
  return status === AGUARDANDO_CLIENTE || status === RESOLVIDO || status === FECHADO;
}

const state = new FoldState();

/**
 * Folds one ticket's events, `events[from..to)` packed and sorted (eventKinds.ts), into the next
 * ticket of `batch`. `trace`, when given, receives every status change (to explain a ticket).
 *
 * Rules (each tested in tests/metrics/foldTicketEvents.test.ts):
 * - Opening: the first ticket.opened; without one, the first event (flag missing_opened). Events
 *   dated before the opening are taken as happening at it, in their order (events_before_opened).
 * - The ticket starts in `novo`. A status change to the current status is ignored
 *   (duplicate_status), except the first explicit `novo` and the helpdesk's own echo of a change
 *   an approval answer already made.
 * - Pauses: time in `aguardando_cliente`, in `resolvido` awaiting approval, and in `fechado` before
 *   a reopen.
 * - Approval `não` on a pending resolvido: back to em_atendimento at once (the clock resumes), a
 *   reopen. `sim`: fechado (approved) at once; that resolvido is the solution instant. Answers with
 *   no pending resolvido are ignored. Leaving resolvido by a status change other than fechado, and
 *   any change after fechado, also count as reopens.
 * - fechado without resolvido: the closing instant is the solution (closed_without_resolved).
 * - Still in aguardando_cliente at the end: the pause runs until "now" (unended_pause).
 * - Severity: the current one; the history keeps every change.
 * - Tickets whose events came in more than one ingest batch get CHECK_ORDER_BIT so the caller
 *   checks their ingest order (out_of_order needs ingest times, which are not in `events`).
 */
export function foldTicketEvents(
  events: ArrayLike<number>,
  from: number,
  to: number,
  rule: FirstResponseRule,
  multiBatch: boolean,
  batch: LifecycleBatch,
  trace?: Transition[],
): void {
  const s = state;
  s.start(batch, trace);
  const i = s.i;
  let flags = multiBatch ? CHECK_ORDER_BIT : 0;
  if (from >= to) {
    batch.flags[i] = flags | Flag.missing_opened | Flag.unknown_severity;
    return;
  }

  batch.firstEvent[i] = eventTime(events[from]!);
  batch.lastEvent[i] = eventTime(events[to - 1]!);
  let openedAt = -1;
  let severity = -1;
  for (let k = from; k < to; k++) {
    const kind = eventKind(events[k]!);
    if (kind < Kind.SEVERITY_CHANGED) {
      openedAt = k;
      severity = kind - Kind.OPENED;
      break;
    }
  }
  const opened = eventTime(events[openedAt < 0 ? from : openedAt]!);
  if (openedAt < 0) flags |= Flag.missing_opened;
  else s.pushHistory(opened, severity);
  batch.opened[i] = opened;
  trace?.push({ at: opened, status: NOVO, cause: 'opened' });

  for (let k = from; k < to; k++) {
    if (k === openedAt) continue;
    const packed = events[k]!;
    const kind = eventKind(packed);
    let t = eventTime(packed);
    if (t < opened) {
      flags |= Flag.events_before_opened;
      t = opened;
    }
    if (kind < Kind.SEVERITY_CHANGED) continue; // a second ticket.opened: the first one counts
    if (kind < Kind.OTHER) {
      const changed = kind - Kind.SEVERITY_CHANGED;
      if (changed !== severity) {
        severity = changed;
        s.pushHistory(t, severity);
      }
    } else if (kind === Kind.REPLY_ANALYST) {
      if (s.firstReply !== s.firstReply) s.firstReply = t;
    } else if (kind >= Kind.STATUS && kind < Kind.CLOSED) {
      s.moveTo(kind - Kind.STATUS, t, REASON_NONE, 'status_changed');
    } else if (kind >= Kind.CLOSED && kind < Kind.APPROVAL_NAO) {
      s.moveTo(FECHADO, t, kind - Kind.CLOSED, 'status_changed');
    } else if (kind === Kind.APPROVAL_NAO) {
      if (s.status === RESOLVIDO) s.moveTo(EM_ATENDIMENTO, t, REASON_NONE, 'approval_nao');
    } else if (kind === Kind.APPROVAL_SIM) {
      if (s.status === RESOLVIDO) s.moveTo(FECHADO, t, REASON_APPROVED, 'approval_sim');
    }
  }

  const status = s.status;
  flags |= batch.flags[i]!;
  if (status === AGUARDANDO_CLIENTE) flags |= Flag.unended_pause;
  if (status === RESOLVIDO) batch.resolved[i] = s.pending;
  if (status === RESOLVIDO || (status === FECHADO && batch.closeReason[i] === REASON_AUTO && s.closedFromResolvido)) {
    batch.autoCloseFrom[i] = batch.resolved[i]!;
  }
  if (severity < 0) flags |= Flag.unknown_severity;
  batch.status[i] = status;
  batch.severity[i] = severity;
  batch.flags[i] = flags;
  batch.firstResponse[i] =
    rule === 'analyst_reply' ? s.firstReply : rule === 'status_change' ? s.firstMove : earliest(s.firstReply, s.firstMove);
  if (s.historyLength > 2) batch.setSeverityHistory(i, s.history, s.historyLength);
}

function earliest(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return a < b ? a : b;
}

/** Sorts packed events in place: insertion sort for the few events of a typical ticket. */
export function sortTicketEvents(events: Float64Array, from: number, to: number): void {
  if (to - from > 48) {
    events.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = events[i]!;
    let j = i - 1;
    while (j >= from && events[j]! > v) {
      events[j + 1] = events[j]!;
      j--;
    }
    events[j + 1] = v;
  }
}
