import { ROLES } from '../../access/roles.js';
import { TIME_DIMENSIONS } from './parseMetricQuery.js';
import { DIMENSIONS, type Dimension, type MetricDefinition } from './types.js';

/**
 * The SLA, backlog, category, approval, GUT and Serviço Rápido metrics: every role reads them
 * (analysts included: DESIGN.md §4). Percent values are 0–1 ratios; hours are business hours.
 */
const ALL: readonly Dimension[] = DIMENSIONS;
const NOT_TIME: readonly Dimension[] = DIMENSIONS.filter((d) => !TIME_DIMENSIONS.includes(d));
const WITHOUT_CATEGORY: readonly Dimension[] = DIMENSIONS.filter((d) => d !== 'category');

/** When a ticket's response (solution) target was decided: met or missed, or missed while still open. */
const RESPONSE_DECIDED_AT = 'coalesce(first_response_at, CASE WHEN response_met = false THEN response_deadline END)';
const SOLUTION_DECIDED_AT = 'coalesce(resolved_at, CASE WHEN solution_met = false THEN solution_deadline END)';

const label = (pt: string, en: string) => ({ pt, en });
const sla = (m: Omit<MetricDefinition, 'source' | 'roles'> & Partial<Pick<MetricDefinition, 'source'>>): MetricDefinition => ({
  source: 'ticket_sla',
  roles: ROLES,
  ...m,
});

export const SLA_METRICS: readonly MetricDefinition[] = [
  sla({
    name: 'tickets_opened',
    label: label('Chamados abertos', 'Tickets opened'),
    format: 'count',
    timeColumn: 'opened_at',
    expression: 'count(*)',
    dimensions: ALL,
  }),
  sla({
    name: 'tickets_solved',
    label: label('Chamados solucionados', 'Tickets solved'),
    description: label('Chamados com solução no período (resolvido aceito, fechado automaticamente ou aguardando aprovação).', 'Tickets solved in the period (resolvido accepted, auto-closed or awaiting approval).'),
    format: 'count',
    timeColumn: 'resolved_at',
    expression: 'count(*)',
    dimensions: ALL,
  }),
  sla({
    name: 'response_compliance',
    label: label('Cumprimento da 1ª resposta', 'First-response compliance'),
    description: label('Respostas dentro do prazo entre as já decididas (respondidas, ou sem resposta após o prazo).', 'Responses within target among those decided (answered, or unanswered past the deadline).'),
    format: 'percent',
    timeColumn: RESPONSE_DECIDED_AT,
    expression: 'count(*) FILTER (WHERE response_met) / nullif(count(*) FILTER (WHERE response_met IS NOT NULL), 0)',
    dimensions: ALL,
    target: 0.95,
  }),
  sla({
    name: 'solution_compliance',
    label: label('Cumprimento da solução', 'Solution compliance'),
    description: label('Soluções dentro do prazo entre as já decididas (solucionadas, ou abertas após o prazo).', 'Solutions within target among those decided (solved, or still open past the deadline).'),
    format: 'percent',
    timeColumn: SOLUTION_DECIDED_AT,
    expression: 'count(*) FILTER (WHERE solution_met) / nullif(count(*) FILTER (WHERE solution_met IS NOT NULL), 0)',
    dimensions: ALL,
    target: 0.95,
  }),
  sla({
    name: 'breaches',
    label: label('Violações de SLA', 'SLA breaches'),
    description: label('Chamados abertos no período que perderam o prazo de resposta ou de solução.', 'Tickets opened in the period that missed the response or the solution target.'),
    format: 'count',
    timeColumn: 'opened_at',
    expression: 'count(*) FILTER (WHERE response_met = false OR solution_met = false)',
    dimensions: ALL,
  }),
  sla({
    name: 'response_hours_median',
    label: label('1ª resposta: mediana (horas úteis)', 'First response: median (business hours)'),
    format: 'hours',
    timeColumn: 'first_response_at',
    expression: 'median(response_seconds) / 3600',
    dimensions: ALL,
  }),
  sla({
    name: 'response_hours_p90',
    label: label('1ª resposta: p90 (horas úteis)', 'First response: p90 (business hours)'),
    format: 'hours',
    timeColumn: 'first_response_at',
    expression: 'quantile_cont(response_seconds, 0.9) / 3600',
    dimensions: ALL,
  }),
  sla({
    name: 'solution_hours_median',
    label: label('Solução: mediana (horas úteis)', 'Solution: median (business hours)'),
    description: label('Tempo de solução descontadas as pausas (aguardando cliente).', 'Solution time minus the pauses (waiting on the customer).'),
    format: 'hours',
    timeColumn: 'resolved_at',
    expression: 'median(solution_seconds) / 3600',
    dimensions: ALL,
  }),
  sla({
    name: 'solution_hours_p90',
    label: label('Solução: p90 (horas úteis)', 'Solution: p90 (business hours)'),
    format: 'hours',
    timeColumn: 'resolved_at',
    expression: 'quantile_cont(solution_seconds, 0.9) / 3600',
    dimensions: ALL,
  }),
  sla({
    name: 'paused_hours',
    label: label('Horas em pausa (aguardando cliente)', 'Paused hours (waiting on the customer)'),
    description: label('Soma das horas úteis em pausa dos chamados solucionados no período.', 'Sum of the paused business hours of the tickets solved in the period.'),
    format: 'hours',
    timeColumn: 'resolved_at',
    expression: 'coalesce(sum(paused_seconds), 0) / 3600',
    dimensions: ALL,
  }),
  sla({
    name: 'backlog',
    label: label('Chamados em aberto (backlog)', 'Open tickets (backlog)'),
    description: label('Chamados abertos e ainda sem solução no fim do período (ou de cada semana, mês ou dia).', 'Tickets opened and not yet solved at the end of the period (or of each week, month or day).'),
    format: 'count',
    timeColumn: 'opened_at',
    snapshotEnd: 'resolved_at',
    expression: 'count(*)',
    dimensions: ALL,
  }),
  sla({
    name: 'at_risk',
    label: label('Chamados em risco', 'Tickets at risk'),
    description: label('Chamados abertos no período, ainda sem solução, com o prazo de solução quase consumido (no último recálculo).', 'Tickets opened in the period, still unsolved, with most of the solution target used (as of the last recompute).'),
    format: 'count',
    timeColumn: 'opened_at',
    expression: "count(*) FILTER (WHERE resolved_at IS NULL AND state = 'at_risk')",
    dimensions: NOT_TIME,
  }),
  sla({
    name: 'reopen_rate',
    label: label('Taxa de reabertura', 'Reopen rate'),
    format: 'percent',
    timeColumn: 'resolved_at',
    expression: 'count(*) FILTER (WHERE reopen_count > 0) / nullif(count(*), 0)',
    dimensions: ALL,
  }),
  sla({
    name: 'approval_share',
    label: label('Fechados com aprovação do cliente', 'Closed with customer approval'),
    format: 'percent',
    timeColumn: 'closed_at',
    expression: "count(*) FILTER (WHERE close_reason = 'approved') / nullif(count(*) FILTER (WHERE close_reason IS NOT NULL), 0)",
    dimensions: ALL,
  }),
  sla({
    name: 'auto_close_share',
    label: label('Fechados automaticamente', 'Closed automatically'),
    description: label('Sem resposta do cliente em 4 dias úteis.', 'No answer from the customer within 4 business days.'),
    format: 'percent',
    timeColumn: 'closed_at',
    expression: "count(*) FILTER (WHERE close_reason = 'auto') / nullif(count(*) FILTER (WHERE close_reason IS NOT NULL), 0)",
    dimensions: ALL,
  }),
  sla({
    name: 'rejection_share',
    label: label('Soluções rejeitadas pelo cliente', 'Solutions rejected by the customer'),
    description: label('Chamados fechados no período que foram reabertos ao menos uma vez.', 'Tickets closed in the period that were reopened at least once.'),
    format: 'percent',
    timeColumn: 'closed_at',
    expression: 'count(*) FILTER (WHERE reopen_count > 0) / nullif(count(*), 0)',
    dimensions: ALL,
  }),
  sla({
    name: 'category_distribution',
    label: label('Chamados por categoria', 'Tickets by category'),
    format: 'count',
    timeColumn: 'closed_at',
    expression: 'count(*)',
    breakdown: { key: 'category', expression: 'category' },
    dimensions: WITHOUT_CATEGORY,
  }),
  sla({
    name: 'category_share',
    label: label('Participação da categoria', 'Category share'),
    description: label('Parte de cada categoria entre os chamados categorizados do grupo (por cliente, com --by client).', "Each category's part of the group's categorised tickets (per client, with --by client)."),
    format: 'percent',
    timeColumn: 'closed_at',
    expression: 'count(*) FILTER (WHERE category IS NOT NULL) / nullif(sum(count(*) FILTER (WHERE category IS NOT NULL)) OVER ({partition}), 0)',
    breakdown: { key: 'category', expression: 'category' },
    dimensions: WITHOUT_CATEGORY,
  }),
  sla({
    name: 'duvida_explicita_share',
    label: label('Dúvida Explícita (lacuna de documentação)', 'Explicit question (documentation gap)'),
    format: 'percent',
    timeColumn: 'closed_at',
    expression: "count(*) FILTER (WHERE category = 'duvida_explicita') / nullif(count(*) FILTER (WHERE category IS NOT NULL), 0)",
    dimensions: WITHOUT_CATEGORY,
  }),
  sla({
    name: 'gut_distribution',
    label: label('Chamados por faixa GUT', 'Tickets by GUT band'),
    description: label('Gravidade × urgência × tendência (1–125), quando registrado.', 'Gravity × urgency × tendency (1–125), when recorded.'),
    format: 'count',
    timeColumn: 'opened_at',
    expression: 'count(*)',
    // Bands of 25, zero-padded so they sort; NULL: no GUT recorded.
    breakdown: {
      key: 'gut_band',
      expression:
        "CASE WHEN gut_score IS NULL THEN NULL WHEN gut_score <= 25 THEN '001–025' WHEN gut_score <= 50 THEN '026–050' " +
        "WHEN gut_score <= 75 THEN '051–075' WHEN gut_score <= 100 THEN '076–100' ELSE '101–125' END",
    },
    dimensions: ALL,
  }),
  sla({
    name: 'quick_service_hours',
    label: label('Serviço Rápido: horas aceitas', 'Quick service: hours accepted'),
    format: 'hours',
    source: 'quick_service',
    timeColumn: 'occurred_at',
    expression: "coalesce(sum(hours) FILTER (WHERE outcome = 'accepted'), 0)",
    dimensions: ALL,
  }),
  sla({
    name: 'quick_service_value',
    label: label('Serviço Rápido: valor aceito', 'Quick service: value accepted'),
    description: label('Horas × valor-hora dos serviços aceitos.', 'Hours × hourly rate of the accepted jobs.'),
    format: 'currency',
    source: 'quick_service',
    timeColumn: 'occurred_at',
    expression: "coalesce(sum(value) FILTER (WHERE outcome = 'accepted'), 0)",
    dimensions: ALL,
  }),
  sla({
    name: 'quick_service_over_4h',
    label: label('Serviço Rápido acima de 4 h', 'Quick service over 4 h'),
    description: label('Serviços propostos ou aceitos com mais de 4 horas (fora da regra do Serviço Rápido).', 'Jobs proposed or accepted for more than 4 hours (outside the quick-service rule).'),
    format: 'count',
    source: 'quick_service',
    timeColumn: 'occurred_at',
    expression: "count(*) FILTER (WHERE outcome <> 'declined' AND hours > 4)",
    dimensions: ALL,
  }),
];
