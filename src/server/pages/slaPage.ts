import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Dimension } from '../../metrics/registry/types.js';
import { parsePeriod } from '../../metrics/registry/parseMetricQuery.js';
import { formatInstant, formatSeconds } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { CHART_SCRIPTS } from '../routes/createAssetRoutes.js';
import { listBreaches } from '../routes/listOpenTickets.js';
import { type PageContext, type PageFilters, type PageOptions, pageContext, readPageFilters, renderFilterForm } from './pageContext.js';
import { loadDashboard, type PanelData, queryDashboard, renderPanels } from './renderDashboard.js';
import { renderLayout, renderTable } from './renderLayout.js';
import { labelValue } from '../i18n/labelValue.js';

export const SLA_GROUPS = ['client', 'analyst', 'category'] as const satisfies readonly Dimension[];

/** Most groups a severity × group chart draws: past that, the ones with most tickets in the period. */
export const TOP_GROUPS = 25;

/**
 * The severity × group charts keep the TOP_GROUPS groups with most tickets opened in the period
 * (150 clients drew a chart some 3,000 px tall), their tables too, with a note saying so.
 */
async function keepTopGroups(ctx: PageContext, readMetric: PageOptions['readMetric'], panels: PanelData[], values: PageFilters, group: Dimension): Promise<PanelData[]> {
  const grouped = panels.filter((p) => p.panel.by.includes('$group'));
  const shown = new Set(grouped.flatMap((p) => p.result.rows.map((row) => row[group] as string | null)));
  if (shown.size <= TOP_GROUPS) return panels;
  const volume = await readMetric(ctx.caller, { name: 'tickets_opened', ...values.period, by: [group], filters: values.filters });
  const top = new Set(
    [...volume.rows]
      .sort((a, b) => Number(b.value ?? 0) - Number(a.value ?? 0) || String(a[group] ?? '').localeCompare(String(b[group] ?? '')))
      .slice(0, TOP_GROUPS)
      .map((row) => row[group] as string | null),
  );
  const note = ctx.t('sla.top_groups', { n: TOP_GROUPS, total: shown.size, group: ctx.t(`col.${group as 'client' | 'analyst' | 'category'}`).toLowerCase() });
  return panels.map((p) =>
    p.panel.by.includes('$group')
      ? {
          ...p,
          values: p.values.filter((v) => top.has(v.group as string | null)),
          result: { ...p.result, rows: p.result.rows.filter((row) => top.has(row[group] as string | null)) },
          note,
        }
      : p,
  );
}

/**
 * `/sla`: compliance by severity × client, analyst or category (`?group=`), breaches per week,
 * and the list of tickets that breached in the period, each linking to its explanation.
 */
export async function renderSlaPage(c: Context<ServerEnv>, { db, readMetric, now }: PageOptions) {
  const ctx = pageContext(c);
  const values = await readPageFilters(c, now(), db);
  const asked = c.req.query('group');
  const group = (SLA_GROUPS as readonly string[]).includes(asked ?? '') ? (asked as Dimension) : 'client';
  const period = parsePeriod(values.period.from, values.period.to);
  const [panels, breaches] = await Promise.all([
    queryDashboard(readMetric, ctx.caller, loadDashboard('sla'), { ...values, group }).then((all) => keepTopGroups(ctx, readMetric, all, values, group)),
    listBreaches(db, { fromSeconds: period.fromSeconds, toSeconds: period.toSeconds, ...values.filters, limit: 200 }),
  ]);
  const groupSelect = html`<label>${ctx.t('filter.by')}<select name="group">
    ${SLA_GROUPS.map((g) => html`<option value="${g}"${g === group ? html` selected` : ''}>${ctx.t(`col.${g}`)}</option>`)}
  </select></label>`;
  const rows = breaches.map((b) => [
    html`<a href="/tickets/${encodeURIComponent(b.ticket)}">${b.ticket}</a>`,
    b.client ?? '–',
    b.analyst ?? '–',
    labelValue(ctx.lang, 'severity', b.severity),
    formatInstant(ctx.lang, b.opened_at),
    b.response_met === false ? ctx.t('no') : ctx.t('yes'),
    b.solution_met === false ? ctx.t('no') : b.solution_met === null ? '–' : ctx.t('yes'),
    formatSeconds(b.solution_margin_seconds ?? b.remaining_seconds),
  ]);
  const body = html`${renderFilterForm(ctx, values, ['severity', 'client', 'analyst'], groupSelect)}
    ${renderPanels(ctx.lang, panels)}
    <h2>${ctx.t('sla.breaches')}</h2>
    ${renderTable(
      [ctx.t('col.ticket'), ctx.t('col.client'), ctx.t('col.analyst'), ctx.t('col.severity'), ctx.t('col.opened'), ctx.t('col.response'), ctx.t('col.solution'), ctx.t('col.margin')],
      rows,
      ctx.t('chart.no_data'),
    )}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('sla.title'), active: '/sla', body, charts: true, scripts: CHART_SCRIPTS })));
}
