import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { createMetricReader } from '../../../src/server/routes/createMetricReader.js';
import { query } from '../../ingest/helpers.js';
import { fixtureDatabase } from '../../metrics/registry/fixture.js';

let db: Database;
beforeAll(async () => {
  db = await fixtureDatabase();
});
afterAll(() => db.close());

const leadership: Caller = { role: 'leadership', actor: 'boss@test' };
const MARCH = { from: '2026-03-01', to: '2026-04-01' };

async function run(sql: string) {
  const c = await db.connect();
  try {
    await c.run(sql);
  } finally {
    c.closeSync();
  }
}

describe('createMetricReader', () => {
  test('SLA results are reused until a recompute rewrites ticket_sla_state', async () => {
    let now = 0;
    const read = createMetricReader(db, { clock: () => now, versionTtlMs: 1000 });
    const before = await read(leadership, { name: 'breaches', ...MARCH });
    expect(before.rows[0]!.value).toBe(2);
    await run("DELETE FROM ticket_sla WHERE ticket = 'U2'");
    expect((await read(leadership, { name: 'breaches', ...MARCH })).rows[0]!.value).toBe(2);
    await run("UPDATE ticket_sla_state SET updated_at = updated_at + INTERVAL 1 SECOND");
    expect((await read(leadership, { name: 'breaches', ...MARCH })).rows[0]!.value).toBe(2); // version trusted for 1 s
    now = 1500;
    expect((await read(leadership, { name: 'breaches', ...MARCH })).rows[0]!.value).toBe(1);
  });

  test('satisfaction metrics are never cached: every read is audited', async () => {
    const read = createMetricReader(db);
    const count = async () => Number((await query(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'satisfaction.read_metric'"))[0]!.n);
    const start = await count();
    await read(leadership, { name: 'csat', ...MARCH });
    await read(leadership, { name: 'csat', ...MARCH });
    expect(await count()).toBe(start + 2);
  });

  test('a failed read of the data version does not fail every later read', async () => {
    let fail = true;
    const flaky: Database = { ...db, connect: () => (fail ? Promise.reject(new Error('connect failed')) : db.connect()) };
    let now = 0;
    const read = createMetricReader(flaky, { clock: () => now });
    await expect(read(leadership, { name: 'breaches', ...MARCH })).rejects.toThrow('connect failed');
    fail = false;
    now = 5000;
    expect((await read(leadership, { name: 'breaches', ...MARCH })).rows).toHaveLength(1);
  });

  test('a refused read is not cached as a success', async () => {
    const read = createMetricReader(db);
    await expect(read({ role: 'analyst', actor: 'a@test' }, { name: 'breaches', from: 'x', to: MARCH.to })).rejects.toMatchObject({ status: 400 });
    await expect(read({ role: 'analyst', actor: 'a@test' }, { name: 'csat', ...MARCH })).rejects.toMatchObject({ status: 403 });
  });
});
