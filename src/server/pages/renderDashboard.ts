import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { html, raw } from 'hono/html';
import { z } from 'zod';
import type { Caller } from '../../access/roles.js';
import type { Dimension, MetricQuery, MetricResult } from '../../metrics/registry/types.js';
import { type Lang, type MessageKey, translate } from '../i18n/messages.js';
import { formatDate, formatValue } from '../i18n/resolveLang.js';
import { codesOf, labelValue } from '../i18n/labelValue.js';
import type { MetricReader } from '../routes/createMetricReader.js';
import { type PeriodDates, trendPeriod } from '../routes/readPeriod.js';
import { type Html, renderTable } from './renderLayout.js';

export const DASHBOARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dashboards');

const text = z.object({ pt: z.string(), en: z.string() });
const panelSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  metric: z.string(),
  /** Dimensions; "$group" stands for the page's chosen grouping (client, analyst or category). */
  by: z.array(z.string()),
  /** "trend": the 26 weeks up to the period's end instead of the period. */
  range: z.enum(['period', 'trend']).optional(),
  title: text,
  spec: z.record(z.string(), z.unknown()),
});
const dashboardSchema = z.object({ title: text, panels: z.array(panelSchema) });

export type Dashboard = z.infer<typeof dashboardSchema>;
export type Panel = z.infer<typeof panelSchema>;

const cache = new Map<string, Dashboard>();

/** The pt-BR number and time formats of every chart (the weekly PDF reads the same file). */
const PT_BR_LOCALE: unknown = JSON.parse(readFileSync(join(DASHBOARDS_DIR, 'locale-pt-BR.json'), 'utf8'));

/** dashboards/<name>.json, parsed once; throws naming the file and the problem. */
export function loadDashboard(name: string): Dashboard {
  let dashboard = cache.get(name);
  if (!dashboard) {
    const file = join(DASHBOARDS_DIR, `${name}.json`);
    const parsed = dashboardSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    cache.set(name, (dashboard = parsed.data));
  }
  return dashboard;
}

export interface PanelData {
  panel: Panel;
  result: MetricResult;
  /** The rows as the chart reads them: dimension "$group" renamed to group, target added. */
  values: Record<string, string | number | null>[];
  /** A trend panel's own range (trendPeriod), which its caption states. */
  range?: PeriodDates;
  /** A note under the chart (what the page left out of it, say). */
  note?: string;
}

/** "De 25/05/2026 a 30/11/2026": a trend's days, the end exclusive in the range and inclusive here. */
function rangeCaption(lang: Lang, range: PeriodDates): string {
  const day = (iso: string) => formatDate(lang, iso);
  const last = new Date(Date.parse(`${range.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return translate(lang, 'chart.trend_range', { from: day(range.from), to: day(last) });
}

export interface DashboardParams {
  period: PeriodDates;
  filters: NonNullable<MetricQuery['filters']>;
  /** What "$group" stands for. */
  group?: Dimension;
}

/** Runs every panel's metric for the caller (the registry checks the role), in parallel. */
export async function queryDashboard(readMetric: MetricReader, caller: Caller, dashboard: Dashboard, params: DashboardParams): Promise<PanelData[]> {
  return Promise.all(
    dashboard.panels.map(async (panel) => {
      const group = params.group ?? 'client';
      const by = panel.by.map((d) => (d === '$group' ? group : d)) as Dimension[];
      const period = panel.range === 'trend' ? trendPeriod(params.period, 26, by.includes('month') ? 'month' : 'week') : params.period;
      const filters = Object.fromEntries(Object.entries(params.filters).filter(([d]) => !by.includes(d as Dimension)));
      const result = await readMetric(caller, { name: panel.metric, ...period, by, filters });
      const values = result.rows.map((row) => {
        const value: Record<string, string | number | null> = { ...row };
        if (panel.by.includes('$group')) value.group = row[group] ?? null;
        if (result.metric.target !== undefined) value.target = result.metric.target;
        return value;
      });
      return { panel, result, values, ...(panel.range === 'trend' ? { range: period } : {}) };
    }),
  );
}

/** The spec with every `{ "pt": …, "en": … }` object (axis and legend titles) replaced by the text in `lang`. */
export function localizeSpec(value: unknown, lang: Lang): unknown {
  if (Array.isArray(value)) return value.map((v) => localizeSpec(v, lang));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 2 && typeof (value as Record<string, unknown>).pt === 'string' && typeof (value as Record<string, unknown>).en === 'string') {
    return (value as Record<Lang, string>)[lang];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, localizeSpec(v, lang)]));
}

/** Row keys whose values are codes the pages name in words (severity, category, a rating breakdown). */
const LABELLED = new Set(['severity', 'category', 'rating']);
type LabelledKey = 'severity' | 'category' | 'rating';

/**
 * Axes and legends of encodings on a coded field (severity, category, rating) show the guide's
 * names ("Média", "Dúvida explícita", "Satisfeito") through a Vega labelExpr; the data keeps the
 * codes, so sort orders and colour domains in the specs still match.
 */
export function labelCodes(spec: unknown, lang: Lang): unknown {
  if (Array.isArray(spec)) return spec.map((v) => labelCodes(v, lang));
  if (spec === null || typeof spec !== 'object') return spec;
  const node = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, labelCodes(v, lang)])) as Record<string, unknown>;
  const encoding = node.encoding as Record<string, Record<string, unknown>> | undefined;
  if (encoding && typeof encoding === 'object') {
    for (const [channel, def] of Object.entries(encoding)) {
      const field = def?.field;
      const guide = AXIS_CHANNELS.has(channel) ? 'axis' : LEGEND_CHANNELS.has(channel) ? 'legend' : undefined;
      if (!guide || typeof field !== 'string' || !LABELLED.has(field) || def[guide] === null) continue;
      const kind = field as LabelledKey;
      const names = Object.fromEntries(codesOf(kind).map((code) => [code, labelValue(lang, kind, code)]));
      const none = JSON.stringify(translate(lang, 'chart.none'));
      const labelExpr = `datum.value == null || datum.value === '' ? ${none} : ${JSON.stringify(names)}[datum.value] || datum.value`;
      def[guide] = { ...((def[guide] as object | undefined) ?? {}), labelExpr };
    }
  }
  return node;
}

const AXIS_CHANNELS = new Set(['x', 'y']);
const LEGEND_CHANNELS = new Set(['color', 'fill', 'stroke', 'shape', 'opacity', 'size']);

/** JSON safe inside a <script> element: no "<" can close it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A "Ver os números" column's header: the filter forms' label for a dimension they filter by, else
 * the dimension's own (a metric's breakdown: rating, category); a key it does not know as it is.
 */
const COLUMN_LABELS: Readonly<Record<string, MessageKey>> = {
  day: 'dim.day',
  week: 'dim.week',
  month: 'dim.month',
  severity: 'filter.severity',
  client: 'filter.client',
  analyst: 'filter.analyst',
  category: 'dim.category',
  channel: 'dim.channel',
  rating: 'dim.rating',
};

export function columnLabel(lang: Lang, key: string): string {
  return Object.hasOwn(COLUMN_LABELS, key) ? translate(lang, COLUMN_LABELS[key]!) : key;
}

/**
 * A cell of the numbers table in words: codes named as the guide does, a day or week bucket
 * (YYYY-MM-DD, its first day) as 25/05/2026 (en: May 25, 2026), a month as "maio de 2026"
 * (en: May 2026). The bucket is already a São Paulo date, so it is formatted as a calendar date.
 */
export function formatCell(lang: Lang, key: string, value: string | number | null | undefined): string {
  if (LABELLED.has(key)) return labelValue(lang, key as LabelledKey, value === null || value === undefined ? value : String(value));
  if (value === null || value === undefined || value === '') return '–';
  const text = String(value);
  if (key === 'day' || key === 'week' || key === 'month') return formatDate(lang, text, key === 'month' ? 'month' : 'day');
  return text;
}

function dataTable(lang: Lang, data: PanelData): Html {
  const columns = Object.keys(data.result.rows[0] ?? {}).filter((k) => k !== 'value');
  const ordered = [...data.result.by.filter((d) => columns.includes(d)), ...columns.filter((c) => !data.result.by.includes(c as Dimension))];
  const rows = data.result.rows.map((row) => [
    ...ordered.map((c) => formatCell(lang, c, row[c])),
    html`<span class="num">${formatValue(lang, row.value, data.result.metric.format)}</span>`,
  ]);
  return renderTable([...ordered.map((c) => columnLabel(lang, c)), data.result.metric.label[lang]], rows, translate(lang, 'chart.no_data'));
}

/** Panel specs in each language: a dashboard is parsed once (loadDashboard), so its specs are translated once. */
const translatedSpecs = new WeakMap<object, Partial<Record<Lang, object>>>();

function translatedSpec(panel: Panel, lang: Lang): object {
  let byLang = translatedSpecs.get(panel.spec);
  if (!byLang) translatedSpecs.set(panel.spec, (byLang = {}));
  return (byLang[lang] ??= labelCodes(localizeSpec(panel.spec, lang), lang) as object);
}

/** The panels: a chart container, the numbers as a table in <details>, and the specs with data as JSON for dashboard.js. */
export function renderPanels(lang: Lang, panels: PanelData[]): Html {
  const specs = panels.map(({ panel, values }) => ({ id: panel.id, spec: { ...translatedSpec(panel, lang), data: { values } } }));
  return html`<div class="panels">
    ${panels.map(
      (data) => html`<section class="panel" id="panel-${data.panel.id}">
        <h2>${data.panel.title[lang]}</h2>
        ${data.values.length === 0
          ? html`<p class="empty">${translate(lang, 'chart.no_data')}</p>`
          : html`<div class="chart" id="chart-${data.panel.id}" role="img" aria-label="${data.panel.title[lang]}"></div>`}
        ${data.range && /^\d{4}-\d{2}-\d{2}$/.test(data.range.from) && /^\d{4}-\d{2}-\d{2}$/.test(data.range.to) ? html`<p class="note">${rangeCaption(lang, data.range)}</p>` : ''}
        ${data.note ? html`<p class="note">${data.note}</p>` : ''}
        ${data.result.suppressed > 0 ? html`<p class="note">${data.result.suppressed} ${translate(lang, 'chart.suppressed')}</p>` : ''}
        <details><summary>${translate(lang, 'chart.table')}</summary>${dataTable(lang, data)}</details>
      </section>`,
    )}
  </div>
  <script type="application/json" id="dashboard-specs">${raw(scriptJson(specs.filter((_, i) => panels[i]!.values.length > 0)))}</script>
  ${lang === 'pt' ? html`<script type="application/json" id="vega-locale">${raw(scriptJson(PT_BR_LOCALE))}</script>` : ''}`;
}
