import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import type { Database } from '../../src/db/openDatabase.js';
import { explainTicket, type TicketExplanation, UnknownTicketError } from '../../src/metrics/explainTicket.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { freshDatabase } from '../ingest/helpers.js';
import { at, ingestFixture, policy, pseudonymKey, ticketRows, TEST_KEY } from './helpers.js';

const NOW = at('2026-06-02T15:00:00Z');

describe('explainTicket', () => {
  let db: Database;
  let tickets: string[];
  const explanations = new Map<string, TicketExplanation>();
  beforeAll(async () => {
    db = await freshDatabase();
    await ingestFixture(db, 'hand-worked.ndjson');
    await ingestFixture(db, 'quality.ndjson');
    await ingestFixture(db, 'quality-late.ndjson');
    await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
    tickets = Object.keys(await ticketRows(db));
    for (const ticket of tickets) explanations.set(ticket, await explainTicket(db, policy, ticket, { now: NOW, pseudonymKey }));
  });
  afterAll(() => db.close());

  test('the explanation carries the ticket_sla row as the recompute wrote it', async () => {
    const rows = await ticketRows(db);
    for (const ticket of tickets) {
      const { computed_at: _a, ...stored } = rows[ticket]!;
      const explained = Object.fromEntries(
        Object.entries(explanations.get(ticket)!).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\.000Z$/, 'Z') : v]),
      );
      const { computed_at: _b, severity_history: history, ...fields } = explained;
      expect({ ...fields, severity_history: stored.severity_history }).toMatchObject({ ...stored });
      expect(Array.isArray(history)).toBe(true);
    }
  });

  test('property: counting segments add up exactly to solution_seconds (consumed for open tickets), paused ones to paused_seconds', () => {
    let checked = 0;
    for (const ticket of tickets) {
      const e = explanations.get(ticket)!;
      if (e.severity === null) {
        expect(e.timeline).toEqual([]);
        continue;
      }
      const sum = (state: string) => e.timeline.filter((s) => s.state === state).reduce((total, s) => total + s.business_seconds, 0);
      expect(sum('counting'), ticket).toBe((e.solution_seconds ?? e.consumed_seconds) as number);
      expect(sum('paused'), ticket).toBe(e.paused_seconds as number);
      expect(sum('outside_hours'), ticket).toBe(0);
      // Ordered, contiguous, from the opening to the solution (or now).
      expect(e.timeline[0]!.from, ticket).toBe(e.opened_at);
      expect(e.timeline.at(-1)!.to, ticket).toBe((e.resolved_at as string | null) ?? new Date(NOW).toISOString());
      for (let k = 1; k < e.timeline.length; k++) expect(e.timeline[k]!.from, ticket).toBe(e.timeline[k - 1]!.to);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  test('H1: the weekend is inside the pause; nights are outside hours', () => {
    const { timeline } = explanations.get('H1')!;
    expect(timeline).toEqual([
      { from: '2026-03-06T20:00:00.000Z', to: '2026-03-06T20:20:00.000Z', state: 'counting', reason: 'novo', business_seconds: 1200 },
      { from: '2026-03-06T20:20:00.000Z', to: '2026-03-06T20:25:00.000Z', state: 'counting', reason: 'em_atendimento', business_seconds: 300 },
      { from: '2026-03-06T20:25:00.000Z', to: '2026-03-09T13:00:00.000Z', state: 'paused', reason: 'aguardando_cliente', business_seconds: 7500 },
      { from: '2026-03-09T13:00:00.000Z', to: '2026-03-09T15:00:00.000Z', state: 'counting', reason: 'em_atendimento', business_seconds: 7200 },
      { from: '2026-03-09T15:00:00.000Z', to: '2026-03-09T16:30:00.000Z', state: 'outside_hours', reason: 'outside_business_hours', business_seconds: 0 },
      { from: '2026-03-09T16:30:00.000Z', to: '2026-03-09T18:00:00.000Z', state: 'counting', reason: 'em_atendimento', business_seconds: 5400 },
    ]);
  });

  test('closed stretches are named: weekend, holiday', () => {
    const reasons = (ticket: string) => explanations.get(ticket)!.timeline.filter((s) => s.state === 'outside_hours').map((s) => s.reason);
    expect(reasons('H4')).toContain('weekend');
    expect(reasons('H8')).toContain('holiday: Dia de Tiradentes');
    expect(explanations.get('H3')!.timeline.find((s) => s.state === 'paused')).toMatchObject({ reason: 'aguardando_aprovacao', business_seconds: 21600 });
  });

  test('severity history is always whole, and explaining writes nothing', async () => {
    expect(explanations.get('H1')!.severity_history).toEqual([{ at: '2026-03-06T20:00:00.000Z', severity: 'media' }]);
    expect(explanations.get('H5')!.severity_history.map((h) => h.severity)).toEqual(['baixa', 'alta']);
    const before = await ticketRows(db);
    await explainTicket(db, policy, 'H7', { now: at('2026-06-04T13:00:00Z'), pseudonymKey });
    expect(await ticketRows(db)).toEqual(before);
  });

  test('an unknown ticket is an error naming it', async () => {
    await expect(explainTicket(db, policy, 'NOPE', { now: NOW, pseudonymKey })).rejects.toBeInstanceOf(UnknownTicketError);
  });
});

describe('prazo recompute and prazo ticket', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDatabase();
    await ingestFixture(db, 'hand-worked.ndjson');
    db.close();
    process.env.PRAZO_PSEUDONYM_KEY = TEST_KEY;
  });
  afterAll(() => {
    delete process.env.PRAZO_PSEUDONYM_KEY;
  });

  async function run(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  test('recompute prints tickets, seconds and mode; a second incremental run has nothing to do', async () => {
    const first = await run('recompute', '--db', db.path, '--now', '2026-06-02T12:00:00-03:00');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ tickets: 8, mode: 'incremental', seconds: expect.any(Number) });
    expect(JSON.parse((await run('recompute', '--db', db.path)).stdout)).toMatchObject({ tickets: 0, mode: 'incremental' });
    expect(JSON.parse((await run('recompute', '--full', '--db', db.path)).stdout)).toMatchObject({ tickets: 8, mode: 'full' });
  });

  test('ticket prints the explanation as one JSON line', async () => {
    const { code, stdout } = await run('ticket', 'H3', '--db', db.path, '--now', '2026-06-02T15:00:00Z');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toMatchObject({ ticket: 'H3', solution_seconds: 14400, calendar: '8x5', timeline: expect.any(Array) });
  });

  test.each([
    [['ticket', 'NOPE'], /^prazo: unknown ticket "NOPE": no events in /],
    [['ticket'], /^prazo: which ticket\?/],
    [['ticket', 'H3', '--now', '2026-06-02T15:00:00'], /^prazo: --now: expected an ISO-8601 instant with offset/],
    [['recompute', '--first-response', 'whenever'], /^prazo: --first-response: expected one of earliest, analyst_reply, status_change/],
  ])('%j exits 2 with a one-line reason', async (argv, message) => {
    const { code, stderr, stdout } = await run(...argv, '--db', db.path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
