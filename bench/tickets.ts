/**
 * Shared by bench/calendar.ts and bench/calendar-profile.ts: deterministic synthetic tickets
 * (struct of arrays) and the set-wise computation of the three SLA quantities with the batch API.
 */
import { performance } from 'node:perf_hooks';
import type { Policy } from '../src/policy/policySchema.js';
import { SEVERITIES } from '../src/policy/policySchema.js';
import { businessTimeBatch, instantAtBusinessTimeBatch, type BusinessCalendar } from '../src/metrics/calendar/index.js';
import { prng } from '../src/demo/prng.js';

/** Tickets are stored grouped by calendar (a columnar store partitioned at ingest); this is the group order. */
/** Plain ArrayBuffer-backed arrays: the batch functions' `out` parameters are typed that way. */
type F64 = Float64Array<ArrayBuffer>;

export const GROUPS = ['8x5', '24x7'] as const;
export type Group = (typeof GROUPS)[number];

export const severitiesOf = (policy: Readonly<Policy>, group: Group) =>
  SEVERITIES.filter((s) => policy.severities[s].calendar === group);

/** Solution target per severity code (index in SEVERITIES), in business ms. */
export const solutionMs = (policy: Readonly<Policy>) => Float64Array.from(SEVERITIES.map((s) => policy.severities[s].solution * 1000));

/** The seeded PRNG the demo uses too (mulberry32, uniform in [0, 1)). */
export { prng };

export interface Tickets {
  n: number;
  /** Tickets [groupStart[g], groupStart[g + 1]) use calendar GROUPS[g]. */
  groupStart: number[];
  severity: Uint8Array;
  opened: F64;
  firstResponse: F64;
  solved: F64;
  /** Pauses of ticket i are [pauseOffset[i], pauseOffset[i + 1]) in pauseStart / pauseEnd. */
  pauseOffset: Int32Array;
  pauseStart: F64;
  pauseEnd: F64;
}

export function generate(policy: Readonly<Policy>, n: number, seed: number): Tickets {
  const rnd = prng(seed);
  // Opened uniformly over 2025-01-01T00:00 .. 2026-12-31T24:00 São Paulo time (UTC−3), whole seconds.
  const t0 = Date.parse('2025-01-01T00:00:00-03:00');
  const spanS = (Date.parse('2027-01-01T00:00:00-03:00') - t0) / 1000;
  /** Log-uniform elapsed delay in whole seconds, in [lo, hi]. */
  const delay = (lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo)))) * 1000;

  const severity = new Uint8Array(n);
  const opened = new Float64Array(n);
  const firstResponse = new Float64Array(n);
  const solved = new Float64Array(n);
  const pauseOffset = new Int32Array(n + 1);
  const counts = new Uint8Array(n);
  const half = n >> 1;
  const groupStart = [0, half, n];
  let pauses = 0;
  for (let i = 0; i < n; i++) {
    const sevs = severitiesOf(policy, i < half ? '8x5' : '24x7');
    severity[i] = SEVERITIES.indexOf(sevs[Math.floor(rnd() * sevs.length)]!);
    counts[i] = Math.floor(rnd() * 4); // 0–3 pauses
    pauses += counts[i]!;
  }
  const pauseStart = new Float64Array(pauses);
  const pauseEnd = new Float64Array(pauses);
  let p = 0;
  for (let i = 0; i < n; i++) {
    pauseOffset[i] = p;
    const o = t0 + Math.floor(rnd() * spanS) * 1000;
    opened[i] = o;
    let cursor = o + delay(60, 3 * 86_400); // first response 1 min – 3 days later
    firstResponse[i] = cursor;
    for (let k = 0; k < counts[i]!; k++) {
      const s = cursor + delay(60, 2 * 86_400); // paused 1 min – 2 days after the last event
      const e = s + delay(300, 3 * 86_400); // for 5 min – 3 days
      pauseStart[p] = s;
      pauseEnd[p] = e;
      p++;
      cursor = e;
    }
    solved[i] = cursor + delay(60, 5 * 86_400);
  }
  pauseOffset[n] = p;
  return { n, groupStart, severity, opened, firstResponse, solved, pauseOffset, pauseStart, pauseEnd };
}

export interface Results {
  /** First-response business seconds. */
  firstResponseS: F64;
  /** Solution business seconds minus paused business seconds. */
  solutionS: F64;
  /** Paused business ms (kept to explain deadlines; not part of the three quantities). */
  pausedMs: F64;
  /** Solution deadline, UTC ms: B⁻¹(B(opened) + target + paused). */
  deadline: F64;
}

/** Scratch buffers for B values, allocated once and reused across runs. */
export interface Scratch {
  bOpened: F64;
  bFirst: F64;
  bSolved: F64;
  bPauseStart: F64;
  bPauseEnd: F64;
}

export function allocate(t: Tickets): { out: Results; scratch: Scratch } {
  const n = t.n;
  const np = t.pauseStart.length;
  return {
    out: {
      firstResponseS: new Float64Array(n),
      solutionS: new Float64Array(n),
      pausedMs: new Float64Array(n),
      deadline: new Float64Array(n),
    },
    scratch: {
      bOpened: new Float64Array(n),
      bFirst: new Float64Array(n),
      bSolved: new Float64Array(n),
      bPauseStart: new Float64Array(np),
      bPauseEnd: new Float64Array(np),
    },
  };
}

/**
 * All three quantities for tickets [a, b) on one calendar: five businessTimeBatch passes (one per
 * timestamp array), one arithmetic pass, one B⁻¹ pass. No per-ticket day loops.
 */
export function computeGroup(
  cal: BusinessCalendar,
  solution: Float64Array,
  t: Tickets,
  a: number,
  b: number,
  out: Results,
  s: Scratch,
): void {
  const pa = t.pauseOffset[a]!;
  const pb = t.pauseOffset[b]!;
  const bo = businessTimeBatch(cal, t.opened.subarray(a, b), s.bOpened.subarray(a, b));
  const bf = businessTimeBatch(cal, t.firstResponse.subarray(a, b), s.bFirst.subarray(a, b));
  const bs = businessTimeBatch(cal, t.solved.subarray(a, b), s.bSolved.subarray(a, b));
  // Pauses of consecutive tickets are contiguous, so the group's pauses are one slice.
  const bps = businessTimeBatch(cal, t.pauseStart.subarray(pa, pb), s.bPauseStart.subarray(pa, pb));
  const bpe = businessTimeBatch(cal, t.pauseEnd.subarray(pa, pb), s.bPauseEnd.subarray(pa, pb));
  const off = t.pauseOffset;
  const fr = out.firstResponseS;
  const sol = out.solutionS;
  const paused = out.pausedMs;
  // Target business time of each deadline, written into the deadline buffer then inverted in place.
  const target = out.deadline.subarray(a, b);
  for (let i = a; i < b; i++) {
    const j = i - a;
    let pz = 0;
    for (let k = off[i]! - pa, end = off[i + 1]! - pa; k < end; k++) pz += bpe[k]! - bps[k]!;
    const o = bo[j]!;
    fr[i] = (bf[j]! - o) / 1000;
    sol[i] = (bs[j]! - o - pz) / 1000;
    paused[i] = pz;
    target[j] = o + solution[t.severity[i]!]! + pz;
  }
  instantAtBusinessTimeBatch(cal, target, target);
  // deadline ≥ opened (always true for a positive target; kept as in deadlineBatch).
  const op = t.opened;
  for (let i = a; i < b; i++) {
    const j = i - a;
    if (target[j]! < op[i]!) target[j] = op[i]!;
  }
}

/** The whole computation, timed with performance.now(): total and per calendar group, in seconds. */
export function compute(
  calendars: ReadonlyMap<string, BusinessCalendar>,
  solution: Float64Array,
  t: Tickets,
  out: Results,
  s: Scratch,
): { total: number; perGroup: number[] } {
  const perGroup: number[] = [];
  const start = performance.now();
  for (let g = 0; g < GROUPS.length; g++) {
    const g0 = performance.now();
    computeGroup(calendars.get(GROUPS[g]!)!, solution, t, t.groupStart[g]!, t.groupStart[g + 1]!, out, s);
    perGroup.push((performance.now() - g0) / 1000);
  }
  return { total: (performance.now() - start) / 1000, perGroup };
}
