import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AccessError, type Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { pseudonymize } from '../../../src/metrics/pseudonymize.js';
import { queryMetric } from '../../../src/metrics/registry/queryMetric.js';
import { SATISFACTION_METRICS } from '../../../src/metrics/registry/satisfactionMetrics.js';
import { listFollowUps } from '../../../src/metrics/satisfaction/listFollowUps.js';
import { listSurveyAnswers } from '../../../src/metrics/satisfaction/listSurveyAnswers.js';
import { query } from '../../ingest/helpers.js';
import { TEST_KEY } from '../helpers.js';
import { fixtureDatabase } from '../registry/fixture.js';
import { refusal } from './refusal.js';

// Surveys of the fixture (tests/metrics/registry/fixture.ts): A1 satisfeito (Acme), A2 score 3 →
// neutro (Acme), B1 insatisfeito "Demorou demais" (Gamma), U1 insatisfeito "Ninguém ligou" (Beta).
// C1 (Gamma) closed without an answer. Four answers in all: below the default minimum of 5.
const analyst: Caller = { role: 'analyst', actor: 'ana@example.com' };
const lead: Caller = { role: 'lead', actor: 'lia@example.com' };
const leadership: Caller = { role: 'leadership', actor: 'diretoria@example.com' };
const MARCH = { from: '2026-03-01', to: '2026-03-21' };

let db: Database;
beforeAll(async () => {
  db = await fixtureDatabase();
});
afterAll(() => db.close());

const auditRows = (where: string) => query(db, `SELECT actor, role, action, target, detail FROM audit_log WHERE ${where} ORDER BY id`);

describe('analysts never read the satisfaction zone', () => {
  test.each(SATISFACTION_METRICS.map((m) => m.name))('%s → 403 forbidden, and the attempt is audited', async (name) => {
    expect(await refusal(queryMetric(db, analyst, { name, ...MARCH }))).toEqual({ status: 403, code: 'forbidden' });
    // Also with a query that is otherwise invalid: the role is checked first.
    expect(await refusal(queryMetric(db, analyst, { name, from: 'x', to: 'y' }))).toEqual({ status: 403, code: 'forbidden' });
    const denied = await auditRows(`action = 'satisfaction.denied' AND target = '${name}'`);
    expect(denied).toHaveLength(2);
    expect(denied[0]).toMatchObject({ actor: 'ana@example.com', role: 'analyst' });
  });

  test('survey answers and the follow-up queue → 403', async () => {
    expect(await refusal(listSurveyAnswers(db, analyst, MARCH))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(listFollowUps(db, analyst))).toEqual({ status: 403, code: 'forbidden' });
  });
});

describe('small groups are suppressed outside the lead role', () => {
  test('leadership: four answers are fewer than five, so csat has no row', async () => {
    const result = await queryMetric(db, leadership, { name: 'csat', ...MARCH });
    expect(result.rows).toEqual([]);
    expect(result.suppressed).toBe(1);
  });

  test('lead: not suppressed (1 satisfeito of 4)', async () => {
    const result = await queryMetric(db, lead, { name: 'csat', ...MARCH });
    expect(result).toMatchObject({ rows: [{ value: 0.25 }], suppressed: 0 });
    expect(result.rows[0]).not.toHaveProperty('answers');
    expect(await queryMetric(db, lead, { name: 'csat', ...MARCH, by: ['client'] })).toMatchObject({
      rows: [
        { client: 'Acme', value: 0.5 },
        { client: 'Beta', value: 0 },
        { client: 'Gamma', value: 0 },
      ],
      suppressed: 0,
    });
  });

  test('the minimum is configurable and applies per group', async () => {
    const overall = await queryMetric(db, leadership, { name: 'csat', ...MARCH }, { minGroupSize: 4 });
    expect(overall).toMatchObject({ rows: [{ value: 0.25 }], suppressed: 0 });
    // By client with a minimum of 2: Acme (2 answers) stays; Beta and Gamma (1 each) go.
    const byClient = await queryMetric(db, { role: 'admin', actor: 'admin@example.com' }, { name: 'csat', ...MARCH, by: ['client'] }, { minGroupSize: 2 });
    expect(byClient).toMatchObject({ rows: [{ client: 'Acme', value: 0.5 }], suppressed: 2 });
  });

  test('a distribution is suppressed by its group, not by each rating', async () => {
    const result = await queryMetric(db, leadership, { name: 'satisfaction_distribution', ...MARCH, by: ['client'] }, { minGroupSize: 2 });
    expect(result.rows).toEqual([
      { client: 'Acme', rating: 'neutro', value: 1 },
      { client: 'Acme', rating: 'satisfeito', value: 1 },
    ]);
    expect(result.suppressed).toBe(2);
  });

  test('the response rate counts answers, not closed tickets, toward the minimum', async () => {
    // Gamma closed two tickets (B1, C1) but only B1 was answered: one answer, suppressed at 2.
    const result = await queryMetric(db, leadership, { name: 'survey_response_rate', ...MARCH, by: ['client'] }, { minGroupSize: 2 });
    expect(result).toMatchObject({ rows: [{ client: 'Acme', value: 1 }], suppressed: 2 });
    const asLead = await queryMetric(db, lead, { name: 'survey_response_rate', ...MARCH, by: ['client'] });
    expect(asLead.rows).toContainEqual({ client: 'Gamma', value: 0.5 });
  });

  test('every aggregate read is audited without answers in the detail', async () => {
    const before = (await auditRows("action = 'satisfaction.read_metric'")).length;
    await queryMetric(db, leadership, { name: 'insatisfeito_count', ...MARCH, by: ['severity'] });
    const after = await auditRows("action = 'satisfaction.read_metric'");
    expect(after).toHaveLength(before + 1);
    const row = after.at(-1)!;
    expect(row).toMatchObject({ actor: 'diretoria@example.com', role: 'leadership', target: 'insatisfeito_count' });
    expect(JSON.parse(String(row.detail))).toMatchObject({ from: MARCH.from, to: MARCH.to, by: ['severity'], rows: 0, suppressed: 3 });
  });
});

describe('individual answers', () => {
  test('a lead reads answers with comments and pseudonymous respondents, newest first', async () => {
    const answers = await listSurveyAnswers(db, lead, MARCH);
    expect(answers.map((a) => [a.ticket, a.rating, a.comment])).toEqual([
      ['U1', 'insatisfeito', 'Ninguém ligou'],
      ['A2', 'neutro', null],
      ['B1', 'insatisfeito', 'Demorou demais'],
      ['A1', 'satisfeito', null],
    ]);
    expect(answers[0]).toMatchObject({ client: 'Beta', answered_at: '2026-03-14T12:00:00Z', requester: pseudonymize(TEST_KEY, 'u1@beta.com.br') });
    expect(JSON.stringify(answers)).not.toContain('@beta.com.br');
  });

  test('filtered by rating and limited; each read audited with the tickets it showed, never the text', async () => {
    const answers = await listSurveyAnswers(db, lead, { ...MARCH, rating: 'insatisfeito', limit: 1 });
    expect(answers.map((a) => a.ticket)).toEqual(['U1']);
    const [row] = (await auditRows("action = 'satisfaction.read_answers'")).slice(-1);
    expect(row).toMatchObject({ actor: lead.actor, role: 'lead', target: 'survey_answers' });
    expect(JSON.parse(String(row!.detail))).toMatchObject({ rating: 'insatisfeito', limit: 1, tickets: ['U1'], rows: 1 });
    expect(String(row!.detail)).not.toContain('Ninguém');
  });

  test('leadership reads aggregates, not individual answers: 403, and the refusal is audited', async () => {
    expect(await refusal(listSurveyAnswers(db, leadership, MARCH))).toEqual({ status: 403, code: 'forbidden' });
    const [row] = (await auditRows("action = 'satisfaction.denied'")).slice(-1);
    expect(row).toMatchObject({ role: 'leadership' });
  });

  test('bad parameters → 400 invalid_query', async () => {
    expect(await refusal(listSurveyAnswers(db, lead, { ...MARCH, limit: 10_000 }))).toEqual({ status: 400, code: 'invalid_query' });
    expect(await refusal(listSurveyAnswers(db, lead, { ...MARCH, rating: 'furioso' as never }))).toEqual({ status: 400, code: 'invalid_query' });
    expect(await refusal(listSurveyAnswers(db, lead, { from: MARCH.to, to: MARCH.from }))).toEqual({ status: 400, code: 'invalid_query' });
  });
});

describe('aggregate-only readers see whole weeks', () => {
  // With the minimum at 1 nothing is suppressed, so only the coarsening stands between leadership
  // and a single answer's rating read by difference.
  const answerTimes = async () =>
    (await query(db, "SELECT strftime(occurred_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS t FROM survey_answers ORDER BY occurred_at")).map((r) => String(r.t));
  const distribution = async (caller: Caller, to: string) =>
    queryMetric(db, caller, { name: 'satisfaction_distribution', from: '2026-03-01', to }, { minGroupSize: 1 });

  test('two periods a second apart around one answer: different for a lead, the same for leadership', async () => {
    const times = await answerTimes();
    const at = times[1]!; // an answer; the period ending just before or just after it
    const after = new Date(Date.parse(at) + 1000).toISOString();
    const leadRows = [(await distribution(lead, at)).rows, (await distribution(lead, after)).rows];
    expect(leadRows[0]).not.toEqual(leadRows[1]);
    const before = await distribution(leadership, at);
    const later = await distribution(leadership, after);
    expect(before.rows).toEqual(later.rows);
    // The period answered is whole weeks from a Monday 00:00 in São Paulo (−03:00).
    expect(new Date(before.from).getUTCDay()).toBe(1);
    expect(before.from).toMatch(/T03:00:00/);
    expect(before.to).toEqual(later.to);
    expect(new Date(before.to).getUTCDay()).toBe(1);
  });

  test('satisfaction by day is refused to leadership (400) but not to a lead; an analyst still only learns 403', async () => {
    expect(await refusal(queryMetric(db, leadership, { name: 'csat', ...MARCH, by: ['day'] }))).toEqual({ status: 400, code: 'invalid_query' });
    expect((await queryMetric(db, lead, { name: 'csat', ...MARCH, by: ['day'] })).rows.length).toBeGreaterThan(0);
    expect(await refusal(queryMetric(db, analyst, { name: 'csat', ...MARCH, by: ['day'] }))).toEqual({ status: 403, code: 'forbidden' });
  });
});
