import type { SeverityCompliance, WeeklyReportModel } from './buildWeeklyReport.js';
import {
  categoryLabel, escapeHtml as e, FOLLOW_UP_LABELS, formatCount, formatCurrency, formatDateTime, formatDay, formatDuration, formatHours,
  formatPercent, formatPointChange,
} from './formatPtBr.js';
import { loadWeeklyDashboard, renderChartSvg } from './renderChartSvg.js';
import { REPORT_ZONE } from './reportWeek.js';

/** Marks the print page so the PDF job can tell it from the login or an error page. */
export const REPORT_PAGE_MARKER = 'weekly-report';

const STYLE = `
  @page { size: A4; }
  * { box-sizing: border-box; }
  body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt; color: #1d2733; margin: 0; }
  header { border-bottom: 2px solid #2f6f9f; padding-bottom: 6px; margin-bottom: 10px; }
  header h1 { font-size: 16pt; margin: 0; }
  header .company { font-size: 11pt; color: #2f6f9f; font-weight: bold; }
  header .meta { color: #555; font-size: 9pt; }
  h2 { font-size: 12pt; margin: 14px 0 6px; color: #2f6f9f; break-after: avoid; }
  section { break-inside: avoid-page; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 6px; }
  th, td { border-bottom: 1px solid #d6dde4; padding: 3px 5px; text-align: left; }
  th { background: #eef3f7; font-size: 9pt; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .below { color: #b3261e; font-weight: bold; }
  .charts { display: flex; gap: 12px; flex-wrap: wrap; }
  .chart h3 { font-size: 9.5pt; margin: 4px 0; }
  .kpis { display: flex; gap: 10px; flex-wrap: wrap; }
  .kpi { border: 1px solid #d6dde4; border-radius: 4px; padding: 6px 10px; min-width: 120px; }
  .kpi .v { font-size: 14pt; font-weight: bold; }
  .kpi .l { font-size: 8.5pt; color: #555; }
  .note { font-size: 8.5pt; color: #555; }
`;

const row = (cells: string[], heads = false) => `<tr>${cells.map((c) => (heads ? `<th${c.startsWith('n:') ? ' class="n"' : ''}>${c.replace(/^n:/, '')}</th>` : c)).join('')}</tr>`;
const num = (text: string, cls = '') => `<td class="n${cls ? ` ${cls}` : ''}">${text}</td>`;
const kpi = (value: string, label: string) => `<div class="kpi"><div class="v">${value}</div><div class="l">${e(label)}</div></div>`;

function complianceRow(c: SeverityCompliance, goal: WeeklyReportModel['goal']): string {
  const flag = (v: number | null, g: number) => (v != null && v < g ? 'below' : '');
  return row([
    `<td>${e(c.label)}</td>`,
    num(formatDuration(c.responseTargetSeconds)),
    num(formatPercent(c.response), flag(c.response, goal.response)),
    num(formatPointChange(c.response, c.responsePrevious)),
    num(formatDuration(c.solutionTargetSeconds)),
    num(formatPercent(c.solution), flag(c.solution, goal.solution)),
    num(formatPointChange(c.solution, c.solutionPrevious)),
  ]);
}

async function renderCharts(model: WeeklyReportModel): Promise<Record<string, string>> {
  const panels = loadWeeklyDashboard().panels;
  const data: Record<string, object[]> = {
    response_trend: model.trend.filter((t) => t.kind === 'response'),
    solution_trend: model.trend.filter((t) => t.kind === 'solution'),
    category_distribution: model.categories.map((c) => ({ label: categoryLabel(c.category), share: c.share })),
  };
  const svgs = await Promise.all(panels.map((p) => renderChartSvg(p.spec, data[p.id] ?? [])));
  return Object.fromEntries(panels.map((p, i) => [p.id, `<div class="chart"><h3>${e(p.title.pt)}</h3>${svgs[i]}</div>`]));
}

/**
 * The weekly report as one static HTML page in print layout, charts already rendered to SVG:
 * nothing loads after it, so the body carries data-ready="true" from the start. It shows
 * aggregates only: no survey comments, no requester.
 */
export async function renderReportHtml(model: WeeklyReportModel): Promise<string> {
  const charts = await renderCharts(model);
  const { week, queue, shares, quickService: qs, satisfaction: sat } = model;
  const more = model.breaches.total - model.breaches.rows.length;
  const kindLabel = { response: '1ª resposta', solution: 'Solução' } as const;
  const severityLabel = (s: string | null) => model.compliance.find((c) => c.severity === s)?.label ?? s ?? '—';
  return `<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>${e(model.company)} — Relatório semanal ${week.id}</title><style>${STYLE}</style></head>
<body data-page="${REPORT_PAGE_MARKER}" data-ready="true">
<header>
  <div class="company">${e(model.company)}</div>
  <h1>Relatório semanal de SLA</h1>
  <div class="meta">Semana ${week.id}: ${formatDay(week.firstDay)} a ${formatDay(week.lastDay)} · Gerado em ${formatDateTime(model.generatedAt, REPORT_ZONE)} (horário de Brasília)</div>
</header>
<section><h2>Conformidade por severidade</h2>
<table>${row(['Severidade', 'n:Prazo 1ª resposta', 'n:1ª resposta', 'n:Variação', 'n:Prazo solução', 'n:Solução', 'n:Variação'], true)}
${model.compliance.map((c) => complianceRow(c, model.goal)).join('\n')}</table>
<p class="note">Meta: ${formatPercent(model.goal.response)} dos chamados dentro do prazo (1ª resposta) e ${formatPercent(model.goal.solution)} (solução), em horas de atendimento da severidade. Variação em pontos percentuais contra a semana anterior; em vermelho, abaixo da meta.</p>
<div class="charts">${charts.response_trend ?? ''}${charts.solution_trend ?? ''}</div></section>
<section><h2>Violações de SLA (${formatCount(model.breaches.count ?? model.breaches.total)})</h2>
${model.breaches.total === 0 ? '<p>Nenhuma violação na semana.</p>' : `<table>${row(['Chamado', 'Cliente', 'Severidade', 'Prazo perdido', 'n:Excedido em'], true)}
${model.breaches.rows.map((b) => row([`<td>${e(b.ticket)}</td>`, `<td>${e(b.client ?? '—')}</td>`, `<td>${e(severityLabel(b.severity))}</td>`, `<td>${b.missed.map((k) => kindLabel[k]).join(' e ')}</td>`, num(b.overSeconds == null ? 'em aberto' : formatDuration(b.overSeconds))])).join('\n')}</table>
<p class="note">Chamados abertos na semana que perderam o prazo de 1ª resposta ou de solução, em horas de atendimento.</p>
${more > 0 ? `<p class="note">e mais ${formatCount(more)} chamados (os de maior atraso estão listados).</p>` : ''}`}</section>
<section><h2>Fila no fim da semana</h2>
<div class="kpis">${kpi(formatCount(queue.backlog), 'Backlog (chamados abertos)')}${kpi(formatCount(queue.atRisk), 'Em risco')}${kpi(formatCount(queue.overdue), 'Com prazo de solução vencido')}</div></section>
<section><h2>Distribuição por categoria</h2>
${model.categories.length === 0 ? '<p>Nenhum chamado solucionado na semana.</p>' : `${charts.category_distribution ?? ''}
<table>${row(['Categoria', 'n:Chamados', 'n:Participação', 'n:Semana anterior', 'n:Variação'], true)}
${model.categories.map((c) => row([`<td>${e(categoryLabel(c.category))}</td>`, num(formatCount(c.count)), num(formatPercent(c.share)), num(formatPercent(c.previousShare)), num(formatPointChange(c.share, c.previousShare))])).join('\n')}</table>`}
<p>${model.notableShifts.length === 0 ? 'Mudanças notáveis: nenhuma (variação menor que 5 p.p. em todas as categorias).' : `Mudanças notáveis (5 p.p. ou mais): ${model.notableShifts.map((c) => `${e(categoryLabel(c.category))} ${formatPointChange(c.share, c.previousShare)}`).join('; ')}`}</p></section>
<section><h2>Aprovação das soluções</h2>
<div class="kpis">${kpi(formatPercent(shares.approval), 'Aprovadas pelo cliente')}${kpi(formatPercent(shares.rejection), 'Rejeitadas (reabertas)')}${kpi(formatPercent(shares.autoClose), 'Fechadas automaticamente')}</div></section>
<section><h2>Serviço Rápido</h2>
<div class="kpis">${kpi(formatHours(qs.hours), 'Horas aceitas')}${kpi(formatCurrency(qs.value), 'Valor')}</div></section>
<section><h2>Satisfação</h2>
${sat.suppressed ? '<p>Dados suprimidos: menos respostas que o mínimo para mostrar agregados.</p>' : `<div class="kpis">${kpi(formatPercent(sat.csat), 'CSAT (satisfeitos)')}${kpi(formatPercent(sat.responseRate), 'Taxa de resposta')}${kpi(formatCount(sat.insatisfeito), 'Insatisfeitos')}</div>`}
${sat.followUp ? `<p>Acompanhamento dos insatisfeitos: ${Object.entries(sat.followUp).map(([s, n]) => `${e(FOLLOW_UP_LABELS[s] ?? s)}: ${formatCount(n)}`).join(' · ') || 'nenhum'}.</p>` : ''}
<p class="note">Somente agregados; comentários e identidades dos clientes não aparecem neste relatório.</p></section>
</body></html>`;
}
