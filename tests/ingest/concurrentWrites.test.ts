import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import type { RawRecord } from '../../src/ingest/types.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { policy, pseudonymKey } from '../metrics/helpers.js';
import { freshDatabase, query } from './helpers.js';

const NOW = Date.parse('2026-03-20T00:00:00Z');

/** Events as an NDJSON reader gives them. */
function records(events: Record<string, unknown>[]): RawRecord[] {
  return events.map((value, i) => ({ position: i + 1, raw: JSON.stringify(value), value }));
}
const opened = (ticket: string) => ({ id: `${ticket}:o`, ticket, at: '2026-03-02T11:00:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' });
const status = (ticket: string, n: number, value: string) => ({
  id: `${ticket}:${n}`,
  ticket,
  at: new Date(Date.parse('2026-03-02T11:00:00Z') + n * 60_000).toISOString(),
  type: 'ticket.status_changed',
  status: value,
});

async function withDatabase(work: (db: Database) => Promise<void>) {
  const db = await freshDatabase();
  try {
    await work(db);
  } finally {
    db.close();
  }
}

describe('ingest while the metrics recompute, on the same database', () => {
  test('a batch committed during a recompute that clears changed_tickets stays listed for the next one', () =>
    withDatabase(async (db) => {
      const first = await EventWriter.open(db, { source: 's', origin: 'a', format: 'ndjson' });
      await first.write(records([opened('T-1')]));
      await first.finish();
      // What a recompute does, held open: it read the events, then cleared the list (T-1 included).
      const recompute = await db.connect();
      await recompute.run('BEGIN TRANSACTION');
      await recompute.run('SELECT count(*) FROM events');
      await recompute.run('DELETE FROM changed_tickets');

      const writer = await EventWriter.open(db, { source: 's', origin: 'b', format: 'ndjson' });
      expect(await writer.write(records([status('T-1', 1, 'em_atendimento'), opened('T-2')]))).toMatchObject({ accepted: 2 });
      expect(await writer.finish()).toMatchObject({ read: 2, accepted: 2, duplicates: 0 });
      await recompute.run('COMMIT');
      recompute.closeSync();
      // T-1 got an event the recompute never saw: it must still be listed.
      expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-1' }, { ticket: 'T-2' }]);
    }));

  test('batches written while recomputes run: every event, no error on either side, nothing left out of ticket_sla', () =>
    withDatabase(async (db) => {
      const tickets = Array.from({ length: 30 }, (_, i) => `T-${i}`);
      const writer = await EventWriter.open(db, { source: 's', origin: 'loop', format: 'ndjson' });
      await writer.write(records(tickets.map(opened)));
      let writing = true;
      let recomputes = 0;
      const recomputing = (async () => {
        while (writing) {
          await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
          recomputes++;
        }
      })();
      const steps = ['em_atendimento', 'aguardando_cliente', 'em_atendimento', 'resolvido'];
      try {
        for (let batch = 0; batch < 40; batch++) {
          const value = steps[batch % steps.length]!;
          await writer.write(records(tickets.filter((_, i) => (i + batch) % 3 === 0).map((t) => status(t, batch + 1, value))));
        }
      } finally {
        writing = false;
        await recomputing;
      }
      expect(await writer.finish()).toMatchObject({ accepted: 30 + 400, duplicates: 0, rejected: 0, tickets: 30 });
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 430 }]);
      expect(recomputes).toBeGreaterThan(0);
      // One more incremental recompute catches up with what is listed: it must equal a full one.
      await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
      const columns = 'ticket, last_event_at, status, solution_seconds, paused_seconds';
      const incremental = await query(db, `SELECT ${columns} FROM ticket_sla ORDER BY ticket`);
      await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
      expect(incremental).toEqual(await query(db, `SELECT ${columns} FROM ticket_sla ORDER BY ticket`));
      expect(incremental).toHaveLength(30);
    }), 30_000);
});

describe('a batch whose transaction conflicts with another', () => {
  /** Another transaction holding the run's row, as a concurrent writer of it would. */
  async function holdRun(db: Database, runId: number) {
    const other = await db.connect();
    await other.run('BEGIN TRANSACTION');
    await other.run('UPDATE ingest_runs SET read = read + 1 WHERE id = $runId', { runId });
    return other;
  }

  test('is retried with a pause until the other ends, and written once', () =>
    withDatabase(async (db) => {
      const writer = await EventWriter.open(db, { source: 's', origin: 'a', format: 'ndjson' });
      const other = await holdRun(db, writer.runId);
      let done = false;
      const writing = writer.write(records([opened('T-1'), opened('T-2')])).finally(() => (done = true));
      await sleep(150);
      expect(done).toBe(false);
      await other.run('ROLLBACK');
      other.closeSync();
      expect(await writing).toMatchObject({ read: 2, accepted: 2, duplicates: 0 });
      expect(await writer.finish()).toMatchObject({ read: 2, accepted: 2, tickets: 2 });
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 2 }]);
      expect(await query(db, 'SELECT DISTINCT ticket FROM changed_tickets ORDER BY ticket')).toEqual([{ ticket: 'T-1' }, { ticket: 'T-2' }]);
      expect(await query(db, 'SELECT read::INTEGER AS read, accepted::INTEGER AS accepted FROM ingest_runs')).toEqual([{ read: 2, accepted: 2 }]);
    }));

  test('gives up after a bounded number of tries, writing nothing', () =>
    withDatabase(async (db) => {
      const writer = await EventWriter.open(db, { source: 's', origin: 'a', format: 'ndjson' });
      const other = await holdRun(db, writer.runId);
      const started = Date.now();
      await expect(writer.write(records([opened('T-1')]))).rejects.toThrow(/Conflict/);
      expect(Date.now() - started).toBeLessThan(5_000);
      await other.run('ROLLBACK');
      other.closeSync();
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 0 }]);
      expect(writer.totals).toMatchObject({ read: 0, accepted: 0 });
      await writer.finish();
    }), 10_000);
});
