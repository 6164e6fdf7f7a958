import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ServerEnv } from '../routes/callerOf.js';
import { CHART_SCRIPTS } from '../routes/createAssetRoutes.js';
import { type PageOptions, pageContext, readPageFilters, renderFilterForm } from './pageContext.js';
import { loadDashboard, queryDashboard, renderPanels } from './renderDashboard.js';
import { renderLayout } from './renderLayout.js';

/** `/categorias`: distribution, share and monthly trend of the closing categories; `?client=` narrows to one client. */
export async function renderCategoriesPage(c: Context<ServerEnv>, { db, readMetric, now }: PageOptions) {
  const ctx = pageContext(c);
  const values = await readPageFilters(c, now(), db);
  const panels = await queryDashboard(readMetric, ctx.caller, loadDashboard('categories'), values);
  const body = html`${renderFilterForm(ctx, values, ['severity', 'client'])}${renderPanels(ctx.lang, panels)}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('categories.title'), active: '/categorias', body, charts: true, scripts: CHART_SCRIPTS })));
}
