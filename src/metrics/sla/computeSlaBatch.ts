import { businessTimeBatch, instantAtBusinessTimeBatch } from '../calendar/businessTime.js';
import { createCalendars } from '../calendar/createCalendars.js';
import type { BusinessCalendar } from '../calendar/types.js';
import type { Policy } from '../../policy/policySchema.js';
import { SEVERITIES } from '../../policy/severities.js';
import { RESOLVIDO } from './eventKinds.js';
import type { LifecycleBatch } from './LifecycleBatch.js';
import { Flag } from './qualityFlags.js';

/** Live-clock states of an open ticket (0: none, the ticket has a solution instant). */
export const STATE_NAMES = ['on_track', 'at_risk', 'breached'] as const;
export const ON_TRACK = 1;
export const AT_RISK = 2;
export const BREACHED = 3;

/** The calendars cover these instants (WeeklyCalendar builds 1901–2199); outside, no SLA numbers. */
const MIN_INSTANT = Date.UTC(1902, 0, 1);
const MAX_INSTANT = Date.UTC(2199, 0, 1);

export interface SeverityTargets {
  calendar: BusinessCalendar;
  calendarName: string;
  responseSeconds: number;
  solutionSeconds: number;
}

/** Everything the SLA numbers depend on besides the events: the policy's targets and calendars, and "now". */
export interface SlaContext {
  /** By severity code (SEVERITIES order). */
  severities: readonly SeverityTargets[];
  approvalCalendar: BusinessCalendar;
  autoCloseAfterBusinessDays: number;
  atRiskThreshold: number;
  /** The instant open tickets are evaluated at, UTC ms. */
  now: number;
}

export function createSlaContext(
  policy: Readonly<Policy>,
  now: number,
  calendars: ReadonlyMap<string, BusinessCalendar> = createCalendars(policy),
): SlaContext {
  const calendar = (name: string) => {
    const found = calendars.get(name);
    if (!found) throw new Error(`policy: no calendar named "${name}"`);
    return found;
  };
  if (!(now >= MIN_INSTANT && now < MAX_INSTANT)) throw new RangeError('now: outside the years the calendars cover (1902–2198)');
  return {
    severities: SEVERITIES.map((s) => ({
      calendar: calendar(policy.severities[s].calendar),
      calendarName: policy.severities[s].calendar,
      responseSeconds: policy.severities[s].firstResponse,
      solutionSeconds: policy.severities[s].solution,
    })),
    approvalCalendar: calendar(policy.approval.calendar),
    autoCloseAfterBusinessDays: policy.approval.autoCloseAfterBusinessDays,
    atRiskThreshold: policy.atRiskThreshold,
    now,
  };
}

/** The numbers of a batch, by ticket; NaN where a number does not apply. Times in UTC ms, durations in seconds. */
export class SlaResults {
  readonly responseTarget: Float64Array;
  readonly solutionTarget: Float64Array;
  readonly responseSeconds: Float64Array;
  readonly solutionSeconds: Float64Array;
  readonly pausedSeconds: Float64Array;
  readonly consumedSeconds: Float64Array;
  readonly responseDeadline: Float64Array;
  readonly solutionDeadline: Float64Array;
  readonly autoCloseDue: Float64Array;
  readonly state: Uint8Array;
  readonly flags: Int32Array;
  /** Scratch, reused from batch to batch: tickets of one calendar, their instants and target B values. */
  readonly members: Int32Array;
  instants = new Float64Array(0);
  targets = new Float64Array(0);

  constructor(readonly capacity: number) {
    const f = () => new Float64Array(capacity);
    this.responseTarget = f();
    this.solutionTarget = f();
    this.responseSeconds = f();
    this.solutionSeconds = f();
    this.pausedSeconds = f();
    this.consumedSeconds = f();
    this.responseDeadline = f();
    this.solutionDeadline = f();
    this.autoCloseDue = f();
    this.state = new Uint8Array(capacity);
    this.flags = new Int32Array(capacity);
    this.members = new Int32Array(capacity);
  }

  clear(n: number): void {
    for (const column of [
      this.responseTarget, this.solutionTarget, this.responseSeconds, this.solutionSeconds, this.pausedSeconds,
      this.consumedSeconds, this.responseDeadline, this.solutionDeadline, this.autoCloseDue,
    ]) {
      column.fill(NaN, 0, n);
    }
    this.state.fill(0, 0, n);
  }

  /** Scratch arrays of at least these sizes. */
  scratch(instants: number, targets: number): { instants: Float64Array; targets: Float64Array } {
    if (this.instants.length < instants) this.instants = new Float64Array(Math.max(instants, this.instants.length * 2));
    if (this.targets.length < targets) this.targets = new Float64Array(Math.max(targets, this.targets.length * 2));
    return { instants: this.instants.subarray(0, instants), targets: this.targets.subarray(0, targets) };
  }
}

const inRange = (t: number) => t !== t || (t >= MIN_INSTANT && t < MAX_INSTANT);

/** Flags the tickets whose numbers cannot be computed (no severity, instants out of range); true for the others. */
function computable(batch: LifecycleBatch, i: number, out: SlaResults): boolean {
  let ok = inRange(batch.opened[i]!) && inRange(batch.firstResponse[i]!) && inRange(batch.resolved[i]!);
  for (let p = batch.pauseOffset[i]!; p < batch.pauseOffset[i + 1]! && ok; p++) ok = inRange(batch.pauseStart[p]!) && inRange(batch.pauseEnd[p]!);
  out.flags[i] = ok ? batch.flags[i]! : batch.flags[i]! | Flag.time_out_of_range;
  return ok && batch.severity[i]! >= 0;
}

/**
 * Every business-time number of a batch: per calendar, one businessTimeBatch over all the instants
 * its tickets need (opening, first response, solution or now, pause edges) and one
 * instantAtBusinessTimeBatch for both deadlines. No per-ticket loops over days.
 *
 * - response = B(first response) − B(opened); deadline B⁻¹(B(opened) + target). No pause.
 * - paused = Σ B(pause end) − B(pause start) over pauses before the solution instant (for an open
 *   ticket, before now; a pause not ended runs until now).
 * - solution = B(solution instant) − B(opened) − paused; deadline B⁻¹(B(opened) + target + paused).
 * - open tickets (no solution instant): consumed = B(now) − B(opened) − paused, state against the
 *   target (breached past it, at risk from atRiskThreshold of it).
 * - auto-close due: the n-th business day after the resolvido on the approval calendar; a ticket
 *   still in resolvido after it gets auto_close_overdue.
 * Targets are the current severity's, measured from the opening.
 */
export function computeSlaBatch(batch: LifecycleBatch, ctx: SlaContext, out: SlaResults): void {
  out.clear(batch.n);
  const ok = new Uint8Array(batch.n);
  for (let i = 0; i < batch.n; i++) ok[i] = computable(batch, i, out) ? 1 : 0;
  for (const cal of new Set(ctx.severities.map((s) => s.calendar))) {
    let m = 0;
    let pauses = 0;
    for (let i = 0; i < batch.n; i++) {
      if (ok[i] === 0 || ctx.severities[batch.severity[i]!]!.calendar !== cal) continue;
      out.members[m++] = i;
      pauses += batch.pauseOffset[i + 1]! - batch.pauseOffset[i]!;
    }
    if (m > 0) computeCalendar(batch, ctx, out, cal, out.members.subarray(0, m), pauses);
  }
  computeAutoClose(batch, ctx, out);
}

function computeCalendar(
  batch: LifecycleBatch,
  ctx: SlaContext,
  out: SlaResults,
  cal: BusinessCalendar,
  members: Int32Array,
  pauses: number,
): void {
  const m = members.length;
  const now = ctx.now;
  const { instants, targets } = out.scratch(3 * m + 2 * pauses, 2 * m);
  // Instants: [opened, first response, end] per member, then [start, end] per pause.
  let q = 3 * m;
  for (let j = 0; j < m; j++) {
    const i = members[j]!;
    const opened = batch.opened[i]!;
    const resolved = batch.resolved[i]!;
    const end = Math.max(opened, resolved === resolved ? resolved : now);
    instants[3 * j] = opened;
    instants[3 * j + 1] = batch.firstResponse[i]!;
    instants[3 * j + 2] = end;
    for (let p = batch.pauseOffset[i]!; p < batch.pauseOffset[i + 1]!; p++) {
      const start = batch.pauseStart[p]!;
      const pauseEnd = batch.pauseEnd[p]!;
      const stop = Math.min(pauseEnd === pauseEnd ? pauseEnd : now, end);
      instants[q++] = start;
      instants[q++] = stop > start ? stop : start;
    }
  }
  const b = businessTimeBatch(cal, instants, instants);
  q = 3 * m;
  for (let j = 0; j < m; j++) {
    const i = members[j]!;
    const sev = ctx.severities[batch.severity[i]!]!;
    const bOpened = b[3 * j]!;
    let paused = 0;
    for (let p = batch.pauseOffset[i]!; p < batch.pauseOffset[i + 1]!; p++, q += 2) paused += b[q + 1]! - b[q]!;
    const counted = (b[3 * j + 2]! - bOpened - paused) / 1000;
    out.responseTarget[i] = sev.responseSeconds;
    out.solutionTarget[i] = sev.solutionSeconds;
    out.responseSeconds[i] = (b[3 * j + 1]! - bOpened) / 1000;
    out.pausedSeconds[i] = paused / 1000;
    if (batch.resolved[i] === batch.resolved[i]) out.solutionSeconds[i] = counted;
    else {
      out.consumedSeconds[i] = counted;
      out.state[i] =
        counted > sev.solutionSeconds ? BREACHED : counted >= ctx.atRiskThreshold * sev.solutionSeconds ? AT_RISK : ON_TRACK;
    }
    targets[2 * j] = bOpened + sev.responseSeconds * 1000;
    targets[2 * j + 1] = bOpened + sev.solutionSeconds * 1000 + paused;
  }
  const deadlines = instantAtBusinessTimeBatch(cal, targets, targets);
  for (let j = 0; j < m; j++) {
    const i = members[j]!;
    const opened = batch.opened[i]!;
    out.responseDeadline[i] = Math.max(opened, deadlines[2 * j]!);
    out.solutionDeadline[i] = Math.max(opened, deadlines[2 * j + 1]!);
  }
}

/** Auto-close due dates (an index lookup per ticket awaiting approval, not a walk over days). */
function computeAutoClose(batch: LifecycleBatch, ctx: SlaContext, out: SlaResults): void {
  for (let i = 0; i < batch.n; i++) {
    const from = batch.autoCloseFrom[i]!;
    if (from !== from || (out.flags[i]! & Flag.time_out_of_range) !== 0) continue;
    const due = ctx.approvalCalendar.addBusinessDays(from, ctx.autoCloseAfterBusinessDays);
    out.autoCloseDue[i] = due;
    if (batch.status[i] === RESOLVIDO && ctx.now > due) out.flags[i] = out.flags[i]! | Flag.auto_close_overdue;
  }
}
