import { type Caller, invalidQuery as invalid } from '../../access/roles.js';
import { ANSWER_READERS } from '../registry/satisfactionMetrics.js';
import type { Database } from '../../db/openDatabase.js';
import { parsePeriod } from '../registry/parseMetricQuery.js';
import { accessSatisfaction } from './accessSatisfaction.js';

export const RATINGS = ['satisfeito', 'neutro', 'insatisfeito'] as const;
export type Rating = (typeof RATINGS)[number];
export const MAX_ANSWERS = 500;
export { ANSWER_READERS };

export interface ListSurveyAnswersParams {
  /** Inclusive start, exclusive end of the answer instant: ISO instants or dates (São Paulo). */
  from: string;
  to: string;
  rating?: Rating;
  /** At most MAX_ANSWERS; default 100. */
  limit?: number;
}

/** One survey answer as a lead reads it. The respondent is the ticket's requester pseudonym. */
export interface SurveyAnswerRow {
  answer_source: string;
  answer_id: string;
  ticket: string;
  answered_at: string;
  rating: Rating | null;
  score: number | null;
  comment: string | null;
  client: string | null;
  requester: string | null;
  analyst: string | null;
  severity: string | null;
  category: string | null;
}

/**
 * Individual survey answers, newest first, for ANSWER_READERS (others: 403). Each read is
 * audited with its parameters and the tickets it showed (never the ratings or the comments).
 */
export async function listSurveyAnswers(db: Database, caller: Caller, params: ListSurveyAnswersParams): Promise<SurveyAnswerRow[]> {
  const { rows } = await accessSatisfaction<SurveyAnswerRow>(db, caller, {
    action: 'satisfaction.read_answers',
    target: 'survey_answers',
    roles: ANSWER_READERS,
    detail: { from: params.from, to: params.to, rating: params.rating ?? null, limit: params.limit ?? null },
    auditResult: (read) => ({ tickets: [...new Set(read.map((row) => row.ticket))] }),
    run: async (connection) => {
      const period = parsePeriod(params.from, params.to);
      if (params.rating !== undefined && !RATINGS.includes(params.rating)) throw invalid(`rating: esperava ${RATINGS.join(', ')}`);
      const limit = params.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANSWERS) throw invalid(`limit: esperava um inteiro de 1 a ${MAX_ANSWERS}`);
      const reader = await connection.runAndReadAll(
        `SELECT f.answer_source, f.answer_id, f.ticket, strftime(f.answered_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS answered_at,
           f.rating, f.score::INTEGER AS score, a.comment, f.client, f.requester::VARCHAR AS requester, f.analyst,
           f.severity::VARCHAR AS severity, f.category
         FROM survey_facts f JOIN survey_answers a ON a.source = f.answer_source AND a.id = f.answer_id
         WHERE f.answered_at >= to_timestamp($from) AND f.answered_at < to_timestamp($to)
           AND ($rating::VARCHAR IS NULL OR f.rating = $rating::VARCHAR)
         ORDER BY f.answered_at DESC, f.answer_source, f.answer_id
         LIMIT $limit`,
        { from: period.fromSeconds, to: period.toSeconds, rating: params.rating ?? null, limit },
      );
      return reader.getRowObjectsJS() as unknown as SurveyAnswerRow[];
    },
  });
  return rows;
}
