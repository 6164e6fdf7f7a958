import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../bench/tickets.js';
import { describe, expect, test } from 'vitest';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { freshDatabase, query, tempDir } from '../ingest/helpers.js';
import { at, policy, pseudonymKey } from './helpers.js';


const STATUSES = ['novo', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado'];
const SEVERITIES = ['urgente', 'alta', 'media', 'baixa'];

/**
 * Random tickets with every kind of event the fold cares about, including the messy ones: missing
 * openings, events before the opening, duplicate and backward status changes, approvals with and
 * without a pending resolvido, closes without resolvido, severity changes, same-second events.
 */
function randomEvents(seed: number, tickets: number): Record<string, unknown>[] {
  const rnd = prng(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(rnd() * values.length)]!;
  const events: Record<string, unknown>[] = [];
  for (let t = 0; t < tickets; t++) {
    const ticket = `R${seed}-${t}`;
    let clock = at('2026-03-02T11:00:00Z') + Math.floor(rnd() * 20 * 86_400) * 1000;
    const add = (fields: Record<string, unknown>) =>
      events.push({ id: `${ticket}-${events.length}`, ticket, at: new Date(clock).toISOString(), ...fields });
    if (rnd() < 0.92) add({ type: 'ticket.opened', severity: pick(SEVERITIES), client: pick(['Acme', 'Beta']), requester: pick(['a@x', 'b@x', 'c@x']) });
    const steps = 1 + Math.floor(rnd() * 9);
    for (let s = 0; s < steps; s++) {
      const r = rnd();
      clock += r < 0.1 ? 0 : r < 0.15 ? -3_600_000 : Math.floor(rnd() * 3 * 86_400) * 1000;
      const kind = rnd();
      if (kind < 0.55) add({ type: 'ticket.status_changed', status: pick(STATUSES), ...(rnd() < 0.5 ? { reason: pick(['approved', 'auto', 'manual']) } : {}) });
      else if (kind < 0.7) add({ type: 'ticket.approval', answer: pick(['sim', 'nao']) });
      else if (kind < 0.8) add({ type: 'ticket.replied', by: pick(['analyst', 'customer']) });
      else if (kind < 0.88) add({ type: 'ticket.severity_changed', severity: pick(SEVERITIES) });
      else if (kind < 0.94) add({ type: 'ticket.assigned', analyst: pick(['ana', 'bruno']) });
      else add({ type: 'ticket.categorized', category: pick(['erro', 'duvida_explicita']) });
    }
  }
  return events;
}

function shuffle<T>(values: T[], rnd: () => number): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

const NOW = at('2026-04-15T15:00:00Z');
const ROWS = `SELECT * EXCLUDE (computed_at) FROM ticket_sla ORDER BY ticket`;

describe('recompute equivalence', () => {
  test.each([1, 2, 3])('incremental after random small batches (in random order) equals a full recompute (seed %i)', async (seed) => {
    const rnd = prng(seed * 7919);
    const events = shuffle(randomEvents(seed, 30), rnd);
    const db = await freshDatabase();
    const dir = tempDir('prazo-equivalence-');
    try {
      let batches = 0;
      for (let i = 0; i < events.length; batches++) {
        const size = 1 + Math.floor(rnd() * 8);
        const file = join(dir, `batch-${batches}.ndjson`);
        writeFileSync(file, `${events.slice(i, i + size).map((e) => JSON.stringify(e)).join('\n')}\n`);
        i += size;
        const ingested = await ingestFiles(db, [file]);
        expect(ingested.rejected).toBe(0);
        // Not after every batch: an incremental run may also cover several batches.
        if (rnd() < 0.7 || i >= events.length) await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
      }
      expect(batches).toBeGreaterThan(15);
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM changed_tickets')).toEqual([{ n: 0 }]);
      const incremental = await query(db, ROWS);
      const full = await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
      expect(full.tickets).toBe(30);
      expect(await query(db, ROWS)).toEqual(incremental);
      // The messy cases did occur.
      const flags = await query(db, `SELECT DISTINCT unnest(quality_flags) AS f FROM ticket_sla ORDER BY f`);
      expect(flags.map((r) => r.f)).toEqual(expect.arrayContaining(['out_of_order', 'duplicate_status']));
    } finally {
      db.close();
    }
  });

  test('late events dated before and after a ticket’s others are found, with or without a usable watermark', async () => {
    const db = await freshDatabase();
    const dir = tempDir('prazo-watermark-');
    const ingest = async (name: string, events: Record<string, unknown>[]) => {
      const file = join(dir, name);
      writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
      await ingestFiles(db, [file]);
    };
    const ticket = (id: string, day: number) => [
      { id: `${id}-o`, ticket: id, at: `2026-03-${day}T12:00:00Z`, type: 'ticket.opened', severity: 'media', client: 'Acme' },
      { id: `${id}-r`, ticket: id, at: `2026-03-${day}T15:00:00Z`, type: 'ticket.status_changed', status: 'resolvido' },
    ];
    try {
      await ingest('a.ndjson', [...ticket('OLD', 10), ...ticket('NEW', 20)]);
      await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
      // OLD's pause arrives late, and so does its closing, dated after every other event: the
      // incremental run reads events within a date window, which must reach both.
      await ingest('b.ndjson', [
        { id: 'OLD-p', ticket: 'OLD', at: '2026-03-10T13:00:00Z', type: 'ticket.status_changed', status: 'aguardando_cliente' },
        { id: 'OLD-e', ticket: 'OLD', at: '2026-03-10T14:00:00Z', type: 'ticket.status_changed', status: 'em_atendimento' },
        { id: 'OLD-c', ticket: 'OLD', at: '2026-03-30T12:00:00Z', type: 'ticket.status_changed', status: 'fechado', reason: 'auto' },
      ]);
      await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
      const incremental = await query(db, ROWS);
      expect(incremental.find((r) => r.ticket === 'OLD')).toMatchObject({
        paused_seconds: 3600,
        status: 'fechado',
        quality_flags: ['out_of_order'],
      });
      await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
      expect(await query(db, ROWS)).toEqual(incremental);
      // Events deleted behind Prazo's back: rows are no longer numbered without gaps, so the next
      // incremental run searches by ticket instead of trusting the watermark.
      await query(db, "DELETE FROM events WHERE id = 'NEW-r'");
      await query(db, "INSERT INTO changed_tickets VALUES ('NEW', now())");
      await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
      const afterDelete = await query(db, ROWS);
      expect(afterDelete.find((r) => r.ticket === 'NEW')).toMatchObject({ status: 'novo', resolved_at: null });
      await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
      expect(await query(db, ROWS)).toEqual(afterDelete);
    } finally {
      db.close();
    }
  });
});
