/**
 * Benchmark of the business-time engine on 1,000,000 synthetic tickets, cross-checked against
 * moment-business-time on a sample.
 *
 *   npm run bench:calendar            (TZ=America/Sao_Paulo tsx bench/calendar.ts)
 *
 * Options (environment): BENCH_TICKETS (default 1,000,000), BENCH_SAMPLE (default 10,000 per
 * calendar), BENCH_SEED (default 20250101), BENCH_WARM (extra warm compute runs, default 2).
 *
 * Human-readable lines go to stderr; the last stdout line is one JSON object.
 *
 * The peer works in process-local time, hence TZ=America/Sao_Paulo. The independent reference
 * used for verdicts (refBusinessMs / refDeadline below) also walks local days with the Date local
 * getters, so it needs the same TZ; the script refuses to run the peer otherwise.
 */
import { performance } from 'node:perf_hooks';
import moment from 'moment';
import 'moment-business-time';
import { loadPolicy } from '../src/policy/loadPolicy.js';
import { SEVERITIES } from '../src/policy/policySchema.js';
import { businessSeconds, createCalendars, deadline, getHolidays, type BusinessCalendar } from '../src/metrics/calendar/index.js';
import { GROUPS, type Group, type Results, type Tickets, allocate, compute, generate, prng, severitiesOf, solutionMs } from './tickets.js';

const N = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 20250101);
const WARM = Number(process.env.BENCH_WARM ?? 2);
const log = (...parts: unknown[]) => console.error(...parts);

// ---------------------------------------------------------------------------------------------
// Policy and calendars
// ---------------------------------------------------------------------------------------------
const policy = loadPolicy();
const calendars = createCalendars(policy);
for (const g of GROUPS) {
  if (!calendars.get(g)) throw new Error(`policy has no calendar ${g}`);
  if (severitiesOf(policy, g).length === 0) throw new Error(`no severity uses calendar ${g}`);
}
const SOLUTION_MS = solutionMs(policy);

// ---------------------------------------------------------------------------------------------
// Independent reference (for verdicts only): walks local days with Date's local getters.
// ---------------------------------------------------------------------------------------------
const HOLIDAY_DATES = new Set<string>();
for (let y = 2024; y <= 2028; y++) for (const h of getHolidays(policy.holidays, y)) HOLIDAY_DATES.add(h.date);
const pad = (x: number, w = 2) => String(x).padStart(w, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
/** The 8x5 windows of the local day containing t, as UTC ms pairs (empty on weekends and holidays). */
function refWindows(t: number): Array<[number, number]> {
  const d = new Date(t);
  const wd = d.getDay();
  if (wd === 0 || wd === 6 || HOLIDAY_DATES.has(localDate(d))) return [];
  const y = d.getFullYear();
  const m = d.getMonth();
  const day = d.getDate();
  return [
    [new Date(y, m, day, 8, 0).getTime(), new Date(y, m, day, 12, 0).getTime()],
    [new Date(y, m, day, 13, 30).getTime(), new Date(y, m, day, 17, 30).getTime()],
  ];
}
const nextLocalMidnight = (t: number) => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
};
/** Open ms of 8x5 in [a, b), by brute force. */
function refBusinessMs(a: number, b: number): number {
  if (b < a) return -refBusinessMs(b, a);
  let sum = 0;
  for (let day = a; day < b; day = nextLocalMidnight(day)) {
    for (const [s, e] of refWindows(day)) sum += Math.max(0, Math.min(e, b) - Math.max(s, a));
  }
  return sum;
}
/** Earliest t ≥ a with refBusinessMs(a, t) = ms (a closing instant when it ends exactly there). */
function refDeadline(a: number, ms: number): number {
  let left = ms;
  for (let day = a; ; day = nextLocalMidnight(day)) {
    for (const [s, e] of refWindows(day)) {
      const from = Math.max(s, a);
      if (from >= e) continue;
      if (left <= e - from) return from + left;
      left -= e - from;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Peer: moment-business-time
// ---------------------------------------------------------------------------------------------
// moment-business-time reads its configuration from the *global* locale, so the two calendars
// are run one after the other with the locale switched in between.
const M = moment as any; // the plugin's methods are not in moment's typings
const SPLIT = ['08:00:00', '12:00:00', '13:30:00', '17:30:00'];
const ALL_DAY = ['00:00:00', '24:00:00']; // moment rolls 24:00 over to the next local midnight
function configurePeer(group: Group): void {
  if (group === '8x5') {
    M.updateLocale('en', {
      workinghours: { 0: null, 1: SPLIT, 2: SPLIT, 3: SPLIT, 4: SPLIT, 5: SPLIT, 6: null },
      holidays: [...HOLIDAY_DATES].sort(),
    });
  } else {
    M.updateLocale('en', {
      workinghours: { 0: ALL_DAY, 1: ALL_DAY, 2: ALL_DAY, 3: ALL_DAY, 4: ALL_DAY, 5: ALL_DAY, 6: ALL_DAY },
      holidays: [],
    });
  }
}
/** Peer business ms in [a, b) (workingDiff is "this − comparator"). */
const peerDiff = (a: number, b: number): number => M(b).workingDiff(M(a), 'milliseconds');

interface PeerRow {
  i: number;
  fr: number;
  sol: number;
  pausedMs: number;
  deadline: number;
}

function runPeer(t: Tickets, idx: number[]): { rows: PeerRow[]; seconds: number } {
  const rows: PeerRow[] = new Array(idx.length);
  const start = performance.now();
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    const o = t.opened[i]!;
    const fr = peerDiff(o, t.firstResponse[i]!) / 1000;
    let paused = 0;
    for (let k = t.pauseOffset[i]!; k < t.pauseOffset[i + 1]!; k++) paused += peerDiff(t.pauseStart[k]!, t.pauseEnd[k]!);
    const sol = (peerDiff(o, t.solved[i]!) - paused) / 1000;
    const deadline = M(o).addWorkingTime(SOLUTION_MS[t.severity[i]!]! + paused, 'milliseconds').valueOf() as number;
    rows[r] = { i, fr, sol, pausedMs: paused, deadline };
  }
  return { rows, seconds: (performance.now() - start) / 1000 };
}

/** `count` distinct ticket indices in [a, b), one per stride, deterministic. */
function sampleIndices(a: number, b: number, count: number, seed: number): number[] {
  const rnd = prng(seed);
  const n = Math.min(count, b - a);
  const stride = (b - a) / n;
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(a + Math.floor(k * stride + rnd() * stride));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Classification of disagreements
// ---------------------------------------------------------------------------------------------
const fmt = (ms: number) => {
  const d = new Date(ms);
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  return `${wd} ${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
const hms = (s: number) => {
  const sign = s < 0 ? '-' : '';
  const a = Math.abs(Math.round(s));
  return `${sign}${Math.floor(a / 3600)}h${pad(Math.floor((a % 3600) / 60))}m${pad(a % 60)}s`;
};
const minutesOfDay = (ms: number) => {
  const d = new Date(ms);
  return d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60 + d.getMilliseconds() / 60000;
};

/**
 * The error model of moment-business-time's workingDiff on a split day, read off its source
 * (lib/business-hours.js, workingDiff): on the day of the *end* instant it adds, for every
 * segment, max(from, segStart).diff(min(segEnd, to)); for a segment that starts after `to` that
 * term is segStart − to > 0, i.e. it subtracts (segStart − to) business time that never elapsed.
 * With 08:00–12:00 / 13:30–17:30 that is 13:30 − end whenever the end lies in (08:00, 13:30) of a
 * working day — in the morning window or in the lunch break. (An end outside hours is first
 * moved back to the last closing, which is harmless; a start in the lunch break is kept because
 * the peer checks "working time" ignoring breaks, also harmless.)
 */
function peerSplitDayErrorMs(a: number, b: number): number {
  if (!(b > a) || refWindows(b).length === 0) return 0;
  const m = minutesOfDay(b);
  if (m > 8 * 60 && m < 13.5 * 60) return (13.5 * 60 - m) * 60_000;
  return 0;
}
const inLunch = (ms: number) => refWindows(ms).length > 0 && minutesOfDay(ms) > 12 * 60 && minutesOfDay(ms) < 13.5 * 60;

interface KindStat {
  count: number;
  example?: string;
}
const TOL_S = 1;

function classify(group: Group, t: Tickets, res: Results, rows: PeerRow[], cal: BusinessCalendar) {
  const kinds = new Map<string, KindStat>();
  let tickets = 0;
  const perQuantity = { firstResponse: 0, solution: 0, deadline: 0 };
  const verdicts = { ours: 0, peer: 0, neither: 0 };
  const add = (kind: string, example: () => string) => {
    const k = kinds.get(kind) ?? { count: 0 };
    k.count++;
    if (!k.example) k.example = example();
    kinds.set(kind, k);
  };
  const ref = (a: number, b: number) => (group === '8x5' ? refBusinessMs(a, b) : b - a);
  const refDl = (a: number, ms: number) => (group === '8x5' ? refDeadline(a, ms) : a + ms);
  const verdict = (ours: number, peer: number, reference: number) => {
    const v = Math.abs(ours - reference) <= TOL_S ? 'ours' : Math.abs(peer - reference) <= TOL_S ? 'peer' : 'neither';
    verdicts[v]++;
    return v === 'ours' ? 'ours is right' : v === 'peer' ? 'PEER is right' : 'NEITHER matches the reference';
  };
  for (const row of rows) {
    const i = row.i;
    const o = t.opened[i]!;
    const f = t.firstResponse[i]!;
    const s = t.solved[i]!;
    const ps: number[] = [];
    const pe: number[] = [];
    for (let k = t.pauseOffset[i]!; k < t.pauseOffset[i + 1]!; k++) {
      ps.push(t.pauseStart[k]!);
      pe.push(t.pauseEnd[k]!);
    }
    const target = SOLUTION_MS[t.severity[i]!]!;
    const dFr = Math.abs(row.fr - res.firstResponseS[i]!) > TOL_S;
    const dSol = Math.abs(row.sol - res.solutionS[i]!) > TOL_S;
    const dDl = Math.abs(row.deadline - res.deadline[i]!) > TOL_S * 1000;
    if (!dFr && !dSol && !dDl) continue;
    tickets++;
    const head = `ticket #${i} (${SEVERITIES[t.severity[i]!]}, ${group})`;

    if (dFr) {
      perQuantity.firstResponse++;
      const err = group === '8x5' ? peerSplitDayErrorMs(o, f) : 0;
      const explained = err > 0 && Math.abs(res.firstResponseS[i]! - err / 1000 - row.fr) <= TOL_S;
      const where = inLunch(f) ? 'in the 12:00–13:30 lunch break' : 'in the 08:00–12:00 morning window';
      const kind = explained
        ? `first response: peer's workingDiff subtracts (13:30 − end) when the response falls ${where}`
        : 'first response: UNEXPLAINED';
      const r = ref(o, f) / 1000;
      const v = verdict(res.firstResponseS[i]!, row.fr, r);
      add(
        kind,
        () =>
          `${head}: opened ${fmt(o)}, first response ${fmt(f)}; ours ${hms(res.firstResponseS[i]!)}, peer ${hms(row.fr)}, ` +
          `brute-force reference ${hms(r)} → ${v}`,
      );
    }
    if (dSol) {
      perQuantity.solution++;
      const errSolved = group === '8x5' ? peerSplitDayErrorMs(o, s) : 0;
      const errPauses = group === '8x5' ? pe.reduce((acc, e, k) => acc + peerSplitDayErrorMs(ps[k]!, e), 0) : 0;
      const explained = Math.abs(res.solutionS[i]! - errSolved / 1000 + errPauses / 1000 - row.sol) <= TOL_S;
      const parts = [errSolved ? 'the solved instant' : '', errPauses ? 'a pause end' : ''].filter(Boolean).join(' and ');
      const kind =
        explained && parts
          ? `solution (net of pauses): same workingDiff split-day bug at ${parts} (${parts.includes('and') ? 'errors partly cancel' : 'end before 13:30'})`
          : 'solution: UNEXPLAINED';
      const r = (ref(o, s) - ps.reduce((acc, p0, k) => acc + ref(p0, pe[k]!), 0)) / 1000;
      const v = verdict(res.solutionS[i]!, row.sol, r);
      add(kind, () => {
        const pauses = ps.map((p0, k) => `[${fmt(p0)} → ${fmt(pe[k]!)}]`).join(', ') || 'none';
        return (
          `${head}: opened ${fmt(o)}, solved ${fmt(s)}, pauses ${pauses}; ours ${hms(res.solutionS[i]!)}, peer ${hms(row.sol)}, ` +
          `reference ${hms(r)} → ${v}`
        );
      });
    }
    if (dDl) {
      perQuantity.deadline++;
      const samePaused = Math.abs(row.pausedMs - res.pausedMs[i]!) <= TOL_S * 1000;
      // What would our engine say if it had been given the peer's paused time?
      const b0 = cal.businessTimeAt(o);
      const oursWithPeerPaused = Math.max(o, cal.instantAtBusinessTime(b0 + target + row.pausedMs));
      let kind: string;
      if (!samePaused && Math.abs(oursWithPeerPaused - row.deadline) <= TOL_S * 1000) {
        kind = "deadline: inherits the peer's wrong paused time (split-day bug at a pause end); addWorkingTime itself agrees";
      } else if (samePaused && Math.abs(cal.businessTimeAt(row.deadline) - cal.businessTimeAt(res.deadline[i]!)) <= TOL_S * 1000) {
        const a = fmt(res.deadline[i]!).slice(-8);
        const b = fmt(row.deadline).slice(-8);
        kind = `deadline: same business instant, different wall instant (ours at the ${a} closing, peer at the ${b} opening)`;
      } else {
        kind = 'deadline: UNEXPLAINED';
      }
      const refPaused = ps.reduce((acc, p0, k) => acc + ref(p0, pe[k]!), 0);
      const r = refDl(o, target + refPaused);
      const v = verdict(res.deadline[i]! / 1000, row.deadline / 1000, r / 1000);
      add(kind, () => {
        return (
          `${head}: opened ${fmt(o)}, target ${hms(target / 1000)} + paused ours ${hms(res.pausedMs[i]! / 1000)} / peer ${hms(row.pausedMs / 1000)}; ` +
          `ours ${fmt(res.deadline[i]!)}, peer ${fmt(row.deadline)}, reference ${fmt(r)} → ${v}`
        );
      });
    }
  }
  return { tickets, perQuantity, kinds, verdicts };
}

// ---------------------------------------------------------------------------------------------
// Boundary probes: hand-picked 8x5 instants at the edges the random sample rarely hits exactly
// (12:00, 13:30, 17:30, 08:00, inside the lunch break, across holidays). Scalar API, not batch.
// ---------------------------------------------------------------------------------------------
const at = (local: string) => new Date(local).getTime(); // 'YYYY-MM-DDTHH:mm:ss' = process-local (TZ)
const PROBES: Array<{ what: string; kind: 'diff' | 'deadline'; a: string; b?: string; seconds?: number }> = [
  { what: 'diff ending exactly at the 12:00 closing', kind: 'diff', a: '2025-03-12T11:00:00', b: '2025-03-12T12:00:00' },
  { what: 'diff inside one lunch break', kind: 'diff', a: '2025-03-12T12:10:00', b: '2025-03-12T13:20:00' },
  { what: 'diff ending exactly at the 13:30 opening', kind: 'diff', a: '2025-03-11T17:00:00', b: '2025-03-12T13:30:00' },
  { what: 'diff ending exactly at the 08:00 opening', kind: 'diff', a: '2025-03-11T17:00:00', b: '2025-03-12T08:00:00' },
  { what: 'diff from the lunch break to the next afternoon', kind: 'diff', a: '2025-03-12T12:30:00', b: '2025-03-13T15:00:00' },
  { what: 'diff across Good Friday + weekend + Tiradentes, ending 09:00', kind: 'diff', a: '2025-04-17T16:00:00', b: '2025-04-22T09:00:00' },
  { what: 'diff ending on a holiday (Chapecó 25 Aug, Mon)', kind: 'diff', a: '2025-08-22T16:00:00', b: '2025-08-25T10:00:00' },
  { what: 'deadline 2h from 10:00 (lands on 12:00 closing)', kind: 'deadline', a: '2025-03-12T10:00:00', seconds: 7200 },
  { what: 'deadline 4h from inside the lunch break', kind: 'deadline', a: '2025-03-12T12:30:00', seconds: 14400 },
  { what: 'deadline 24h from inside the lunch break (lands on 12:00)', kind: 'deadline', a: '2025-03-12T12:30:00', seconds: 86400 },
  { what: 'deadline 2h from exactly 12:00', kind: 'deadline', a: '2025-03-12T12:00:00', seconds: 7200 },
  { what: 'deadline 4h from exactly 17:30 (lands on 12:00)', kind: 'deadline', a: '2025-03-12T17:30:00', seconds: 14400 },
  { what: 'deadline 4h from Saturday (lands on Mon 12:00)', kind: 'deadline', a: '2025-03-15T10:00:00', seconds: 14400 },
  { what: 'deadline 2h from Thu 17:00 before Good Friday', kind: 'deadline', a: '2025-04-17T17:00:00', seconds: 7200 },
];
function runProbes(cal: BusinessCalendar): number {
  let bad = 0;
  log('\nboundary probes (8x5; ours = scalar businessSeconds/deadline, reference = brute force):');
  for (const p of PROBES) {
    const a = at(p.a);
    let line: string;
    let agree: boolean;
    if (p.kind === 'diff') {
      const b = at(p.b!);
      const ours = businessSeconds(cal, a, b);
      const peer = peerDiff(a, b) / 1000;
      const r = refBusinessMs(a, b) / 1000;
      agree = Math.abs(ours - peer) <= TOL_S;
      line = `${fmt(a)} → ${fmt(b)}: ours ${hms(ours)}, peer ${hms(peer)}, reference ${hms(r)}`;
      if (!agree) line += Math.abs(ours - r) <= TOL_S ? ' → ours is right' : Math.abs(peer - r) <= TOL_S ? ' → PEER is right' : ' → neither';
    } else {
      const ours = deadline(cal, a, p.seconds!).getTime();
      const peer = M(a).addWorkingTime(p.seconds! * 1000, 'milliseconds').valueOf() as number;
      const r = refDeadline(a, p.seconds! * 1000);
      agree = Math.abs(ours - peer) <= TOL_S * 1000;
      line = `${fmt(a)} + ${hms(p.seconds!)}: ours ${fmt(ours)}, peer ${fmt(peer)}, reference ${fmt(r)}`;
      if (!agree) line += Math.abs(ours - r) <= TOL_S * 1000 ? ' → ours is right' : Math.abs(peer - r) <= TOL_S * 1000 ? ' → PEER is right' : ' → neither';
    }
    if (!agree) bad++;
    log(`  ${agree ? 'agree   ' : 'DISAGREE'} ${p.what}: ${line}`);
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
function main(): void {
  const g0 = performance.now();
  const tickets = generate(policy, N, SEED);
  const timestamps = 3 * N + 2 * tickets.pauseStart.length;
  log(
    `generated ${N.toLocaleString('en')} tickets (${tickets.groupStart.map((v, g) => (g ? v - tickets.groupStart[g - 1]! : 0)).slice(1).join(' 8x5 / ')} 24x7), ` +
      `${tickets.pauseStart.length.toLocaleString('en')} pauses, ${timestamps.toLocaleString('en')} timestamps in ` +
      `${((performance.now() - g0) / 1000).toFixed(2)} s (not timed)`,
  );

  const { out, scratch } = allocate(tickets);
  const cold = compute(calendars, SOLUTION_MS, tickets, out, scratch);
  log(
    `ours, cold (includes building the 8x5 interval table and JIT warm-up): ${cold.total.toFixed(3)} s ` +
      `[8x5 ${cold.perGroup[0]!.toFixed(3)} s, 24x7 ${cold.perGroup[1]!.toFixed(3)} s] → ${Math.round(N / cold.total).toLocaleString('en')} tickets/s`,
  );
  for (let w = 0; w < WARM; w++) {
    const warm = compute(calendars, SOLUTION_MS, tickets, out, scratch);
    log(`ours, warm run ${w + 1}: ${warm.total.toFixed(3)} s [8x5 ${warm.perGroup[0]!.toFixed(3)} s, 24x7 ${warm.perGroup[1]!.toFixed(3)} s]`);
  }
  const computeS = cold.total;
  const oursRate = N / computeS;

  // Peer.
  const tzOk = new Date(Date.parse('2025-06-01T12:00:00Z')).getTimezoneOffset() === 180;
  if (!tzOk) throw new Error('run with TZ=America/Sao_Paulo (npm run bench:calendar): the peer works in process-local time');
  const peerTimes: Record<Group, { n: number; seconds: number }> = {} as never;
  let disagreements = 0;
  let samplesTotal = 0;
  for (let g = 0; g < GROUPS.length; g++) {
    const group = GROUPS[g]!;
    configurePeer(group);
    const idx = sampleIndices(tickets.groupStart[g]!, tickets.groupStart[g + 1]!, SAMPLE, SEED + 17 + g);
    const { rows, seconds } = runPeer(tickets, idx);
    peerTimes[group] = { n: idx.length, seconds };
    samplesTotal += idx.length;
    const c = classify(group, tickets, out, rows, calendars.get(group)!);
    disagreements += c.tickets;
    log(
      `\npeer (moment-business-time) on ${idx.length.toLocaleString('en')} ${group} tickets: ${seconds.toFixed(2)} s → ` +
        `${Math.round(idx.length / seconds).toLocaleString('en')} tickets/s; disagreements (> ${TOL_S} s in any quantity): ` +
        `${c.tickets} tickets (first response ${c.perQuantity.firstResponse}, solution ${c.perQuantity.solution}, deadline ${c.perQuantity.deadline}); ` +
        `verdicts per disagreeing quantity vs the brute-force reference: ours right ${c.verdicts.ours}, peer right ${c.verdicts.peer}, neither ${c.verdicts.neither}`,
    );
    for (const [kind, k] of [...c.kinds].sort((x, y) => y[1].count - x[1].count)) {
      log(`  • ${kind}: ${k.count}\n      e.g. ${k.example}`);
    }
    if (group === '8x5') {
      const bad = runProbes(calendars.get(group)!);
      log(`  probes: ${bad} of ${PROBES.length} disagree (not counted in "disagreements", which is the random sample only)`);
    }
  }

  // Like-for-like rates: per-ticket peer cost on each calendar, weighted by our 50/50 mix.
  const sizes = GROUPS.map((_, g) => tickets.groupStart[g + 1]! - tickets.groupStart[g]!);
  const peerSecondsPerTicket = GROUPS.map((g) => peerTimes[g].seconds / peerTimes[g].n);
  const peerMixed = N / sizes.reduce((acc, n, g) => acc + n * peerSecondsPerTicket[g]!, 0);
  const ratio = oursRate / peerMixed;
  const ours8 = sizes[0]! / cold.perGroup[0]!;
  const peer8 = 1 / peerSecondsPerTicket[0]!;
  log(
    `\nours: ${N.toLocaleString('en')} tickets in ${computeS.toFixed(3)} s = ${Math.round(oursRate).toLocaleString('en')} tickets/s; ` +
      `peer on the same 50/50 mix: ${Math.round(peerMixed).toLocaleString('en')} tickets/s; ratio ${Math.round(ratio).toLocaleString('en')}×`,
  );
  log(
    `8x5 only: ours ${Math.round(ours8).toLocaleString('en')} tickets/s vs peer ${Math.round(peer8).toLocaleString('en')} tickets/s = ${Math.round(ours8 / peer8).toLocaleString('en')}×; ` +
      `24x7 only: ours ${Math.round(sizes[1]! / cold.perGroup[1]!).toLocaleString('en')} vs peer ${Math.round(1 / peerSecondsPerTicket[1]!).toLocaleString('en')} tickets/s`,
  );
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  log(`peak RSS ${peakRssMb.toFixed(1)} MB (whole process: generation, ours, peer); samples checked ${samplesTotal.toLocaleString('en')}`);
  log(
    `targets: compute < 0.5 s ${computeS < 0.5 ? 'MET' : 'MISSED'}; ≥ 1000× peer ${ratio >= 1000 ? 'MET' : 'MISSED'}; RSS < 400 MB ${peakRssMb < 400 ? 'MET' : 'MISSED'}`,
  );

  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      tickets: N,
      compute_s: r3(computeS),
      tickets_per_s: Math.round(oursRate),
      peer_tickets_per_s: Math.round(peerMixed),
      ratio: Math.round(ratio),
      disagreements,
      peak_rss_mb: Math.round(peakRssMb * 10) / 10,
    }),
  );
}

main();
