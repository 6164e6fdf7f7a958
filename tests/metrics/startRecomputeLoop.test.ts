import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { startRecomputeLoop } from '../../src/metrics/startRecomputeLoop.js';
import { freshDatabase, query, tempDir } from '../ingest/helpers.js';
import { at, policy, pseudonymKey, ticketRows } from './helpers.js';

// Two Alta tickets (24x7, solution target 8 h), opened at 10:00Z. OPEN is still being worked;
// DONE was resolved and approved at 11:00Z.
const opened = (ticket: string) => ({ id: `${ticket}-1`, ticket, at: '2026-05-04T10:00:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' });
const events = [
  opened('OPEN'),
  opened('DONE'),
  { id: 'DONE-2', ticket: 'DONE', at: '2026-05-04T11:00:00Z', type: 'ticket.status_changed', status: 'resolvido' },
  { id: 'DONE-3', ticket: 'DONE', at: '2026-05-04T11:05:00Z', type: 'ticket.approval', answer: 'sim' },
  { id: 'DONE-4', ticket: 'DONE', at: '2026-05-04T11:05:00Z', type: 'ticket.status_changed', status: 'fechado', reason: 'approved' },
];

async function ingest(db: Database, lines: object[]) {
  const file = join(tempDir(), 'events.ndjson');
  writeFileSync(file, lines.map((e) => JSON.stringify(e)).join('\n'));
  return ingestFiles(db, [file]);
}

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
  await ingest(db, events);
  await recomputeTickets(db, policy, { full: true, now: at('2026-05-04T11:00:00Z'), pseudonymKey, clock: () => at('2026-05-04T11:00:00Z') });
});
afterAll(() => db.close());

test('the loop moves an open ticket\'s live clock with time and leaves closed tickets alone', async () => {
  const before = await ticketRows(db);
  expect(before.OPEN).toMatchObject({ state: 'on_track', consumed_seconds: 3600 });
  let now = at('2026-05-04T17:00:00Z'); // 7 h consumed of 8 h: at risk (≥ 75 %)
  const recomputes: number[] = [];
  const loop = startRecomputeLoop({ db, policy, clock: () => now, intervalMs: 3_600_000, onRecompute: (r) => recomputes.push(r.tickets) });
  try {
    expect(await loop.runOnce()).toMatchObject({ mode: 'incremental', tickets: 1 });
    let rows = await ticketRows(db);
    expect(rows.OPEN).toMatchObject({ state: 'at_risk', consumed_seconds: 7 * 3600 });
    expect(rows.DONE!.computed_at).toEqual(before.DONE!.computed_at);

    now = at('2026-05-04T19:00:00Z'); // 9 h: breached
    await loop.runOnce();
    rows = await ticketRows(db);
    expect(rows.OPEN).toMatchObject({ state: 'breached', solution_met: false });

    // A late event for the closed ticket (a reopen) is picked up from changed_tickets.
    await ingest(db, [{ id: 'DONE-5', ticket: 'DONE', at: '2026-05-04T12:00:00Z', type: 'ticket.status_changed', status: 'em_atendimento' }]);
    expect(await loop.runOnce()).toMatchObject({ tickets: 2 });
    rows = await ticketRows(db);
    expect(rows.DONE).toMatchObject({ status: 'em_atendimento', reopen_count: 1 });
    expect(recomputes).toEqual([1, 1, 2]);
  } finally {
    await loop.stop();
  }
});

test('with every ticket closed and nothing changed, a pass does nothing', async () => {
  const quiet = await freshDatabase();
  try {
    await ingest(quiet, events.filter((e) => e.ticket === 'DONE'));
    await recomputeTickets(quiet, policy, { full: true, now: at('2026-05-04T12:00:00Z'), pseudonymKey });
    const loop = startRecomputeLoop({ db: quiet, policy, intervalMs: 3_600_000 });
    expect(await loop.runOnce()).toBeUndefined();
    await loop.stop();
  } finally {
    quiet.close();
  }
});

test('a recompute that keeps failing does not grow the queue each tick; once it works, the open tickets are recomputed', async () => {
  const failing = await freshDatabase();
  const exec = async (sql: string) => {
    const c = await failing.connect();
    try {
      await c.run(sql);
    } finally {
      c.closeSync();
    }
  };
  const queue = async () => (await query(failing, 'SELECT ticket FROM changed_tickets ORDER BY ticket')).map((r) => r.ticket);
  try {
    await ingest(failing, events);
    await recomputeTickets(failing, policy, { full: true, now: at('2026-05-04T11:00:00Z'), pseudonymKey });
    // DONE is reopened: ingest lists it once. OPEN is open: only the recompute's own transaction lists it.
    await ingest(failing, [{ id: 'DONE-5', ticket: 'DONE', at: '2026-05-04T12:00:00Z', type: 'ticket.status_changed', status: 'em_atendimento' }]);
    expect(await queue()).toEqual(['DONE']);

    // A real failure inside the recompute's transaction, after it listed the open tickets: its watermark table is gone.
    await exec('ALTER TABLE ticket_sla_state RENAME TO ticket_sla_state_away');
    const errors: string[] = [];
    const logger = { info() {}, error: (_event: string, fields?: Record<string, unknown>) => void errors.push(String(fields?.error)) };
    let now = at('2026-05-04T17:00:00Z');
    const loop = startRecomputeLoop({ db: failing, policy, clock: () => now, intervalMs: 20, logger });
    try {
      for (let ticks = 1; ticks <= 4; ticks++) {
        await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(ticks), { timeout: 5_000, interval: 5 });
        expect(await queue()).toEqual(['DONE']);
      }
    } finally {
      await loop.stop();
    }
    expect(errors.every((e) => /ticket_sla_state/.test(e))).toBe(true);
    expect(await queue()).toEqual(['DONE']);
    expect((await ticketRows(failing)).OPEN).toMatchObject({ state: 'on_track', consumed_seconds: 3600 });

    await exec('ALTER TABLE ticket_sla_state_away RENAME TO ticket_sla_state');
    expect(await loop.runOnce()).toMatchObject({ mode: 'incremental', tickets: 2 });
    const rows = await ticketRows(failing);
    expect(rows.OPEN).toMatchObject({ state: 'at_risk', consumed_seconds: 7 * 3600 });
    expect(rows.DONE).toMatchObject({ status: 'em_atendimento', reopen_count: 1 });
    expect(await queue()).toEqual([]);
  } finally {
    failing.close();
  }
});
