import type { Context } from 'hono';
import { html } from 'hono/html';
import type { SessionUser } from '../auth/types.js';
import { formatInstant, formatSeconds } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { listOpenTickets, type OpenTicket } from '../routes/listOpenTickets.js';
import type { Database } from '../../db/openDatabase.js';
import { getKnownClients } from './knownClients.js';
import {
  type PageContext,
  type PageOptions,
  type PageProblem,
  pageContext,
  readClientFilter,
  renderClientInput,
  renderClientList,
  renderProblems,
  renderSeveritySelect,
} from './pageContext.js';
import { type Html, renderLayout, renderTable } from './renderLayout.js';
import { codesOf, labelValue } from '../i18n/labelValue.js';

export const AT_RISK_REFRESH_SECONDS = 60;
const LIMIT = 500;

/** Whether a ticket's analyst is this user: the e-mail, its local part, or the name (case-insensitive). */
export function isOwnTicket(user: SessionUser, analyst: string | null): boolean {
  if (!analyst) return false;
  const a = analyst.trim().toLowerCase();
  const email = user.email.toLowerCase();
  return a === email || a === email.split('@')[0] || (user.name !== '' && a === user.name.trim().toLowerCase());
}

function renderTickets(ctx: PageContext, tickets: OpenTicket[], own: boolean): Html {
  // What the page is for first (time left, state), so a phone shows it without scrolling sideways.
  const rows = tickets.map((t) => [
    html`<a href="/tickets/${encodeURIComponent(t.ticket)}">${t.ticket}</a>`,
    html`<span class="num">${formatSeconds(t.remaining_seconds)}</span>`,
    html`<span class="state-${t.state ?? 'none'}">${t.state ? ctx.t(`state.${t.state as 'on_track' | 'at_risk' | 'breached'}`) : '–'}</span>`,
    labelValue(ctx.lang, 'severity', t.severity),
    t.client ?? '–',
    t.analyst ?? '–',
    labelValue(ctx.lang, 'status', t.status),
    formatInstant(ctx.lang, t.solution_deadline),
  ]);
  const headers = ['col.ticket', 'col.remaining', 'col.state', 'col.severity', 'col.client', 'col.analyst', 'col.status', 'col.deadline'] as const;
  return html`<div class="${own ? 'mine' : ''}">${renderTable(headers.map((h) => ctx.t(h)), rows, ctx.t('at_risk.empty'))}</div>`;
}

/**
 * The page's filters from the URL; a severity that is not a code is dropped (and said so), not an
 * error; the client is matched forgivingly as on the dashboards (readClientFilter).
 */
interface AtRiskFilters {
  severity?: string;
  client?: string;
  unknownSeverity: boolean;
  clientProblem?: PageProblem;
  /** The names the Cliente field suggests. */
  clients: readonly string[];
}

async function readAtRiskFilters(c: Context<ServerEnv>, db: Database, now: number): Promise<AtRiskFilters> {
  const asked = c.req.query('severity') || undefined;
  const known = asked !== undefined && codesOf('severity').includes(asked);
  const clients = await getKnownClients(db, now);
  const client = readClientFilter(clients, c.req.query('client'));
  return {
    severity: known ? asked : undefined,
    client: client.client,
    unknownSeverity: asked !== undefined && !known,
    ...(client.problem ? { clientProblem: client.problem } : {}),
    clients: clients.suggested,
  };
}

/**
 * The filter form: a GET to this page, so the filters are the URL's query and the 60 s refresh
 * (refresh.js, or the meta refresh without scripts, reloads the document's own URL) keeps them;
 * refresh.js waits while the form is being filled in. Same fields and
 * labels as renderFilterForm, without its period: this page shows what is open now.
 */
function renderAtRiskForm(ctx: PageContext, filters: AtRiskFilters): Html {
  const t = ctx.t;
  return html`${renderProblems(ctx, filters.clientProblem ? [filters.clientProblem] : [])}<form class="filters" method="get" action="/em-risco">
    ${renderSeveritySelect(ctx, filters.severity)}
    ${renderClientInput(ctx, filters.client)}
    <button type="submit">${t('filter.apply')}</button>
  </form>${renderClientList(filters.clients)}`;
}

/**
 * `/em-risco`: open tickets by remaining support time (least first), reloading itself every
 * 60 s. An analyst's own tickets come first, in their own table. `?severity=` and `?client=`
 * filter (the form sets them); an unknown severity shows every ticket with a note saying so, a
 * client no name matches shows none, with a note above the form.
 */
export async function renderAtRiskPage(c: Context<ServerEnv>, { db, now }: PageOptions) {
  const ctx = pageContext(c);
  const filters = await readAtRiskFilters(c, db, now());
  const tickets = await listOpenTickets(db, { severity: filters.severity, client: filters.client, limit: LIMIT });
  const mine = ctx.user.role === 'analyst' ? tickets.filter((t) => isOwnTicket(ctx.user, t.analyst)) : [];
  const others = mine.length > 0 ? tickets.filter((t) => !isOwnTicket(ctx.user, t.analyst)) : tickets;
  const evaluated = tickets[0]?.evaluated_at;
  const body = html`${renderAtRiskForm(ctx, filters)}
    ${filters.unknownSeverity ? html`<p class="bad">${ctx.t('at_risk.unknown_severity')}</p>` : ''}
    <p class="note">${ctx.t('at_risk.refresh')}${evaluated ? html` (${formatInstant(ctx.lang, evaluated)})` : ''}</p>
    ${ctx.user.role === 'analyst' ? html`<h2>${ctx.t('at_risk.mine')}</h2>${renderTickets(ctx, mine, true)}<h2>${ctx.t('at_risk.others')}</h2>` : ''}
    ${renderTickets(ctx, others, false)}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('at_risk.title'), active: '/em-risco', body, refreshSeconds: AT_RISK_REFRESH_SECONDS })));
}
