import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Caller } from '../../access/roles.js';
import type { MetricQuery, MetricResult } from '../../metrics/registry/types.js';
import { labelValue } from '../i18n/labelValue.js';
import { formatValue } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { CHART_SCRIPTS } from '../routes/createAssetRoutes.js';
import type { MetricReader } from '../routes/createMetricReader.js';
import { type PeriodDates, previousPeriod } from '../routes/readPeriod.js';
import { type PageContext, type PageOptions, pageContext, readPageFilters, renderFilterForm } from './pageContext.js';
import { loadDashboard, queryDashboard, renderPanels } from './renderDashboard.js';
import { type Html, renderLayout, renderTable } from './renderLayout.js';
import { formatDuration } from '../../policy/parseDuration.js';
import { type Policy, SEVERITIES } from '../../policy/policySchema.js';

/** The single numbers of the cards, each for the period and the previous one. */
export const OVERVIEW_CARDS = ['response_compliance', 'solution_compliance', 'breaches', 'backlog', 'at_risk'] as const;

type Filters = NonNullable<MetricQuery['filters']>;

async function total(readMetric: MetricReader, caller: Caller, name: string, period: PeriodDates, filters: Filters): Promise<MetricResult> {
  return readMetric(caller, { name, ...period, by: [], filters });
}

/**
 * Cards whose number is a state as of the last recompute (tickets at risk now): the previous
 * period's figure would count that period's tickets at risk today — nearly always 0, and no
 * comparison.
 */
const STATE_NOW_CARDS: ReadonlySet<string> = new Set(['at_risk']);

function renderCard(ctx: PageContext, current: MetricResult, previous: MetricResult | undefined): Html {
  const value = current.rows[0]?.value ?? null;
  const before = previous?.rows[0]?.value ?? null;
  const { format, target } = current.metric;
  const status = target !== undefined && value !== null ? (value >= target ? 'good' : 'bad') : '';
  const comparison = STATE_NOW_CARDS.has(current.metric.name) ? ctx.t('overview.as_of_recompute') : `${ctx.t('period.previous')}: ${formatValue(ctx.lang, before, format)}`;
  return html`<div class="card" data-metric="${current.metric.name}">
    <div class="label">${current.metric.label[ctx.lang]}</div>
    <div class="value ${status}">${formatValue(ctx.lang, value, format)}</div>
    <div class="sub">${comparison}${target !== undefined
      ? html` · ${ctx.t('overview.target')}: ${formatValue(ctx.lang, target, format)}`
      : ''}</div>
  </div>`;
}

function renderSeverityTable(ctx: PageContext, policy: Readonly<Policy>, response: MetricResult, solution: MetricResult): Html {
  const bySeverity = (result: MetricResult, severity: string) => result.rows.find((r) => r.severity === severity)?.value ?? null;
  const rows = SEVERITIES.map((severity) => [
    // The guide's name and its promise, e.g. "Média (8x5: 2h / 24h)"; in English the severity's English name ("Medium").
    `${ctx.lang === 'pt' ? policy.severities[severity].label : labelValue(ctx.lang, 'severity', severity)} (${policy.severities[severity].calendar}: ${formatDuration(policy.severities[severity].firstResponse)} / ${formatDuration(policy.severities[severity].solution)})`,
    formatValue(ctx.lang, bySeverity(response, severity), 'percent'),
    formatValue(ctx.lang, bySeverity(solution, severity), 'percent'),
  ]);
  const target = formatValue(ctx.lang, response.metric.target ?? null, 'percent');
  return renderTable([ctx.t('col.severity'), `${ctx.t('col.response')} (${ctx.t('overview.target')} ${target})`, ctx.t('col.solution')], rows, '');
}

/**
 * `/` Visão geral: response and solution compliance against target for the period and the one
 * before, breaches, backlog and at-risk count as cards; compliance per severity; the overview
 * dashboard's charts (weekly trends, breaches, backlog).
 */
export async function renderOverviewPage(c: Context<ServerEnv>, { db, readMetric, now, policy }: PageOptions) {
  const ctx = pageContext(c);
  const values = await readPageFilters(c, now(), db);
  const previous = previousPeriod(values.period);
  const [cards, previousCards, response, solution, panels] = await Promise.all([
    Promise.all(OVERVIEW_CARDS.map((name) => total(readMetric, ctx.caller, name, values.period, values.filters))),
    previous
      ? Promise.all(OVERVIEW_CARDS.map((name) => (STATE_NOW_CARDS.has(name) ? undefined : total(readMetric, ctx.caller, name, previous, values.filters))))
      : Promise.resolve([]),
    readMetric(ctx.caller, { name: 'response_compliance', ...values.period, by: ['severity'], filters: values.filters }),
    readMetric(ctx.caller, { name: 'solution_compliance', ...values.period, by: ['severity'], filters: values.filters }),
    queryDashboard(readMetric, ctx.caller, loadDashboard('overview'), values),
  ]);
  const body = html`${renderFilterForm(ctx, values, ['severity', 'client'])}
    <section class="cards" aria-label="${ctx.t('period.current')}">
      ${cards.map((card, i) => renderCard(ctx, card, previousCards[i]))}
    </section>
    <h2>${ctx.t('overview.per_severity')}</h2>
    ${renderSeverityTable(ctx, policy, response, solution)}
    ${renderPanels(ctx.lang, panels)}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('overview.title'), active: '/', body, charts: true, scripts: CHART_SCRIPTS })));
}
