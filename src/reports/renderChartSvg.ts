import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** pt-BR number and date formats for chart axes (DESIGN.md: pt-BR by default), shared with the pages' charts. */
const LOCALE_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboards', 'locale-pt-BR.json');
/** vega's runtime exports locale(); its type declarations do not. */
const createLocale = (vega as unknown as { locale: (number: object, time: object) => unknown }).locale;
const LOCALE = JSON.parse(readFileSync(LOCALE_FILE, 'utf8')) as { number: object; time: object };
const PT_BR = createLocale(LOCALE.number, LOCALE.time);

export interface DashboardPanel {
  id: string;
  title: { pt: string; en: string };
  metric: string;
  by?: string[];
  spec: TopLevelSpec;
}

export interface Dashboard {
  id: string;
  title: { pt: string; en: string };
  panels: DashboardPanel[];
}

export const WEEKLY_DASHBOARD_PATH = join(import.meta.dirname, '..', '..', 'dashboards', 'weekly-report.json');

let cached: Dashboard | undefined;

/** dashboards/weekly-report.json, read once. */
export function loadWeeklyDashboard(path = WEEKLY_DASHBOARD_PATH): Dashboard {
  if (path !== WEEKLY_DASHBOARD_PATH) return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  cached ??= JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  return cached;
}

/**
 * A Vega-Lite spec with `data: {name: "table"}` rendered to SVG on the server with `values` as
 * the table, so the page needs no script. Numbers and dates in pt-BR.
 */
export async function renderChartSvg(spec: TopLevelSpec, values: readonly object[]): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', locale: PT_BR } as vega.ViewOptions);
  try {
    view.data('table', values as object[]);
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
