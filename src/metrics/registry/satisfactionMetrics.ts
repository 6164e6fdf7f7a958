import type { Role } from '../../access/roles.js';
import { DIMENSIONS, type MetricDefinition } from './types.js';

/** Who may read anything of the satisfaction zone (DESIGN.md §4: never analysts). */
export const SATISFACTION_ROLES: readonly Role[] = ['lead', 'leadership', 'admin'];

/**
 * Who reads individual answers: leads (they call customers back) and admins. Leadership sees the
 * zone as aggregates only — with small groups suppressed, which individual answers would defeat.
 */
export const ANSWER_READERS: readonly Role[] = ['lead', 'admin'];

const label = (pt: string, en: string) => ({ pt, en });
const satisfaction = (m: Omit<MetricDefinition, 'roles' | 'satisfaction' | 'dimensions'>): MetricDefinition => ({
  roles: SATISFACTION_ROLES,
  satisfaction: true,
  dimensions: DIMENSIONS,
  ...m,
});

/**
 * Satisfaction metrics, read only through the satisfaction zone (src/metrics/satisfaction): role
 * checked, audited, groups under the minimum number of answers suppressed outside the lead role.
 */
export const SATISFACTION_METRICS: readonly MetricDefinition[] = [
  satisfaction({
    name: 'csat',
    label: label('Satisfação (CSAT)', 'Satisfaction (CSAT)'),
    description: label('Respostas "satisfeito" entre as pesquisas respondidas.', '"Satisfeito" answers among the surveys answered.'),
    format: 'percent',
    source: 'survey',
    timeColumn: 'answered_at',
    expression: "count(*) FILTER (WHERE rating = 'satisfeito') / nullif(count(*) FILTER (WHERE rating IS NOT NULL), 0)",
    answers: 'count(*)',
    target: 0.9,
  }),
  satisfaction({
    name: 'survey_response_rate',
    label: label('Taxa de resposta da pesquisa', 'Survey response rate'),
    description: label('Chamados fechados no período cuja pesquisa foi respondida.', 'Tickets closed in the period whose survey was answered.'),
    format: 'percent',
    source: 'survey_tickets',
    timeColumn: 'closed_at',
    expression: 'count(*) FILTER (WHERE answered) / nullif(count(*), 0)',
    answers: 'count(*) FILTER (WHERE answered)',
  }),
  satisfaction({
    name: 'satisfaction_distribution',
    label: label('Respostas por avaliação', 'Answers by rating'),
    format: 'count',
    source: 'survey',
    timeColumn: 'answered_at',
    expression: 'count(*)',
    breakdown: { key: 'rating', expression: 'rating' },
    answers: 'count(*)',
  }),
  satisfaction({
    name: 'insatisfeito_count',
    label: label('Respostas "insatisfeito"', '"Insatisfeito" answers'),
    format: 'count',
    source: 'survey',
    timeColumn: 'answered_at',
    expression: "count(*) FILTER (WHERE rating = 'insatisfeito')",
    answers: 'count(*)',
  }),
];
