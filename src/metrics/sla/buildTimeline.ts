import { businessSeconds, openIntervals } from '../calendar/businessTime.js';
import type { BusinessCalendar } from '../calendar/types.js';
import { AGUARDANDO_CLIENTE, FECHADO, STATUS_NAMES } from './eventKinds.js';
import { isPause, type Transition } from './foldTicketEvents.js';

export type SegmentState = 'counting' | 'paused' | 'outside_hours';

/** One stretch of a ticket's life, as the explained timeline shows it. */
export interface TimelineSegment {
  from: string;
  to: string;
  state: SegmentState;
  /** counting: the status worked in; paused: why; outside_hours: why the calendar is closed. */
  reason: string;
  /** Business seconds of the calendar in the segment (0 outside hours). */
  business_seconds: number;
}

/** Why a calendar is closed between two instants (a holiday, a weekend, or the hours of the day). */
export type ClosedReason = (from: number, to: number) => string;

const PAUSE_REASONS: Record<number, string> = {
  [AGUARDANDO_CLIENTE]: 'aguardando_cliente',
  [FECHADO]: 'fechado_ate_reabertura',
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The timeline of a ticket from its opening to `end` (its solution instant, or now): the status
 * spans of `transitions` (from foldTicketEvents), paused spans whole, and working spans split by
 * the calendar's open intervals into counting and outside_hours segments. The counting segments
 * add up to solution_seconds (or to consumed_seconds for an open ticket); the paused ones to
 * paused_seconds.
 */
export function buildTimeline(
  transitions: readonly Transition[],
  end: number,
  calendar: BusinessCalendar,
  closedReason: ClosedReason,
): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  const push = (from: number, to: number, state: SegmentState, reason: string, seconds: number) =>
    segments.push({ from: iso(from), to: iso(to), state, reason, business_seconds: seconds });
  for (let k = 0; k < transitions.length; k++) {
    const { at, status } = transitions[k]!;
    const from = Math.min(at, end);
    const to = Math.min(k + 1 < transitions.length ? transitions[k + 1]!.at : end, end);
    if (!(from < to)) continue;
    if (isPause(status)) {
      push(from, to, 'paused', PAUSE_REASONS[status] ?? 'aguardando_aprovacao', businessSeconds(calendar, from, to));
      continue;
    }
    let cursor = from;
    for (const open of openIntervals(calendar, from, to)) {
      if (cursor < open.from) push(cursor, open.from, 'outside_hours', closedReason(cursor, open.from), 0);
      push(open.from, open.to, 'counting', STATUS_NAMES[status]!, (open.to - open.from) / 1000);
      cursor = open.to;
    }
    if (cursor < to) push(cursor, to, 'outside_hours', closedReason(cursor, to), 0);
  }
  return segments;
}
