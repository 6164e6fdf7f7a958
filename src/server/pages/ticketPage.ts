import type { Context } from 'hono';
import { html } from 'hono/html';
import { explainTicket, type TicketExplanation, UnknownTicketError } from '../../metrics/explainTicket.js';
import type { TimelineSegment } from '../../metrics/sla/buildTimeline.js';
import { type Lang, type MessageKey, MESSAGES, translate } from '../i18n/messages.js';
import { formatInstant, formatSeconds, formatValue } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { listTicketEvents, type TicketEvent } from '../routes/listOpenTickets.js';
import { type PageContext, type PageOptions, pageContext } from './pageContext.js';
import { type Html, renderLayout, renderTable } from './renderLayout.js';
import { labelValue } from '../i18n/labelValue.js';

const WIDTH = 1000;

/**
 * Why a segment counts, pauses or stops, in words (buildTimeline's reasons): a status, a pause
 * (`fechado_ate_reabertura`, `aguardando_aprovacao`), or what closes the calendar — `weekend`,
 * `holiday: <name>`, `outside_business_hours` — several joined by ", ". A part it does not know is
 * shown as it is.
 */
export function labelSegmentReason(lang: Lang, reason: string): string {
  return reason
    .split(', ')
    .map((part) => {
      if (part.startsWith('holiday: ')) return `${translate(lang, 'segment.holiday')}: ${part.slice('holiday: '.length)}`;
      const key = `segment.${part}`;
      if (key in MESSAGES.pt) return translate(lang, key as MessageKey);
      return labelValue(lang, 'status', part);
    })
    .join(', ');
}

const BAR_Y = 18;
const BAR_H = 28;

/**
 * The explained timeline as one horizontal bar: counting, paused and outside-hours segments in
 * proportion to wall-clock time, the solution deadline as a red line (the bar extends to it when
 * it lies after the end). Each segment has a <title> (hover) with its span and reason.
 */
export function renderTimelineSvg(lang: Lang, timeline: TimelineSegment[], deadline: string | null, labels: Record<string, string>): Html {
  if (timeline.length === 0) return html``;
  const start = Date.parse(timeline[0]!.from);
  const endOfLife = Date.parse(timeline.at(-1)!.to);
  const deadlineMs = deadline ? Date.parse(deadline) : NaN;
  const end = Math.max(endOfLife, Number.isFinite(deadlineMs) ? deadlineMs : endOfLife, start + 1);
  const x = (ms: number) => ((ms - start) / (end - start)) * WIDTH;
  const segments = timeline.map((s) => {
    const x0 = x(Date.parse(s.from));
    const w = Math.max(0.5, x(Date.parse(s.to)) - x0);
    const tip = `${labels[s.state] ?? s.state}: ${formatInstant(lang, s.from)} – ${formatInstant(lang, s.to)} (${labelSegmentReason(lang, s.reason)}; ${formatSeconds(s.business_seconds)})`;
    return html`<rect class="${s.state}" x="${x0.toFixed(2)}" y="${BAR_Y}" width="${w.toFixed(2)}" height="${BAR_H}"><title>${tip}</title></rect>`;
  });
  const marker = Number.isFinite(deadlineMs)
    ? html`<line class="deadline" x1="${x(deadlineMs).toFixed(2)}" x2="${x(deadlineMs).toFixed(2)}" y1="6" y2="${BAR_Y + BAR_H + 6}"><title>${labels.deadline}: ${formatInstant(lang, deadline)}</title></line>
        <text x="${Math.min(x(deadlineMs), WIDTH - 4).toFixed(2)}" y="${BAR_Y + BAR_H + 20}" text-anchor="${x(deadlineMs) > WIDTH * 0.8 ? 'end' : 'middle'}">${labels.deadline}</text>`
    : '';
  return html`<div class="timeline-wrap"><svg class="timeline" viewBox="0 0 ${WIDTH} ${BAR_Y + BAR_H + 26}" role="img" aria-label="${labels.title}" preserveAspectRatio="none">
    ${segments}
    ${marker}
    <text x="0" y="12">${formatInstant(lang, timeline[0]!.from)}</text>
    <text x="${WIDTH}" y="12" text-anchor="end">${formatInstant(lang, new Date(end).toISOString())}</text>
  </svg></div>`;
}

/**
 * The ticket's SLA as ticket_sla has it: an open ticket's state (no prazo, em risco, violado);
 * once resolved (no state), whether the solution met its target (solution_met), else "–".
 */
function slaLabel(ctx: PageContext, e: TicketExplanation): string {
  if (e.state) return ctx.t(`state.${e.state as 'on_track' | 'at_risk' | 'breached'}`);
  if (e.solution_met === true) return ctx.t('state.met');
  if (e.solution_met === false) return ctx.t('state.breached');
  return '–';
}

/**
 * An event's fields in words, joined by " · ": status, severity, analyst, category, who replied,
 * the approval's answer, why it closed, a Serviço Rápido's hours and rate.
 */
function describeEvent(lang: Lang, e: TicketEvent): string {
  const answer = e.answer === 'sim' ? translate(lang, 'yes') : e.answer === 'nao' ? translate(lang, 'no') : e.answer;
  return [
    e.status && labelValue(lang, 'status', e.status),
    e.severity && labelValue(lang, 'severity', e.severity),
    e.analyst,
    e.category && labelValue(lang, 'category', e.category),
    e.by_role && labelValue(lang, 'by', e.by_role),
    answer,
    e.reason && labelValue(lang, 'reason', e.reason),
    e.hours !== null && formatValue(lang, e.hours, 'hours'),
    e.hourly_rate !== null && `${formatValue(lang, e.hourly_rate, 'currency')}/h`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function renderFacts(ctx: PageContext, e: TicketExplanation): Html {
  const fact = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value === null || value === undefined ? '–' : String(value)}</dd>`;
  return html`<dl class="facts">
    ${fact(ctx.t('col.client'), e.client)}
    ${fact(ctx.t('col.analyst'), e.analyst)}
    ${fact(ctx.t('col.severity'), labelValue(ctx.lang, 'severity', e.severity as string | null))}
    ${fact(ctx.t('col.calendar'), e.calendar)}
    ${fact(ctx.t('col.status'), labelValue(ctx.lang, 'status', e.status as string | null))}
    ${fact(ctx.t('col.sla'), slaLabel(ctx, e))}
    ${fact(ctx.t('col.opened'), formatInstant(ctx.lang, e.opened_at as string))}
    ${fact(ctx.t('col.response'), `${formatSeconds(e.response_seconds as number)} / ${formatSeconds(e.response_target_seconds as number)}`)}
    ${fact(ctx.t('col.solution'), `${formatSeconds((e.solution_seconds ?? e.consumed_seconds) as number)} / ${formatSeconds(e.solution_target_seconds as number)}`)}
    ${fact(ctx.t('ticket.paused'), formatSeconds(e.paused_seconds as number))}
    ${fact(ctx.t('ticket.deadline'), formatInstant(ctx.lang, e.solution_deadline as string))}
  </dl>`;
}

/** `/tickets/:id`: the ticket's SLA facts, its timeline bar with the deadline, its segments and its events. */
export async function renderTicketPage(c: Context<ServerEnv>, { db, policy, now }: PageOptions) {
  const ctx = pageContext(c);
  const id = c.req.param('id')!;
  let explanation: TicketExplanation;
  try {
    explanation = await explainTicket(db, policy, id, { now: now() });
  } catch (error) {
    if (!(error instanceof UnknownTicketError)) throw error;
    const body = html`<p class="empty">${ctx.t('ticket.not_found')}: ${id}</p>`;
    return c.html(renderLayout(ctx.layout({ title: `${ctx.t('ticket.title')} ${id}`, body })), 404);
  }
  const events = await listTicketEvents(db, id);
  const labels = {
    counting: ctx.t('ticket.counting'),
    paused: ctx.t('ticket.paused'),
    outside_hours: ctx.t('ticket.outside_hours'),
    deadline: ctx.t('ticket.deadline'),
    title: ctx.t('ticket.timeline'),
  };
  const segmentRows = explanation.timeline.map((s) => [
    labels[s.state],
    formatInstant(ctx.lang, s.from),
    formatInstant(ctx.lang, s.to),
    labelSegmentReason(ctx.lang, s.reason),
    formatSeconds(s.business_seconds),
  ]);
  const eventRows = events.map((e) => [formatInstant(ctx.lang, e.occurred_at), labelValue(ctx.lang, 'event', e.type), describeEvent(ctx.lang, e)]);
  const body = html`${renderFacts(ctx, explanation)}
    <h2>${ctx.t('ticket.timeline')}</h2>
    <ul class="legend">
      <li><span class="counting"></span>${labels.counting}</li>
      <li><span class="paused"></span>${labels.paused}</li>
      <li><span class="outside_hours"></span>${labels.outside_hours}</li>
      <li><span class="deadline"></span>${labels.deadline}</li>
    </ul>
    ${renderTimelineSvg(ctx.lang, explanation.timeline, (explanation.solution_deadline as string | null) ?? null, labels)}
    <details><summary>${ctx.t('chart.table')}</summary>
      ${renderTable([ctx.t('col.state'), ctx.t('filter.from'), ctx.t('filter.to'), ctx.t('col.detail'), 'h'], segmentRows, ctx.t('chart.no_data'))}
    </details>
    <h2>${ctx.t('ticket.events')}</h2>
    ${renderTable([ctx.t('col.when'), ctx.t('col.type'), ctx.t('col.detail')], eventRows, ctx.t('chart.no_data'))}`;
  return c.html(renderLayout(ctx.layout({ title: `${ctx.t('ticket.title')} ${id}`, body })));
}
