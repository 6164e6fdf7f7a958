import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { DEMO_USERS } from '../../src/demo/demoUsers.js';
import { generateDemoEvents } from '../../src/demo/generateDemoEvents.js';
import { isDatabaseEmpty, seedDemo, type SeedResult } from '../../src/demo/seedDemo.js';
import { seedDemoIfEmpty } from '../../src/demo/seedDemoIfEmpty.js';
import { CATEGORIES } from '../../src/ingest/eventSchema.js';
import { createCalendars } from '../../src/metrics/calendar/createCalendars.js';
import { freshDatabase, query, tempDir } from '../ingest/helpers.js';
import { policy, pseudonymKey } from '../metrics/helpers.js';

// "Now" is Tue 2 June 2026, 11:00 in São Paulo (UTC−03:00): the demo year is 2 Jun 2025 – 2 Jun 2026.
const NOW = Date.parse('2026-06-02T14:00:00Z');
const YEAR = 365 * 86_400_000;
const TICKETS = 4000;

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);

describe('the demo year (4,000 tickets, seed 7)', () => {
  let db: Database;
  let seeded: SeedResult;
  const progress: string[] = [];
  beforeAll(async () => {
    db = await freshDatabase();
    seeded = await seedDemo(db, { now: NOW, seed: 7, tickets: TICKETS, policy, pseudonymKey, onProgress: (p) => progress.push(p.phase) });
  });
  afterAll(() => db.close());

  const one = async (sql: string) => (await query(db, sql))[0] as Row;

  test('every event is accepted through the ingest path, and ticket_sla has every ticket', async () => {
    expect(seeded).toMatchObject({ rejected: 0, tickets: TICKETS });
    expect(await one('SELECT count(*)::INTEGER n FROM rejects')).toEqual({ n: 0 });
    expect(await one("SELECT count(*)::INTEGER n, count(DISTINCT source)::INTEGER sources, min(source) AS source FROM events")).toEqual({
      n: seeded.events,
      sources: 1,
      source: 'demo',
    });
    expect(await one('SELECT count(*)::INTEGER n FROM ticket_sla')).toEqual({ n: TICKETS });
    expect(progress[0]).toBe('generate');
    expect(progress).toContain('ingest');
    expect(progress.at(-1)).toBe('done');
    expect(await isDatabaseEmpty(db)).toBe(false);
  });

  test('the year ends at now and covers the 365 days before it', async () => {
    const r = await one('SELECT epoch_ms(min(occurred_at))::DOUBLE lo, epoch_ms(max(occurred_at))::DOUBLE hi FROM events');
    expect(num(r.lo)).toBeGreaterThanOrEqual(NOW - YEAR);
    expect(num(r.lo)).toBeLessThan(NOW - YEAR + 3 * 86_400_000);
    expect(num(r.hi)).toBeLessThanOrEqual(NOW);
    expect(num(r.hi)).toBeGreaterThan(NOW - 3_600_000);
  });

  test('about 20 analysts, 150 clients, four channels, GUT on some tickets', async () => {
    const r = await one(`SELECT count(DISTINCT analyst)::INTEGER analysts, count(DISTINCT client)::INTEGER clients,
      count(DISTINCT channel)::INTEGER channels, (count(gut_score) / count(*))::DOUBLE gut FROM ticket_sla`);
    expect(r.analysts).toBe(20);
    expect(num(r.clients)).toBeGreaterThanOrEqual(140);
    expect(num(r.clients)).toBeLessThanOrEqual(150);
    expect(r.channels).toBe(4);
    expect(num(r.gut)).toBeGreaterThan(0.05);
    expect(num(r.gut)).toBeLessThan(0.4);
  });

  test('all severities, mostly média and baixa, few urgente; some re-rated', async () => {
    const rows = await query(db, 'SELECT severity::VARCHAR s, (count(*) / sum(count(*)) OVER ())::DOUBLE AS share FROM ticket_sla GROUP BY ALL');
    const share = Object.fromEntries(rows.map((r) => [r.s, num(r.share)]));
    expect(Object.keys(share).sort()).toEqual(['alta', 'baixa', 'media', 'urgente']);
    expect(share.media! + share.baixa!).toBeGreaterThan(0.7);
    expect(share.urgente).toBeGreaterThan(0.01);
    expect(share.urgente).toBeLessThan(0.08);
    const changed = await one('SELECT count(*)::INTEGER n FROM ticket_sla WHERE severity_history IS NOT NULL');
    expect(num(changed.n)).toBeGreaterThan(0);
    expect(num(changed.n)).toBeLessThan(TICKETS * 0.06);
  });

  test('all 12 categories with realistic shares: questions, errors and services common, legal demands rare', async () => {
    const rows = await query(db, 'SELECT category c, count(*)::INTEGER n FROM ticket_sla WHERE category IS NOT NULL GROUP BY ALL ORDER BY n DESC');
    expect(rows.map((r) => r.c).sort()).toEqual([...CATEGORIES].sort());
    const top = rows.slice(0, 4).map((r) => r.c);
    expect(top).toEqual(expect.arrayContaining(['erro', 'servicos', 'duvida_explicita']));
    expect(rows.at(-1)!.c).toBe('exigencia_legal');
  });

  test('tickets open mostly in business hours; urgent ones also at night and on weekends', async () => {
    const cal = createCalendars(policy).get('8x5')!;
    const rows = await query(db, 'SELECT epoch_ms(opened_at)::DOUBLE t, severity::VARCHAR s FROM ticket_sla');
    const inHours = (t: number) => cal.openIntervals(t, t + 1).length > 0;
    const business = rows.filter((r) => inHours(num(r.t))).length / rows.length;
    expect(business).toBeGreaterThan(0.8);
    expect(business).toBeLessThan(0.97);
    expect(rows.filter((r) => r.s === 'urgente' && !inHours(num(r.t))).length).toBeGreaterThan(5);
  });

  test('8x5 tickets are answered in business hours', async () => {
    const cal = createCalendars(policy).get('8x5')!;
    const rows = await query(db, `SELECT epoch_ms(e.occurred_at)::DOUBLE t FROM events e JOIN ticket_sla s USING (ticket)
      WHERE e.type = 'ticket.replied' AND e.by_role = 'analyst' AND s.severity IN ('media', 'baixa') AND s.severity_history IS NULL`);
    expect(rows.length).toBeGreaterThan(2000);
    // Within open hours, or a few seconds past a closing instant (events of one ticket are a second apart).
    const outside = rows.filter((r) => cal.openIntervals(num(r.t) - 60_000, num(r.t) + 1).length === 0);
    expect(outside).toEqual([]);
  });

  test('some solutions breach, most meet; some responses breach', async () => {
    const r = await one(`SELECT (count(*) FILTER (WHERE solution_met) / count(solution_met))::DOUBLE sol,
      count(*) FILTER (WHERE NOT solution_met AND resolved_at IS NOT NULL)::INTEGER breached,
      count(*) FILTER (WHERE NOT response_met)::INTEGER late FROM ticket_sla`);
    expect(num(r.sol)).toBeGreaterThan(0.8);
    expect(num(r.sol)).toBeLessThan(0.98);
    expect(num(r.breached)).toBeGreaterThan(20);
    expect(num(r.late)).toBeGreaterThan(20);
  });

  test('closing: approved mostly, some auto-closed 4 business days after resolvido, some reopened by a não', async () => {
    const rows = await query(db, "SELECT close_reason::VARCHAR r, count(*)::INTEGER n FROM ticket_sla WHERE status = 'fechado' GROUP BY ALL");
    const n = Object.fromEntries(rows.map((r) => [r.r, num(r.n)]));
    expect(n.approved).toBeGreaterThan(n.auto!);
    expect(n.auto).toBeGreaterThan(TICKETS * 0.1);
    // The auto-close lands on the policy's due date (to the minute a scheduler would run).
    const late = await one(`SELECT count(*)::INTEGER n FROM ticket_sla WHERE close_reason = 'auto'
      AND NOT (closed_at >= auto_close_due_at AND closed_at <= auto_close_due_at + INTERVAL 5 MINUTE)`);
    expect(late).toEqual({ n: 0 });
    const reopened = await one("SELECT count(*)::INTEGER n FROM ticket_sla WHERE reopen_count > 0 AND status = 'fechado'");
    expect(num(reopened.n)).toBeGreaterThan(TICKETS * 0.03);
    const nao = await one("SELECT count(*)::INTEGER n FROM events WHERE type = 'ticket.approval' AND answer = 'nao'");
    expect(num(nao.n)).toBeGreaterThan(0);
  });

  test('a backlog at now: open tickets in every live status, some at risk and some breached', async () => {
    const rows = await query(db, 'SELECT status::VARCHAR s, state::VARCHAR st, count(*)::INTEGER n FROM ticket_sla WHERE closed_at IS NULL GROUP BY ALL');
    const statuses = new Set(rows.map((r) => r.s));
    for (const s of ['em_atendimento', 'aguardando_cliente', 'resolvido']) expect(statuses).toContain(s);
    const states = new Set(rows.filter((r) => r.st !== null).map((r) => r.st));
    expect(states).toEqual(new Set(['on_track', 'at_risk', 'breached']));
    const paused = await one('SELECT count(*)::INTEGER n FROM ticket_sla WHERE paused_seconds > 0');
    expect(num(paused.n)).toBeGreaterThan(TICKETS * 0.2);
  });

  test('surveys after fechado: about 40% answered, mostly satisfeito, insatisfeito with pt-BR comments', async () => {
    const rate = await one(`SELECT (count(a.ticket) / count(*))::DOUBLE rate, count(*) FILTER (WHERE a.occurred_at <= s.closed_at)::INTEGER early
      FROM ticket_sla s LEFT JOIN survey_answers a USING (ticket) WHERE s.status = 'fechado' AND s.close_reason <> 'manual'`);
    expect(num(rate.rate)).toBeGreaterThan(0.3);
    expect(num(rate.rate)).toBeLessThan(0.5);
    expect(rate.early).toBe(0);
    const rows = await query(db, 'SELECT rating, count(*)::INTEGER n, count(comment)::INTEGER c FROM survey_answers GROUP BY ALL');
    const by = Object.fromEntries(rows.map((r) => [r.rating, r]));
    const total = rows.reduce((s, r) => s + num(r.n), 0);
    expect(num(by.satisfeito!.n) / total).toBeGreaterThan(0.65);
    expect(num(by.neutro!.n)).toBeGreaterThan(0);
    expect(num(by.insatisfeito!.c)).toBeGreaterThan(0);
    const comments = await query(db, "SELECT DISTINCT comment FROM survey_answers WHERE rating = 'insatisfeito' AND comment IS NOT NULL");
    expect(comments.length).toBeGreaterThan(5);
    expect(comments.map((r) => r.comment).join(' ')).toMatch(/chamado|problema|resposta|atendimento/);
    // Answers live only in the satisfaction zone.
    expect(await one("SELECT count(*)::INTEGER n FROM events_as_sent WHERE raw LIKE '%insatisfeito%'")).toEqual({ n: 0 });
  });

  test('Serviço Rápido: quotes of at most 4 h mostly, a few over, at R$ 150–250 an hour, accepted or declined', async () => {
    const rows = await query(db, `SELECT type, count(*)::INTEGER n, count(*) FILTER (WHERE hours > 4)::INTEGER AS over_4h,
      min(hourly_rate) lo, max(hourly_rate) hi FROM events WHERE type LIKE 'quick_service.%' GROUP BY ALL`);
    const by = Object.fromEntries(rows.map((r) => [r.type, r]));
    const proposed = by['quick_service.proposed']!;
    expect(num(proposed.n)).toBeGreaterThan(20);
    expect(num(proposed.over_4h)).toBeGreaterThan(0);
    expect(num(proposed.over_4h) / num(proposed.n)).toBeLessThan(0.2);
    expect(num(proposed.lo)).toBeGreaterThanOrEqual(150);
    expect(num(proposed.hi)).toBeLessThanOrEqual(250);
    expect(num(by['quick_service.accepted']!.n)).toBeGreaterThan(num(by['quick_service.declined']!.n));
    expect(num(by['quick_service.declined']!.n)).toBeGreaterThan(0);
  });

  test('the demo analyst is one of the analysts and has tickets of her own', async () => {
    const analyst = DEMO_USERS.find((u) => u.role === 'analyst')!;
    expect(DEMO_USERS.map((u) => u.role)).toEqual(['analyst', 'lead', 'leadership', 'admin']);
    const r = await query(db, 'SELECT count(*)::INTEGER n FROM ticket_sla WHERE analyst = $name', { name: analyst.name });
    expect(num(r[0]!.n)).toBeGreaterThan(TICKETS / 40);
  });
});

describe('determinism', () => {
  const digest = (events: unknown[]) => createHash('sha256').update(JSON.stringify(events)).digest('hex');

  test('the same seed and now give the same events; another seed gives others', () => {
    const a = generateDemoEvents({ seed: 11, now: NOW, tickets: 800, policy });
    const b = generateDemoEvents({ seed: 11, now: new Date(NOW), tickets: 800, policy });
    const c = generateDemoEvents({ seed: 12, now: NOW, tickets: 800, policy });
    expect(a.length).toBeGreaterThan(800 * 5);
    expect(digest(a)).toBe(digest(b));
    expect(digest(c)).not.toBe(digest(a));
    expect(new Set(a.map((e) => e.id)).size).toBe(a.length);
  });
});

describe('npm start', () => {
  test('seeds an empty database once, and not at all with PRAZO_DEMO=0', async () => {
    const path = join(tempDir(), 'prazo.duckdb');
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const open = () => openDatabase(path);
    const off = await seedDemoIfEmpty(() => Promise.reject(new Error('must not open')), policy, write, { env: { PRAZO_DEMO: '0' } });
    expect(off).toBeUndefined();
    const first = await seedDemoIfEmpty(open, policy, write, { now: NOW, tickets: 300, env: {} });
    expect(first).toMatchObject({ tickets: 300, rejected: 0 });
    expect(lines.join('\n')).toMatch(/Demonstração pronta: [\d.]+ eventos, 300 chamados/);
    const again = await seedDemoIfEmpty(open, policy, write, { now: NOW, tickets: 300, env: {} });
    expect(again).toBeUndefined();
  });
});

describe('full size', () => {
  test('a year of 24,000 tickets seeds in well under 30 s', async () => {
    const db = await freshDatabase();
    try {
      const result = await seedDemo(db, { now: NOW, policy, pseudonymKey });
      expect(result).toMatchObject({ tickets: 24_000, rejected: 0 });
      expect(result.events).toBeGreaterThan(200_000);
      expect(result.seconds).toBeLessThan(30);
      // The demo analyst's queue shows what the Em risco page is for.
      const ana = await query(db, `SELECT count(*) FILTER (WHERE state IN ('at_risk', 'breached'))::INTEGER risky, count(*)::INTEGER open
        FROM ticket_sla WHERE analyst = $name AND resolved_at IS NULL`, { name: DEMO_USERS[0]!.name });
      expect(num(ana[0]!.open)).toBeGreaterThan(3);
      expect(num(ana[0]!.risky)).toBeGreaterThan(0);
      process.stderr.write(`demo seed: ${result.events} events, ${result.tickets} tickets in ${result.seconds.toFixed(2)} s\n`);
    } finally {
      db.close();
    }
  }, 60_000);
});
