import type { Severity } from '../policy/policySchema.js';
import type { Analyst, Channel, Client, DemoCast } from './createDemoCast.js';
import { type DemoClock, type DemoDay, HOUR, MINUTE } from './DemoClock.js';
import type { Random } from './Random.js';

export type Category =
  | 'analise_de_ambiente' | 'cortesia' | 'duvida_explicita' | 'duvida_tacita' | 'erro' | 'exigencia_legal'
  | 'falta_de_retorno' | 'incidente' | 'outras_ferramentas' | 'servicos' | 'sistemas_terceiros' | 'sugestao';

/** Who, what and when of one ticket, decided before its story is told (simulateTicket). */
export interface TicketPlan {
  opened: number;
  client: Client;
  requester: string;
  channel: Channel;
  gut?: { g: number; u: number; t: number };
  /** Severity at opening, and after the analyst's review (different on a few tickets). */
  initialSeverity: Severity;
  severity: Severity;
  category: Category;
  analyst: Analyst;
  /** Hard tickets that drag on for weeks (the old part of the backlog). */
  stuck: boolean;
  /** The customer stops answering: resolved as falta_de_retorno, then closed automatically. */
  vanishes: boolean;
  /** Cancelled by the customer: closed (manual) without a resolvido. */
  cancelled: boolean;
  quickService: boolean;
}

type Weights<T> = readonly (readonly [T, number])[];

const SEVERITY_IN_HOURS: Weights<Severity> = [['urgente', 2.5], ['alta', 11], ['media', 46], ['baixa', 40.5]];
const SEVERITY_OFF_HOURS: Weights<Severity> = [['urgente', 16], ['alta', 30], ['media', 34], ['baixa', 20]];

/** Closing categories by severity: incidents are urgent, questions and requests are not. */
const CATEGORY_BY_SEVERITY: Record<Severity, Weights<Category>> = {
  urgente: [['incidente', 60], ['erro', 18], ['sistemas_terceiros', 12], ['analise_de_ambiente', 8], ['servicos', 2]],
  alta: [
    ['incidente', 28], ['erro', 25], ['analise_de_ambiente', 15], ['sistemas_terceiros', 13], ['servicos', 10],
    ['outras_ferramentas', 6], ['falta_de_retorno', 3],
  ],
  media: [
    ['erro', 24], ['servicos', 22], ['duvida_explicita', 14], ['analise_de_ambiente', 10], ['outras_ferramentas', 8],
    ['sistemas_terceiros', 7], ['duvida_tacita', 6], ['incidente', 4], ['falta_de_retorno', 3], ['sugestao', 1],
    ['cortesia', 1], ['exigencia_legal', 0.5],
  ],
  baixa: [
    ['duvida_explicita', 28], ['servicos', 22], ['duvida_tacita', 12], ['erro', 10], ['cortesia', 6],
    ['outras_ferramentas', 6], ['falta_de_retorno', 4], ['sugestao', 5], ['analise_de_ambiente', 3],
    ['sistemas_terceiros', 2], ['exigencia_legal', 1],
  ],
};

/** An analyst re-rates a few tickets after looking at them. */
const RESEVERITY: Record<Severity, Weights<Severity>> = {
  urgente: [['alta', 1]],
  alta: [['urgente', 4], ['media', 6]],
  media: [['alta', 1]],
  baixa: [['media', 1]],
};

/** Gravidade and urgência by severity (tendência varies freely). */
const GUT_LEVEL: Record<Severity, [number, number]> = { urgente: [4, 5], alta: [3, 5], media: [2, 4], baixa: [1, 3] };

/** Every ticket of the year, in opening order: ordinary days plus a few bursts. */
export function planDemoTickets(count: number, cast: DemoCast, clock: DemoClock, random: Random): TicketPlan[] {
  const plans = planBursts(Math.floor(count * 0.006), cast, clock, random);
  while (plans.length < count) plans.push(planOrdinary(cast, clock, random));
  return plans.sort((a, b) => a.opened - b.opened);
}

function planOrdinary(cast: DemoCast, clock: DemoClock, random: Random): TicketPlan {
  let opened: number;
  let day: DemoDay;
  do {
    day = clock.days[clock.dayTable.draw(random)]!;
    opened = drawTimeOfDay(day, random);
  } while (opened < clock.from || opened > clock.now);
  const inHours = day.open.some((w) => opened >= w.from && opened < w.to);
  const severity = random.weighted(inHours ? SEVERITY_IN_HOURS : SEVERITY_OFF_HOURS);
  const client = cast.clientTable.draw(random);
  return makePlan(random, cast, clock, { opened, severity, client, inHours });
}

/**
 * Days everyone remembers: the state's NF-e authoriser down for a morning (many clients at once,
 * sistemas_terceiros) and a client's server room going dark (one client, incidente, urgente).
 */
function planBursts(count: number, cast: DemoCast, clock: DemoClock, random: Random): TicketPlan[] {
  const plans: TicketPlan[] = [];
  const businessDays = clock.days.filter((d) => d.open.length > 0);
  while (plans.length < count) {
    const day = random.pick(businessDays);
    const start = day.open[0]!.from + random.between(0.5, 2) * HOUR;
    const outage = random.chance(0.5);
    const client = cast.clientTable.draw(random);
    const size = Math.min(count - plans.length, outage ? random.int(5, 9) : random.int(12, 25));
    for (let k = 0; k < size; k++) {
      const opened = Math.max(clock.from, Math.min(clock.now, Math.round(start + random.logNormal(40, 0.8) * MINUTE)));
      const plan = makePlan(random, cast, clock, {
        opened,
        severity: outage ? 'urgente' : random.chance(0.4) ? 'alta' : 'media',
        client: outage ? client : cast.clientTable.draw(random),
        inHours: true,
      });
      plan.category = outage ? (random.chance(0.8) ? 'incidente' : 'analise_de_ambiente') : 'sistemas_terceiros';
      plan.channel = random.chance(0.6) ? 'telefone' : 'whatsapp';
      plans.push(plan);
    }
  }
  return plans;
}

interface Opening {
  opened: number;
  severity: Severity;
  client: Client;
  inHours: boolean;
}

function makePlan(random: Random, cast: DemoCast, clock: DemoClock, o: Opening): TicketPlan {
  const { client, severity } = o;
  const reRated = random.chance(0.03);
  const final = reRated ? random.weighted(RESEVERITY[severity]) : severity;
  let channel = client.channels.draw(random);
  if (severity === 'urgente' && random.chance(0.5)) channel = 'telefone';
  const vanishes = random.chance(0.025);
  const category = vanishes ? 'falta_de_retorno' : random.weighted(CATEGORY_BY_SEVERITY[final]);
  const recent = clock.now - o.opened < 60 * 24 * HOUR;
  return {
    opened: o.opened,
    client,
    requester: random.pick(client.requesters),
    channel,
    gut: client.recordsGut && (channel === 'portal' || random.chance(0.25)) ? drawGut(random, severity) : undefined,
    initialSeverity: severity,
    severity: final,
    category,
    analyst: pickAnalyst(random, cast, clock.dayIndexOf(o.opened), client, !o.inHours && (final === 'urgente' || final === 'alta')),
    stuck: recent && random.chance(0.012),
    vanishes,
    cancelled: !vanishes && random.chance(0.005),
    quickService: category === 'servicos' ? random.chance(0.14) : random.chance(0.008),
  };
}

/** Mostly within open hours; some just before or after them, a few at night. Closed days: daytime mostly. */
function drawTimeOfDay(day: DemoDay, random: Random): number {
  const at = (hours: number) => Math.round(day.start + hours * HOUR);
  if (day.open.length === 0) return random.chance(0.8) ? at(random.between(8, 20)) : at(random.between(0, 24));
  const r = random.float();
  if (r < 0.88) {
    const total = day.open.reduce((sum, w) => sum + (w.to - w.from), 0);
    let offset = random.float() * total;
    for (const w of day.open) {
      if (offset < w.to - w.from) return Math.round(w.from + offset);
      offset -= w.to - w.from;
    }
  }
  if (r < 0.97) return at(random.pick([random.between(7, 8), random.between(12, 13.5), random.between(17.5, 19.5)]));
  return at(random.chance(0.5) ? random.between(19.5, 24) : random.between(0, 7));
}

function drawGut(random: Random, severity: Severity) {
  const [lo, hi] = GUT_LEVEL[severity];
  return { g: random.int(lo, hi), u: random.int(lo, hi), t: random.int(1, 5) };
}

/** On call outside hours for urgent work; otherwise the client's usual analyst or anyone at work. */
function pickAnalyst(random: Random, cast: DemoCast, day: number, client: Client, onCall: boolean): Analyst {
  const atWork = (a: Analyst) => day >= a.from && day < a.to && (day < a.vacation || day >= a.vacation + 14);
  const owner = cast.analysts[client.owner]!;
  if (!onCall && atWork(owner) && random.chance(0.3)) return owner;
  const candidates = cast.analysts.filter((a) => atWork(a) && (!onCall || a.onCall));
  const pool = candidates.length > 0 ? candidates : cast.analysts;
  return random.weighted(pool.map((a) => [a, a.weight] as const));
}
