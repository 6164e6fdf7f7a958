import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Caller } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { parsePeriod } from '../../metrics/registry/parseMetricQuery.js';
import type { MetricQuery } from '../../metrics/registry/types.js';
import type { Policy } from '../../policy/policySchema.js';
import type { ReportConfig } from '../../reports/parseReportConfig.js';
import type { SessionUser } from '../auth/types.js';
import { codesOf, labelValue } from '../i18n/labelValue.js';
import { type Lang, type MessageKey, translate } from '../i18n/messages.js';
import { resolveLang } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import type { MetricReader } from '../routes/createMetricReader.js';
import { defaultPeriod, type PeriodDates, readFilters, readPeriod } from '../routes/readPeriod.js';
import { getKnownClients, type KnownClients, matchClient } from './knownClients.js';
import type { Html, LayoutProps } from './renderLayout.js';

export interface PageOptions {
  db: Database;
  policy: Readonly<Policy>;
  now: () => number;
  /** queryMetric, cached for SLA metrics (createMetricReader). */
  readMetric: MetricReader;
  /** The report settings the server runs (absent: an app without the report service, as in most tests). */
  reports?: Readonly<ReportConfig>;
}

/** What every page handler needs from the request (the guard has already checked the user). */
export interface PageContext {
  lang: Lang;
  user: SessionUser;
  caller: Caller;
  csrfToken: string;
  url: string;
  t: (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;
  layout: (props: Pick<LayoutProps, 'title' | 'body' | 'active'> & Partial<LayoutProps>) => LayoutProps;
}

export function pageContext(c: Context<ServerEnv>): PageContext {
  const lang = resolveLang(c);
  const user = c.get('user')!;
  const csrfToken = c.get('csrfToken');
  const url = c.req.url;
  return {
    lang,
    user,
    caller: { role: user.role, actor: user.email },
    csrfToken,
    url,
    t: (key, values) => translate(lang, key, values),
    layout: (props) => ({ lang, user, csrfToken, url, ...props }),
  };
}

/** A note above a filter form: a message, or one naming the client the user typed (`{client}`). */
export type PageProblem = MessageKey | { key: MessageKey; client: string };

export interface PageFilters {
  period: PeriodDates;
  filters: NonNullable<MetricQuery['filters']>;
  /** What the URL asked for that the page cannot show; it shows the default instead and says so. */
  problems?: PageProblem[];
  /** The names the Cliente field suggests (getKnownClients). */
  clients?: readonly string[];
}

/**
 * The client to filter by for what the user typed (a page is forgiving, the API is exact): a
 * client's name as typed, else the one client spelled the same but for case and accents; else the
 * typed text, with a note that no client (or more than one) is called that. Blank: no filter.
 */
export function readClientFilter(known: KnownClients, typed: string | undefined): { client?: string; problem?: PageProblem } {
  if (typed === undefined || typed.trim() === '') return {};
  const match = matchClient(known, typed);
  if (!match.unmatched) return { client: match.client };
  return { client: match.client, problem: { key: match.unmatched === 'unknown' ? 'filter.unknown_client' : 'filter.ambiguous_client', client: typed } };
}

/** The notes above a filter form, each an alert. */
export function renderProblems(ctx: PageContext, problems: readonly PageProblem[] | undefined): Html {
  return html`${(problems ?? []).map(
    (p) => html`<p class="bad" role="alert">${typeof p === 'string' ? ctx.t(p) : ctx.t(p.key, { client: p.client })}</p>`,
  )}`;
}

/**
 * The period and dimension filters of the URL (so a view can be shared as a link). A page is not
 * an API: a period that cannot be read (a typed date, an end before the start) shows the default
 * period, and an unknown severity every severity, each with a note above the form, rather than a
 * bare 400. A client is matched forgivingly (readClientFilter) against the database's clients,
 * which the Cliente field also suggests.
 */
export async function readPageFilters(c: Context<ServerEnv>, now: number, db: Database): Promise<PageFilters> {
  const query = c.req.query();
  const problems: PageProblem[] = [];
  let period = readPeriod(query, now);
  try {
    parsePeriod(period.from, period.to);
  } catch {
    period = defaultPeriod(now);
    problems.push('filter.bad_period');
  }
  const filters = readFilters(query);
  if (filters.severity !== undefined && !codesOf('severity').includes(filters.severity)) {
    delete filters.severity;
    problems.push('at_risk.unknown_severity');
  }
  const known = await getKnownClients(db, now);
  const client = readClientFilter(known, filters.client);
  if (client.client === undefined) delete filters.client;
  else filters.client = client.client;
  if (client.problem) problems.push(client.problem);
  return { period, filters, clients: known.suggested, ...(problems.length > 0 ? { problems } : {}) };
}

type FilterField = 'severity' | 'client' | 'analyst' | 'category';

/** The severity filter of the filter forms: every code in the guide's order, named as the guide does. */
export function renderSeveritySelect(ctx: PageContext, selected: string | undefined): Html {
  return html`<label>${ctx.t('filter.severity')}<select name="severity">
            <option value="">${ctx.t('filter.all')}</option>
            ${codesOf('severity').map((s) => html`<option value="${s}"${selected === s ? html` selected` : ''}>${labelValue(ctx.lang, 'severity', s)}</option>`)}
          </select></label>`;
}

const CLIENT_LIST = 'known-clients';

/** The Cliente field of the filter forms, suggesting renderClientList's names as the user types. */
export function renderClientInput(ctx: PageContext, value: string | undefined): Html {
  return html`<label>${ctx.t('filter.client')}<input name="client" value="${value ?? ''}" list="${CLIENT_LIST}" /></label>`;
}

/** The names renderClientInput suggests; outside the form, since it submits nothing. */
export function renderClientList(names: readonly string[] | undefined): Html {
  return html`<datalist id="${CLIENT_LIST}">${(names ?? []).map((name) => html`<option value="${name}"></option>`)}</datalist>`;
}

/** The filter form: a GET to the same page, so the URL carries the filters. */
export function renderFilterForm(
  ctx: PageContext,
  values: PageFilters,
  fields: FilterField[],
  extra: Html | string = '',
): Html {
  const t = ctx.t;
  const input = (field: Exclude<FilterField, 'severity'>) =>
    field === 'client'
      ? renderClientInput(ctx, values.filters.client)
      : html`<label>${t(`filter.${field}` as MessageKey)}<input name="${field}" value="${values.filters[field] ?? ''}" /></label>`;
  return html`${renderProblems(ctx, values.problems)}<form class="filters" method="get">
    <label>${t('filter.from')}<input type="date" name="from" value="${values.period.from.slice(0, 10)}" /></label>
    <label>${t('filter.to')}<input type="date" name="to" value="${values.period.to.slice(0, 10)}" /></label>
    ${fields.map((field) => (field === 'severity' ? renderSeveritySelect(ctx, values.filters.severity) : input(field)))}
    ${extra}
    <button type="submit">${t('filter.apply')}</button>
  </form>${fields.includes('client') ? renderClientList(values.clients) : ''}`;
}

/** A text field of a parsed form body; undefined when absent or a file. */
export const formText = (body: Record<string, unknown>, name: string): string | undefined =>
  typeof body[name] === 'string' ? body[name] : undefined;

/**
 * The message a code from the URL (`?problem=`, `?ok=`) names in `table`, or undefined for a code
 * the table does not list: the URL cannot put text on a page (own keys only, so `constructor` is
 * no code either).
 */
export function codeMessage(ctx: PageContext, table: Readonly<Record<string, MessageKey>>, code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(table, code) ? ctx.t(table[code]!) : undefined;
}
