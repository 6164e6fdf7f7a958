import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { businessSeconds } from '../../src/metrics/calendar/businessTime.js';
import { createCalendars } from '../../src/metrics/calendar/createCalendars.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { flagNames, QUALITY_FLAGS } from '../../src/metrics/sla/qualityFlags.js';
import { freshDatabase } from '../ingest/helpers.js';
import { at, ingestFixture, policy, pseudonymKey, type Row, ticketRows } from './helpers.js';

// tests/fixtures/metrics/quality.ndjson, then quality-late.ndjson as a second ingest batch. All on
// Mon 2 Mar 2026 (local −03:00, 8x5 open 08:00–12:00 and 13:30–17:30) unless said otherwise.
const NOW = at('2026-06-02T15:00:00Z');
const c8x5 = createCalendars(policy).get('8x5')!;

describe('data-quality flags: each is defined behaviour, not a failure', () => {
  let db: Database;
  let rows: Record<string, Row>;
  beforeAll(async () => {
    db = await freshDatabase();
    await ingestFixture(db, 'quality.ndjson');
    await ingestFixture(db, 'quality-late.ndjson');
    await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
    rows = await ticketRows(db);
  });
  afterAll(() => db.close());

  test('duplicate status change: ignored, flagged; an explicit first "novo" is not a duplicate', () => {
    // novo 09:00 (echo of the opening), em_atendimento 09:30 and again 10:00, resolvido 11:00.
    expect(rows['Q-DUP']).toMatchObject({ quality_flags: ['duplicate_status'], response_seconds: 1800, solution_seconds: 7200 });
  });

  test('fechado without resolvido: the closing is the solution instant', () => {
    // Closed (manual) at 14:00 straight from em_atendimento: 09:00–12:00 + 13:30–14:00 = 12,600 s.
    expect(rows['Q-CLOSED']).toMatchObject({
      quality_flags: ['closed_without_resolved'],
      resolved_at: '2026-03-02T17:00:00Z',
      closed_at: '2026-03-02T17:00:00Z',
      close_reason: 'manual',
      solution_seconds: 12600,
      solution_met: true,
    });
  });

  test('a pause that never ends: paused until now, the clock stays where it stopped', () => {
    // In aguardando_cliente since 10:00: consumed 09:00–10:00 = 3,600 s; everything after is pause.
    const paused = businessSeconds(c8x5, '2026-03-02T13:00:00Z', NOW);
    expect(rows['Q-PAUSE']).toMatchObject({
      quality_flags: ['unended_pause'],
      status: 'aguardando_cliente',
      consumed_seconds: 3600,
      paused_seconds: paused,
      state: 'on_track',
      solution_met: null,
    });
  });

  test('resolvido without an answer past the auto-close date: an anomaly', async () => {
    // Resolvido Mon 20 Apr 10:00; Tue 21 is Tiradentes, due the 4th business day, Mon 27 Apr 10:00.
    expect(rows['Q-OVERDUE']).toMatchObject({
      quality_flags: ['auto_close_overdue'],
      status: 'resolvido',
      resolved_at: '2026-04-20T13:00:00Z',
      auto_close_due_at: '2026-04-27T13:00:00Z',
      solution_seconds: 28800,
      state: null,
    });
    // Before the due date it is just awaiting approval.
    await recomputeTickets(db, policy, { full: true, now: at('2026-04-27T12:59:00Z'), pseudonymKey });
    const early = await ticketRows(db, "ticket = 'Q-OVERDUE'");
    expect(early['Q-OVERDUE']!.quality_flags).toEqual([]);
    await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
  });

  test('events before ticket.opened are taken as happening at the opening', () => {
    // em_atendimento at 08:00, an hour before the 09:00 opening: first response at the opening (0 s).
    expect(rows['Q-BEFORE']).toMatchObject({
      quality_flags: ['events_before_opened'],
      opened_at: '2026-03-02T12:00:00Z',
      first_response_at: '2026-03-02T12:00:00Z',
      response_seconds: 0,
      solution_seconds: 3600,
    });
  });

  test('a ticket without ticket.opened opens at its first event', () => {
    // First event em_atendimento 09:00; raised to alta (24x7) at 09:30; resolvido 11:00 → 7,200 s.
    expect(rows['Q-NOOPEN']).toMatchObject({
      quality_flags: ['missing_opened'],
      opened_at: '2026-03-02T12:00:00Z',
      severity: 'alta',
      response_seconds: 0,
      solution_seconds: 7200,
      close_reason: 'approved',
      client: null,
    });
  });

  test('no severity at all: no targets, no SLA numbers, the lifecycle still known', () => {
    expect(rows['Q-NOSEV']).toMatchObject({
      quality_flags: ['auto_close_overdue', 'missing_opened', 'unknown_severity'],
      severity: null,
      status: 'resolvido',
      resolved_at: '2026-03-02T14:00:00Z',
      response_seconds: null,
      solution_seconds: null,
      solution_deadline: null,
      solution_met: null,
    });
  });

  test('out of order: an earlier event ingested after a later one', () => {
    // Q-LATE: em_atendimento 09:30 came in the second batch, after resolvido 11:00. Folded in time order.
    expect(rows['Q-LATE']).toMatchObject({ quality_flags: ['out_of_order'], response_seconds: 1800, solution_seconds: 7200 });
    // Q-INORDER also spans two batches, in time order: no flag.
    expect(rows['Q-INORDER']).toMatchObject({ quality_flags: [], solution_seconds: 7200 });
    expect(Object.values(rows).every((row) => (row.quality_mask as number) < 1 << 30)).toBe(true);
  });

  test('quality_flags (generated in the migration) names the bits as QUALITY_FLAGS does', async () => {
    for (const row of Object.values(rows)) expect(row.quality_flags).toEqual(flagNames(row.quality_mask as number));
    const c = await db.connect();
    try {
      await c.run('BEGIN TRANSACTION');
      await c.run(`INSERT INTO ticket_sla (ticket, reopen_count, quality_mask, evaluated_at, computed_at)
        SELECT 'bit-' || b, 0, 1 << b, now(), now() FROM range(${QUALITY_FLAGS.length}) t(b)`);
      const reader = await c.runAndReadAll(`SELECT quality_flags FROM ticket_sla WHERE ticket LIKE 'bit-%' ORDER BY quality_mask`);
      expect(reader.getRowObjectsJS().map((r) => r.quality_flags)).toEqual(QUALITY_FLAGS.map((f) => [f]));
    } finally {
      await c.run('ROLLBACK');
      c.closeSync();
    }
  });
});
