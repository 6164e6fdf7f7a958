import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import { AccessError } from '../../access/roles.js';
import {
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  claimFollowUp,
  closeFollowUp,
  FOLLOW_UP_ACTORS,
  recordContact,
} from '../../metrics/satisfaction/changeFollowUp.js';
import {
  decodeFollowUpCursor,
  encodeFollowUpCursor,
  type FollowUpCursor,
  type FollowUpRow,
  listFollowUpPage,
} from '../../metrics/satisfaction/listFollowUps.js';
import { ANSWER_READERS, listSurveyAnswers } from '../../metrics/satisfaction/listSurveyAnswers.js';
import { requireRole } from '../auth/guards.js';
import { listUsers } from '../auth/users.js';
import { labelValue } from '../i18n/labelValue.js';
import { formatInstant, TIME_ZONE } from '../i18n/resolveLang.js';
import { callerOf, type ServerEnv } from '../routes/callerOf.js';
import { CHART_SCRIPTS } from '../routes/createAssetRoutes.js';
import { DEFAULT_MIN_GROUP_SIZE, protectsAggregates } from '../../metrics/satisfaction/accessSatisfaction.js';
import { codeMessage, formText, type PageContext, type PageOptions, pageContext, readPageFilters, renderFilterForm } from './pageContext.js';
import { loadDashboard, queryDashboard, renderPanels } from './renderDashboard.js';
import { csrfInput, type Html, renderLayout, renderTable, withQuery } from './renderLayout.js';
import { type MessageKey, MESSAGES } from '../i18n/messages.js';

/** Follow-ups per page of the queue; "Mais antigos →" shows the next ones. */
export const FOLLOW_UP_ROWS = 200;

/**
 * The page's query string without an action's message (refusal or notice): the forms carry it
 * (`back`) so their redirect returns to the same page of the queue, with the same filters and language.
 */
function pageState(ctx: PageContext): string {
  const params = new URL(ctx.url, 'http://x').searchParams;
  params.delete('problem');
  params.delete('ok');
  return params.toString();
}

/** A contact's channel and outcome in words; the forms post the codes, which the zone checks. */
const channelLabel = (ctx: PageContext, code: string) => labelOf(ctx, `followup.channel.${code}`, code);
const outcomeLabel = (ctx: PageContext, code: string) => labelOf(ctx, `followup.outcome.${code}`, code);
const labelOf = (ctx: PageContext, key: string, code: string) => (key in MESSAGES.pt ? ctx.t(key as MessageKey) : code);

/** The hidden fields every queue form posts: the CSRF token and the page to come back to. */
const hiddenFields = (ctx: PageContext) =>
  html`${csrfInput(ctx.csrfToken)}<input type="hidden" name="back" value="${pageState(ctx)}" />`;

/** The forms a row offers the user: claim when open; contact and close when it is theirs (an admin: any open claim). */
function renderActions(ctx: PageContext, row: FollowUpRow, hidden: Html): Html | string {
  if (!FOLLOW_UP_ACTORS.includes(ctx.user.role) || row.status === 'closed') return '';
  if (row.follow_up_id === null) {
    return html`<form method="post" action="/satisfacao/followups/claim">${hidden}
      <input type="hidden" name="source" value="${row.answer_source}" /><input type="hidden" name="id" value="${row.answer_id}" />
      <button type="submit">${ctx.t('satisfaction.claim')}</button></form>`;
  }
  if (row.claimed_by !== ctx.user.email && ctx.user.role !== 'admin') return '';
  const now = DateTime.now().setZone(TIME_ZONE).toFormat("yyyy-LL-dd'T'HH:mm");
  return html`<form method="post" action="/satisfacao/followups/${row.follow_up_id}/contact">${hidden}
      <label>${ctx.t('satisfaction.date')}<input type="datetime-local" name="contacted_at" value="${now}" required /></label>
      <label>${ctx.t('satisfaction.channel')}<select name="channel">${CONTACT_CHANNELS.map((c) => html`<option value="${c}">${channelLabel(ctx, c)}</option>`)}</select></label>
      <label>${ctx.t('satisfaction.outcome')}<select name="outcome">${CONTACT_OUTCOMES.map((o) => html`<option value="${o}">${outcomeLabel(ctx, o)}</option>`)}</select></label>
      <label>${ctx.t('satisfaction.note')}<input name="note" maxlength="4000" /></label>
      <button type="submit">${ctx.t('satisfaction.contact')}</button></form>
    <form method="post" action="/satisfacao/followups/${row.follow_up_id}/close">${hidden}
      <label>${ctx.t('satisfaction.resolution')}<input name="resolution" maxlength="4000" /></label>
      <button type="submit">${ctx.t('satisfaction.close')}</button></form>`;
}

/** Links to the queue's first page and to the next page (when there is one), keeping the page's other filters. */
function renderQueuePaging(ctx: PageContext, next: FollowUpCursor | null, paged: boolean): Html | string {
  if (!paged && !next) return '';
  const href = (after: FollowUpCursor | undefined) =>
    `${withQuery(ctx.url, { after: after && encodeFollowUpCursor(after), problem: undefined, ok: undefined })}#queue`;
  return html`<p>${paged ? html`<a href="${href(undefined)}">${ctx.t('satisfaction.newest')}</a>` : ''}
    ${next ? html`<a href="${href(next)}">${ctx.t('satisfaction.older')}</a>` : ''}</p>`;
}

/** The queue's rows; Quem names who claimed a follow-up by the name in `names` (users table, by e-mail), else the e-mail. */
function renderQueue(ctx: PageContext, queue: FollowUpRow[], names: ReadonlyMap<string, string>): Html {
  const hidden = hiddenFields(ctx);
  // Leadership reads the queue's state, never the answers: no comment column at all (it was always empty).
  const comments = ANSWER_READERS.includes(ctx.caller.role);
  const rows = queue.map((r) => [
    html`<a href="/tickets/${encodeURIComponent(r.ticket)}">${r.ticket}</a>`,
    formatInstant(ctx.lang, r.answered_at),
    r.client ?? '–',
    ...(comments ? [r.comment ?? ''] : []),
    ctx.t(`followup.${r.status}`),
    r.claimed_by ? (names.get(r.claimed_by) ?? r.claimed_by) : '–',
    `${r.contacts}${r.last_outcome ? ` · ${outcomeLabel(ctx, r.last_outcome)}` : ''}`,
    html`<div class="followup">${renderActions(ctx, r, hidden)}</div>`,
  ]);
  const headers = [
    ctx.t('col.ticket'),
    ctx.t('col.when'),
    ctx.t('col.client'),
    ...(comments ? [ctx.t('satisfaction.comment')] : []),
    ctx.t('col.status'),
    ctx.t('col.actor'),
    ctx.t('satisfaction.contacts'),
    '',
  ];
  return renderTable(headers, rows, ctx.t('satisfaction.empty'));
}

/**
 * `/satisfacao` (lead and up; every read goes through the satisfaction zone and is audited): CSAT,
 * response rate, distribution and trend; the latest answers with comments; the insatisfeito
 * follow-up queue, with claim / contact / close forms for leads (leadership sees its state),
 * FOLLOW_UP_ROWS at a time (`?after=` a cursor: the next page; text that is not one shows the first
 * page, as Admin ignores a bad `before`).
 */
export async function renderSatisfactionPage(c: Context<ServerEnv>, { db, readMetric, now }: PageOptions) {
  const ctx = pageContext(c);
  const values = await readPageFilters(c, now(), db);
  const afterText = c.req.query('after');
  const after = afterText ? decodeFollowUpCursor(afterText) : undefined;
  const [panels, queue, answers, users] = await Promise.all([
    queryDashboard(readMetric, ctx.caller, loadDashboard('satisfaction'), values),
    listFollowUpPage(db, ctx.caller, { limit: FOLLOW_UP_ROWS, ...(after ? { after } : {}) }),
    ANSWER_READERS.includes(ctx.caller.role) ? listSurveyAnswers(db, ctx.caller, { ...values.period, limit: 50 }) : undefined,
    listUsers(db),
  ]);
  const names = new Map(users.filter((u) => u.name).map((u) => [u.email, u.name]));
  const problem = codeMessage(ctx, FOLLOW_UP_PROBLEMS, c.req.query('problem'));
  const notice = problem ? undefined : codeMessage(ctx, FOLLOW_UP_NOTICES, c.req.query('ok'));
  const answerRows = (answers ?? []).map((a) => [
    html`<a href="/tickets/${encodeURIComponent(a.ticket)}">${a.ticket}</a>`,
    formatInstant(ctx.lang, a.answered_at),
    a.rating ? labelValue(ctx.lang, 'rating', a.rating) : String(a.score ?? '–'),
    a.client ?? '–',
    a.comment ?? '',
  ]);
  const body = html`${problem ? html`<p class="bad" role="alert">${problem}</p>` : ''}
    ${renderFilterForm(ctx, values, ['severity', 'client', 'analyst'])}
    ${protectsAggregates(ctx.caller.role) ? html`<p class="note">${ctx.t('satisfaction.protected', { n: DEFAULT_MIN_GROUP_SIZE })}</p>` : ''}
    ${renderPanels(ctx.lang, panels)}
    <h2 id="queue">${ctx.t('satisfaction.queue')}</h2>
    <p class="note">${ctx.t('satisfaction.queue_scope')}</p>
    ${notice ? html`<p class="good" role="status">${notice}</p>` : ''}
    ${renderQueue(ctx, queue.rows, names)}
    ${renderQueuePaging(ctx, queue.next, after !== undefined)}
    ${answers
      ? html`<h2>${ctx.t('satisfaction.latest')}</h2>
    ${renderTable([ctx.t('col.ticket'), ctx.t('col.when'), ctx.t('satisfaction.rating'), ctx.t('col.client'), ctx.t('satisfaction.comment')], answerRows, ctx.t('chart.no_data'))}`
      : ''}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('satisfaction.title'), active: '/satisfacao', body, charts: true, scripts: CHART_SCRIPTS })));
}

/** What a refused follow-up action means, by the zone's error code (as Relatórios names its problems). */
const FOLLOW_UP_PROBLEMS = {
  already_claimed: 'satisfaction.problem.already_claimed',
  already_closed: 'satisfaction.problem.already_closed',
  unknown_answer: 'satisfaction.problem.unknown_answer',
  unknown_follow_up: 'satisfaction.problem.unknown_follow_up',
  not_insatisfeito: 'satisfaction.problem.not_insatisfeito',
  invalid_input: 'satisfaction.problem.invalid_input',
} as const satisfies Record<string, MessageKey>;

/** The messages a redirect may ask the page to show (`?ok=closed`); anything else is ignored. */
const FOLLOW_UP_NOTICES = { closed: 'satisfaction.ok.closed' } as const satisfies Record<string, MessageKey>;

/** A local São Paulo datetime-local value as an ISO instant with offset (text with an offset passes through). */
function toInstant(local: string): string {
  const parsed = DateTime.fromISO(local, { zone: TIME_ZONE });
  return parsed.isValid ? parsed.toISO()! : local;
}

/**
 * Where a queue form goes back to: /satisfacao with the query string the form carried (`back`:
 * the page of the queue, filters, language), never another path; a refusal adds ?problem=<code>,
 * a success worth confirming ?ok=<code> (FOLLOW_UP_NOTICES, shown under the queue's heading). Back
 * on a later page of the queue, or with a notice, it lands at the queue; a problem is shown at the top.
 */
function backTo(body: Record<string, unknown>, outcome: { problem?: string; ok?: keyof typeof FOLLOW_UP_NOTICES } = {}): string {
  const params = new URLSearchParams(formText(body, 'back') ?? '');
  params.delete('problem');
  params.delete('ok');
  if (outcome.problem) params.set('problem', outcome.problem);
  if (outcome.ok) params.set('ok', outcome.ok);
  const search = params.toString();
  const anchor = !outcome.problem && (params.has('after') || outcome.ok) ? '#queue' : '';
  return `/satisfacao${search ? `?${search}` : ''}${anchor}`;
}

/**
 * The queue's form posts (lead and admin; CSRF checked by the auth middleware). Each redirects
 * back to the page it came from (303, backTo); a refusal from the zone comes back as
 * ?problem=<code>, which the page names in words (a code it does not know shows nothing: the URL
 * cannot put text on it).
 */
export function createFollowUpFormRoutes({ db }: PageOptions): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use('*', requireRole('lead'));
  const act =
    (work: (c: Context<ServerEnv>, body: Record<string, unknown>) => Promise<unknown>, ok?: keyof typeof FOLLOW_UP_NOTICES) =>
    async (c: Context<ServerEnv>) => {
      const body = await c.req.parseBody();
      try {
        await work(c, body);
        return c.redirect(backTo(body, ok ? { ok } : {}), 303);
      } catch (error) {
        if (!(error instanceof AccessError)) throw error;
        if (error.status === 403) throw error;
        return c.redirect(backTo(body, { problem: error.code }), 303);
      }
    };
  app.post(
    '/claim',
    act((c, body) => claimFollowUp(db, callerOf(c), { source: formText(body, 'source') ?? '', id: formText(body, 'id') ?? '' })),
  );
  app.post(
    '/:id/contact',
    act((c, body) => {
      const note = formText(body, 'note');
      return recordContact(db, callerOf(c), Number(c.req.param('id')), {
        contacted_at: toInstant(formText(body, 'contacted_at') ?? ''),
        channel: formText(body, 'channel') as never,
        outcome: formText(body, 'outcome') as never,
        ...(note ? { note } : {}),
      });
    }),
  );
  app.post(
    '/:id/close',
    act((c, body) => {
      const resolution = formText(body, 'resolution');
      return closeFollowUp(db, callerOf(c), Number(c.req.param('id')), resolution ? { resolution } : {});
    }, 'closed'),
  );
  return app;
}
