import type { Severity } from '../policy/policySchema.js';
import { type DemoClock, HOUR, MINUTE } from './DemoClock.js';
import type { Category, TicketPlan } from './planDemoTickets.js';
import type { Random } from './Random.js';
import { drawRating, writeSurveyComment } from './writeSurveyComment.js';

/** A canonical event (DESIGN.md §2) as the demo writes it: `at` in UTC, whole seconds. */
export interface DemoEvent {
  id: string;
  ticket: string;
  at: string;
  type: string;
  [field: string]: unknown;
}

/** First response as a share of its target (median), by severity. */
const RESPONSE_MEDIAN: Record<Severity, number> = { urgente: 0.3, alta: 0.28, media: 0.2, baixa: 0.16 };

/** Work until the solution as a share of its target (median), by what the ticket turned out to be. */
const EFFORT_MEDIAN: Record<Category, number> = {
  analise_de_ambiente: 0.38, cortesia: 0.04, duvida_explicita: 0.06, duvida_tacita: 0.1, erro: 0.28,
  exigencia_legal: 0.45, falta_de_retorno: 0.15, incidente: 0.33, outras_ferramentas: 0.22, servicos: 0.27,
  sistemas_terceiros: 0.42, sugestao: 0.12,
};

/** Chance of each number of waits on the customer (0, 1, 2, 3), by category. */
const PAUSES: Partial<Record<Category, readonly (readonly [number, number])[]>> = {
  servicos: [[0, 40], [1, 40], [2, 15], [3, 5]],
  analise_de_ambiente: [[0, 35], [1, 40], [2, 18], [3, 7]],
  cortesia: [[0, 95], [1, 5]],
  duvida_explicita: [[0, 80], [1, 18], [2, 2]],
};
const DEFAULT_PAUSES = [[0, 55], [1, 32], [2, 10], [3, 3]] as const;

const QUICK_HOURS = [0.5, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 4] as const;
const QUICK_HOURS_OVER = [4.5, 5, 6, 8] as const;

/** The events of one ticket in the order they happen, each at least a second after the one before. */
class TicketEvents {
  readonly list: DemoEvent[] = [];
  private last = -Infinity;

  constructor(private readonly ticket: string) {}

  add(at: number, type: string, fields: Record<string, unknown> = {}): number {
    const t = Math.max(Math.round(at / 1000) * 1000, this.last + 1000);
    this.last = t;
    this.list.push({ id: `${this.ticket}-${this.list.length + 1}`, ticket: this.ticket, at: isoSeconds(t), type, ...fields });
    return t;
  }
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Tells one ticket's story as events: opened, assigned, first answer, work with waits on the
 * customer (and a Serviço Rápido quote on some), resolvido, the approval (sim, não then more work,
 * or silence and the automatic close), and the survey. Events after `clock.now` are not
 * returned: the ticket is still open, with the story cut where "now" finds it.
 */
export function simulateTicket(ticket: string, plan: TicketPlan, clock: DemoClock, random: Random): DemoEvent[] {
  const ev = new TicketEvents(ticket);
  const { client, analyst, initialSeverity: sev0, severity: sev } = plan;
  const pressure = clock.pressure[clock.dayIndexOf(plan.opened)]!;
  const opened = ev.add(plan.opened, 'ticket.opened', {
    severity: sev0, client: client.name, requester: plan.requester, channel: plan.channel, ...(plan.gut ? { gut: plan.gut } : {}),
  });

  const responseMs = clock.target(sev0, 'firstResponse') * 1000 * random.logNormal(RESPONSE_MEDIAN[sev0], 0.85) * pressure * Math.sqrt(analyst.speed);
  const firstResponse = clock.work(sev0, opened, Math.max(MINUTE, responseMs));
  ev.add(Math.min(firstResponse, clock.work(sev0, opened, random.between(1, 12) * MINUTE)), 'ticket.assigned', { analyst: analyst.name });
  // A phone call answers by itself: the analyst only moves the ticket on.
  if (plan.channel !== 'telefone' || random.chance(0.5)) ev.add(firstResponse, 'ticket.replied', { by: 'analyst', actor: analyst.name });
  let t = ev.add(firstResponse, 'ticket.status_changed', { status: 'em_atendimento' });
  if (sev !== sev0) t = ev.add(t + random.between(3, 40) * MINUTE, 'ticket.severity_changed', { severity: sev });

  if (plan.cancelled) {
    t = ev.add(customerAnswer(clock, random, sev, t, plan.client.slowness), 'ticket.replied', { by: 'customer' });
    ev.add(t + random.between(2, 30) * MINUTE, 'ticket.status_changed', { status: 'fechado', reason: 'manual' });
    return cutAtNow(ev.list, clock.now);
  }

  const solutionMs = clock.target(sev, 'solution') * 1000;
  let work = Math.max(5 * MINUTE, solutionMs * random.logNormal(EFFORT_MEDIAN[plan.category], 0.8) * analyst.speed * pressure);
  if (plan.stuck) work *= random.between(6, 14);
  const breached = responseMs + work > solutionMs;
  t = workWithWaits(ev, plan, clock, random, t, work);

  const story = approveAndClose(ev, plan, clock, random, t, work);
  if (story.closedAt !== undefined) answerSurvey(ev, plan, clock, random, story.closedAt, { breached, ...story });
  return cutAtNow(ev.list, clock.now);
}

/** The work in segments, each followed by a wait on the customer; returns when resolvido. */
function workWithWaits(ev: TicketEvents, plan: TicketPlan, clock: DemoClock, random: Random, start: number, work: number): number {
  const { severity: sev, analyst, client } = plan;
  const waits: ('question' | 'quote' | 'silence')[] = Array.from({ length: random.weighted(PAUSES[plan.category] ?? DEFAULT_PAUSES) }, () => 'question');
  if (plan.quickService) waits.splice(random.int(0, waits.length), 0, 'quote');
  if (plan.vanishes) waits.push('silence');
  const shares = waits.map(() => random.between(0.2, 1));
  shares.push(random.between(0.3, 1));
  const sum = shares.reduce((a, b) => a + b, 0);
  let t = start;
  let extra = 0;
  for (let k = 0; k < waits.length; k++) {
    t = clock.work(sev, t, (work * shares[k]!) / sum + extra);
    extra = 0;
    const wait = waits[k]!;
    if (wait === 'quote') {
      const hours = random.chance(0.92) ? random.pick(QUICK_HOURS) : random.pick(QUICK_HOURS_OVER);
      const quote = { hours, hourly_rate: client.hourlyRate };
      ev.add(t, 'quick_service.proposed', quote);
      t = ev.add(t, 'ticket.status_changed', { status: 'aguardando_cliente' });
      const accepted = random.chance(0.72);
      t = ev.add(clock.customer(t, random.logNormal(4 * HOUR, 1) * client.slowness), accepted ? 'quick_service.accepted' : 'quick_service.declined', quote);
      t = ev.add(t, 'ticket.status_changed', { status: 'em_atendimento' });
      if (accepted) extra = hours * HOUR * 0.5;
      continue;
    }
    ev.add(t, 'ticket.replied', { by: 'analyst', actor: analyst.name });
    t = ev.add(t, 'ticket.status_changed', { status: 'aguardando_cliente' });
    if (wait === 'silence') {
      // A reminder, no answer: the analyst closes the loop as falta_de_retorno.
      ev.add(clock.businessDaysLater(t, 1), 'ticket.replied', { by: 'analyst', actor: analyst.name });
      return clock.businessDaysLater(t, 3);
    }
    t = ev.add(customerAnswer(clock, random, sev, t, client.slowness), 'ticket.replied', { by: 'customer' });
    t = ev.add(t + random.between(1, 20) * MINUTE, 'ticket.status_changed', { status: 'em_atendimento' });
  }
  return clock.work(sev, t, (work * shares[waits.length]!) / sum + extra);
}

/** Customers of an urgent problem answer at any hour; the others in business hours. */
function customerAnswer(clock: DemoClock, random: Random, sev: Severity, t: number, slowness: number): number {
  if (clock.calendarOf(sev).kind === 'always') return clock.work(sev, t, random.logNormal(25 * MINUTE, 1) * slowness);
  return clock.customer(t, random.logNormal(3 * HOUR, 1.2) * slowness);
}

interface Closing {
  closedAt?: number;
  rejected: boolean;
  autoClosed: boolean;
}

/** resolvido, then the customer's answer: sim closes, não reopens (more work), silence auto-closes. */
function approveAndClose(ev: TicketEvents, plan: TicketPlan, clock: DemoClock, random: Random, at: number, work: number): Closing {
  const { severity: sev, analyst, client } = plan;
  let t = at;
  let rejected = false;
  for (let round = 0; ; round++) {
    if (round === 0) ev.add(t, 'ticket.categorized', { category: plan.category });
    if (!plan.vanishes && random.chance(0.7)) ev.add(t, 'ticket.replied', { by: 'analyst', actor: analyst.name });
    const resolved = ev.add(t, 'ticket.status_changed', { status: 'resolvido' });
    const due = clock.autoCloseAt(resolved);
    const silence = round === 0 ? 0.16 * Math.sqrt(client.slowness) : 0.3;
    const nao = round === 0 ? 0.075 : round === 1 ? 0.03 : 0;
    const r = random.float();
    if (plan.vanishes || r < silence) {
      t = ev.add(due + random.int(0, 240) * 1000, 'ticket.status_changed', { status: 'fechado', reason: 'auto' });
      return { closedAt: t, rejected, autoClosed: true };
    }
    let answer = clock.customer(resolved, random.logNormal(2.5 * HOUR, 1.1) * client.slowness);
    if (answer >= due) answer = resolved + (due - resolved) * random.between(0.2, 0.9);
    if (r < silence + nao) {
      rejected = true;
      ev.add(answer, 'ticket.replied', { by: 'customer' });
      ev.add(answer, 'ticket.approval', { answer: 'nao' });
      t = ev.add(answer, 'ticket.status_changed', { status: 'em_atendimento' });
      t = clock.work(sev, t, work * random.between(0.15, 0.5));
      continue;
    }
    ev.add(answer, 'ticket.approval', { answer: 'sim' });
    t = ev.add(answer, 'ticket.status_changed', { status: 'fechado', reason: 'approved' });
    return { closedAt: t, rejected, autoClosed: false };
  }
}

/** About two in five customers answer the survey after fechado; fewer after an automatic close. */
function answerSurvey(ev: TicketEvents, plan: TicketPlan, clock: DemoClock, random: Random, closed: number, story: Omit<Closing, 'closedAt'> & { breached: boolean }): void {
  if (!random.chance(story.autoClosed ? 0.3 : 0.44)) return;
  const rating = drawRating(random, story, plan.client.grumpiness);
  const comment = writeSurveyComment(random, rating, { ...story, analyst: plan.analyst.firstName, category: plan.category });
  ev.add(clock.customer(closed, random.logNormal(90 * MINUTE, 1.3)), 'survey.answered', comment === undefined ? { rating } : { rating, comment });
}

function cutAtNow(events: DemoEvent[], now: number): DemoEvent[] {
  let n = events.length;
  while (n > 0 && Date.parse(events[n - 1]!.at) > now) n--;
  return n === events.length ? events : events.slice(0, n);
}
