import { loadPolicy } from '../policy/loadPolicy.js';
import type { Policy } from '../policy/policySchema.js';
import { createDemoCast, type DemoCast } from './createDemoCast.js';
import { DemoClock } from './DemoClock.js';
import { planDemoTickets } from './planDemoTickets.js';
import { Random } from './Random.js';
import { type DemoEvent, simulateTicket } from './simulateTicket.js';

export type { DemoEvent };

/** Tickets in a demo year: about a hundred a business day for twenty analysts. */
export const DEFAULT_DEMO_TICKETS = 24_000;
export const DEFAULT_DEMO_SEED = 2026;
const YEAR_MS = 365 * 86_400_000;

export interface DemoOptions {
  seed?: number;
  /** The demo year ends here (UTC ms or a Date); default: the current time. */
  now?: number | Date;
  tickets?: number;
  /** The policy whose calendars time the work (default: loadPolicy()). */
  policy?: Readonly<Policy>;
}

export interface DemoData {
  events: DemoEvent[];
  tickets: number;
  cast: DemoCast;
  from: number;
  now: number;
}

/**
 * A realistic year of a support company's tickets as canonical events, ending at `now`: the same
 * seed and `now` give the same events. Work and answers follow the policy's calendars, so 8x5
 * tickets move in business hours and silent approvals close after the policy's business days.
 */
export function generateDemoData(options: DemoOptions = {}): DemoData {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const now = Math.floor(toMs(options.now ?? Date.now()) / 1000) * 1000;
  const from = now - YEAR_MS;
  const count = options.tickets ?? DEFAULT_DEMO_TICKETS;
  const random = new Random(seed);
  const cast = createDemoCast(seed, 365);
  const clock = new DemoClock(options.policy ?? loadPolicy(), from, now, random);
  const plans = planDemoTickets(count, cast, clock, random);
  const events: DemoEvent[] = [];
  plans.forEach((plan, i) => {
    for (const event of simulateTicket(`T-${100_001 + i}`, plan, clock, random)) events.push(event);
  });
  return { events, tickets: plans.length, cast, from, now };
}

/** The demo year's events (see generateDemoData). */
export function generateDemoEvents(options: DemoOptions = {}): DemoEvent[] {
  return generateDemoData(options).events;
}

function toMs(value: number | Date): number {
  return typeof value === 'number' ? value : value.getTime();
}
