import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { ingestFiles } from '../../../src/ingest/ingestFile.js';
import { loadMapping } from '../../../src/ingest/readers/readMapped.js';
import '../../../src/ingest/readers/registerReaders.js';
import { SERVICENOW_MAPPING_PATH, withPausingStates } from '../../../src/ingest/readers/readServiceNow.js';
import { recomputeTickets } from '../../../src/metrics/recomputeTickets.js';
import { policy, pseudonymKey } from '../../metrics/helpers.js';
import { freshDatabase, query } from '../helpers.js';

// shared/ lies beside the checkout (DEVELOPERS.md), wherever the checkout is.
const SAMPLE = fileURLToPath(new URL('../../../../shared/data/servicenow/incident_event_log.sample.csv', import.meta.url));
const text = readFileSync(SAMPLE, 'utf8');
// The sample has no quotes and LF endings, so a line is a row here (checked below).
const rows = text.trim().split('\n').slice(1);
const incidents = new Set(rows.map((row) => row.slice(0, row.indexOf(','))));

/**
 * Rows whose state maps to another status than the incident's previous row, counted straight from
 * the file: rows of an incident by sys_mod_count, then time (DD-MM-YYYY HH:mm), then line.
 */
function statusChanges(): number {
  const mapping = loadMapping(SERVICENOW_MAPPING_PATH);
  const [header] = text.split('\n', 1);
  const col = (name: string) => header!.split(',').indexOf(name);
  const [number, state, mod, updated] = [col('number'), col('incident_state'), col('sys_mod_count'), col('sys_updated_at')];
  const sortable = (t: string) => `${t.slice(6, 10)}${t.slice(3, 5)}${t.slice(0, 2)}${t.slice(11)}`;
  const byIncident = new Map<string, string[][]>();
  for (const row of rows.map((r) => r.split(','))) byIncident.set(row[number]!, [...(byIncident.get(row[number]!) ?? []), row]);
  let changes = 0;
  for (const list of byIncident.values()) {
    list.sort((a, b) => Number(a[mod]) - Number(b[mod]) || sortable(a[updated]!).localeCompare(sortable(b[updated]!)));
    let previous: string | undefined;
    for (const row of list) {
      const status = mapping.values.status[row[state]!];
      if (status !== previous) changes++;
      previous = status;
    }
  }
  return changes;
}

/** The events of one incident, in time order, as compact tuples. */
async function timeline(db: Database, ticket: string) {
  const events = await query(
    db,
    `SELECT id, strftime(occurred_at, '%Y-%m-%dT%H:%MZ') AS at, type, status, reason, severity, analyst
     FROM events WHERE ticket = $ticket ORDER BY occurred_at, id`,
    { ticket },
  );
  return events.map((e) => [e.id, e.at, e.type, [e.status, e.reason, e.severity, e.analyst].filter((v) => v !== null).join(' ')]);
}

describe('the ServiceNow sample end to end', () => {
  let db: Database;
  let first: Awaited<ReturnType<typeof ingestFiles>>;
  beforeAll(async () => {
    db = await freshDatabase();
    first = await ingestFiles(db, [SAMPLE], { format: 'servicenow' });
  });
  afterAll(() => db.close());

  test('every row is accounted for', async () => {
    expect(text.includes('"') || text.includes('\r')).toBe(false);
    expect(rows).toHaveLength(2989);
    expect(incidents.size).toBe(445);
    // How records relate to rows: a row whose state maps to another status than the incident's
    // previous row (in sys_mod_count order) yields one ticket.status_changed (or, if it could not be
    // mapped, one reject): 1,682 of the 2,989 rows (statusChanges below counts them from the file);
    // the other 1,307 only update other fields. The first row of an incident also yields its
    // ticket.opened; a row whose assigned_to or priority differs from the incident's previous row
    // also yields ticket.assigned or ticket.severity_changed. So
    //   read = status changes + incidents + assignments + priority changes = 1682 + 445 + 419 + 30 = 2576,
    // and read = accepted + duplicates + rejected. Nothing in the sample is rejected.
    expect(statusChanges()).toBe(1682);
    expect(first).toMatchObject({ read: 2576, accepted: 2576, duplicates: 0, rejected: 0, tickets: 445 });
    const byType = await query(
      db,
      `SELECT type, count(*)::INTEGER AS events, count(DISTINCT ticket)::INTEGER AS tickets FROM events GROUP BY type ORDER BY type`,
    );
    expect(byType).toEqual([
      { type: 'ticket.assigned', events: 419, tickets: 319 },
      { type: 'ticket.opened', events: incidents.size, tickets: incidents.size },
      { type: 'ticket.severity_changed', events: 30, tickets: 25 },
      { type: 'ticket.status_changed', events: 1682, tickets: incidents.size },
    ]);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM rejects')).toEqual([{ n: 0 }]);
  });

  test('importing it again adds nothing: the same events with the same ids', async () => {
    const ids = async () => (await query(db, 'SELECT id FROM events ORDER BY id')).map((row) => row.id);
    const before = await ids();
    const again = await ingestFiles(db, [SAMPLE], { format: 'servicenow' });
    expect(again).toMatchObject({ read: 2576, accepted: 0, duplicates: 2576, rejected: 0, tickets: 445 });
    expect(await ids()).toEqual(before);
    // And a fresh database given the file gets exactly those ids.
    const other = await freshDatabase();
    try {
      await ingestFiles(other, [SAMPLE], { format: 'servicenow' });
      expect((await query(other, 'SELECT id FROM events ORDER BY id')).map((row) => row.id)).toEqual(before);
    } finally {
      other.close();
    }
  });

  test('a row that keeps the state is no status change; other changes on it still are events', async () => {
    // INC0000045 rows #2 and #3 are both Resolved: #3 yields nothing.
    // INC0000672,New,…,0,… then INC0000672,New,…,3,… with priority 1 - Critical → 3 - Moderate: row #3
    // yields its ticket.severity_changed but no second novo.
    expect(await query(db, `SELECT id, type FROM events WHERE ticket = 'INC0000672' AND id LIKE 'INC0000672#3%'`)).toEqual([
      { id: 'INC0000672#3:severity', type: 'ticket.severity_changed' },
    ]);
    // No incident has two status changes in a row (in sys_mod_count order) to the same status.
    const [repeats] = await query(
      db,
      `SELECT count(*)::INTEGER AS n FROM (
         SELECT status, lag(status) OVER (PARTITION BY ticket ORDER BY split_part(split_part(id, '#', 2), '@', 1)::INTEGER, occurred_at) AS previous
         FROM events WHERE type = 'ticket.status_changed')
       WHERE status = previous`,
    );
    expect(repeats).toEqual({ n: 0 });
  });

  test('duplicate_status is rare: 2 of 445 incidents, whose sys_mod_count disagrees with time (351 when every row was a change)', async () => {
    await recomputeTickets(db, policy, { full: true, now: Date.parse('2016-12-31T00:00:00Z'), pseudonymKey });
    // INC0000164: #1 Active 29-02 23:20, #3 New 29-02 08:53, #3 Active 03-03: by time, New → Active → Active.
    // INC0000135: #1–#4 Active from 29-02 11:45, #7 Active 29-02 09:27: by time, Active → Active.
    expect(await query(db, `SELECT ticket FROM ticket_sla WHERE list_contains(quality_flags, 'duplicate_status') ORDER BY ticket`)).toEqual([
      { ticket: 'INC0000135' },
      { ticket: 'INC0000164' },
    ]);
  });

  test('states and the automatic close: INC0000045', async () => {
    // INC0000045,New,…,sys_mod_count 0,…,opened_at 29-02-2016 01:16,…,Updated by 21,29-02-2016 01:23,Phone,Location 143,…,3 - Moderate,…
    // INC0000045,Resolved,…,2,…,Updated by 642,29-02-2016 08:53,…
    // INC0000045,Resolved,…,3,…,Updated by 804,29-02-2016 11:29,…   (still Resolved: no event)
    // INC0000045,Closed,…,4,…,Updated by 908,05-03-2016 12:00,…
    // São Paulo was −03:00 then. "Updated by 908" is the system account that closes resolved incidents
    // (441 of the 448 Closed rows, mostly exactly 5 days after resolution, at whole hours, on weekends too).
    expect(await timeline(db, 'INC0000045')).toEqual([
      ['INC0000045:opened', '2016-02-29T04:16Z', 'ticket.opened', 'media'],
      ['INC0000045#0', '2016-02-29T04:23Z', 'ticket.status_changed', 'novo'],
      ['INC0000045#2', '2016-02-29T11:53Z', 'ticket.status_changed', 'resolvido'],
      ['INC0000045#4', '2016-03-05T15:00Z', 'ticket.status_changed', 'fechado auto'],
    ]);
    const [opened] = await query(db, `SELECT client, requester, channel, extra FROM events WHERE id = 'INC0000045:opened'`);
    expect(opened).toMatchObject({ client: 'Location 143', requester: 'Caller 2403', channel: 'Phone' });
    // ServiceNow's categories are not Prazo's twelve: they stay in extra.
    expect(JSON.parse(opened!.extra as string)).toMatchObject({ sn_category: 'Category 55', sn_subcategory: 'Subcategory 170', made_sla: 'TRUE' });
  });

  test('Awaiting User Info pauses, Awaiting Problem does not; 4 - Low is baixa', async () => {
    // INC0000333,Awaiting User Info,…,0,…,Updated by 908,29-02-2016 14:56,…,4 - Low,Group 66,Resolver 175,…
    // INC0000333,Resolved,…,21,…,Updated by 713,29-04-2016 09:41,…
    // INC0000333,Closed,…,22,…,Updated by 908,04-05-2016 10:07,…
    expect(await timeline(db, 'INC0000333')).toEqual([
      ['INC0000333#0', '2016-02-29T17:56Z', 'ticket.status_changed', 'aguardando_cliente'],
      ['INC0000333#0:assigned', '2016-02-29T17:56Z', 'ticket.assigned', 'Resolver 175'],
      ['INC0000333:opened', '2016-02-29T17:56Z', 'ticket.opened', 'baixa'],
      ['INC0000333#21', '2016-04-29T12:41Z', 'ticket.status_changed', 'resolvido'],
      ['INC0000333#22', '2016-05-04T13:07Z', 'ticket.status_changed', 'fechado auto'],
    ]);
    // INC0000347,Awaiting Problem,TRUE,0,0,2,…,Updated by 718,02-03-2016 12:25,…
    expect(await query(db, `SELECT status FROM events WHERE id = 'INC0000347#2'`)).toEqual([{ status: 'em_atendimento' }]);
  });

  test('priorities: 1 - Critical is urgente, then a change to 3 - Moderate; 2 - High is alta', async () => {
    // INC0000672,New,…,0,…,Updated by 370,01-03-2016 12:36,…,1 - High,1 - High,1 - Critical,Group 48,Resolver 74,…
    // INC0000672,New,…,3,…,Updated by 451,08-03-2016 11:17,…,2 - Medium,2 - Medium,3 - Moderate,…
    expect(await query(db, `SELECT id, severity FROM events WHERE ticket = 'INC0000672' AND severity IS NOT NULL ORDER BY occurred_at`)).toEqual([
      { id: 'INC0000672:opened', severity: 'urgente' },
      { id: 'INC0000672#3:severity', severity: 'media' },
    ]);
    // INC0000645,New,…,0,…,01-03-2016 11:35,…,2 - Medium,1 - High,2 - High,…
    expect(await query(db, `SELECT severity FROM events WHERE id = 'INC0000645:opened'`)).toEqual([{ severity: 'alta' }]);
  });

  test('a close by a person is manual; daylight saving time in November 2016', async () => {
    // INC0000174,Resolved,…,8,…,Updated by 804,02-03-2016 13:01,… then INC0000174,Closed,…,9,…,Updated by 804,02-03-2016 13:02,…
    expect(await query(db, `SELECT status, reason FROM events WHERE id = 'INC0000174#9'`)).toEqual([{ status: 'fechado', reason: 'manual' }]);
    // INC0000298,Resolved,…,92,…,Updated by 70,25-11-2016 08:07,… — São Paulo was on −02:00 from 16 Oct 2016.
    expect(await query(db, `SELECT strftime(occurred_at, '%H:%M') AS t FROM events WHERE id = 'INC0000298#92'`)).toEqual([{ t: '10:07' }]);
  });

  test('two rows sharing a sys_mod_count stay two events', async () => {
    // INC0000135,Active,…,7,…,Updated by 653,29-02-2016 09:27,…   (first row of the incident in the file)
    // INC0000135,Closed,…,7,…,Updated by 908,05-03-2016 17:00,…   (its last row)
    // Sorted by sys_mod_count then time, the Active row keeps the plain id and the Closed row gets its time.
    expect(await query(db, `SELECT id, status FROM events WHERE ticket = 'INC0000135' AND id LIKE 'INC0000135#7%' ORDER BY occurred_at`)).toEqual([
      { id: 'INC0000135#7', status: 'em_atendimento' },
      { id: 'INC0000135#7@2016-03-05T17:00:00-03:00', status: 'fechado' },
    ]);
  });

  test('a client missing on the first row comes from a later row, else the default', async () => {
    // INC0000687,New,…,0,…,Phone,?,… then INC0000687,Resolved,…,1,…,Phone,Location 100,…
    // INC0000358: location is ? on all 5 rows.
    expect(await query(db, `SELECT ticket, client FROM events WHERE id IN ('INC0000687:opened', 'INC0000358:opened') ORDER BY ticket`)).toEqual([
      { ticket: 'INC0000358', client: '(no location)' },
      { ticket: 'INC0000687', client: 'Location 100' },
    ]);
  });
});

describe('options', () => {
  test('settings.pausingStates replaces the states that pause', async () => {
    const db = await freshDatabase();
    try {
      await ingestFiles(db, [SAMPLE], { format: 'servicenow', settings: { pausingStates: ['Awaiting User Info', 'Awaiting Problem'] } });
      expect(await query(db, `SELECT id, status FROM events WHERE id IN ('INC0000347#2', 'INC0000333#0') ORDER BY id`)).toEqual([
        { id: 'INC0000333#0', status: 'aguardando_cliente' },
        { id: 'INC0000347#2', status: 'aguardando_cliente' },
      ]);
      await expect(ingestFiles(db, [SAMPLE], { format: 'servicenow', settings: { pausingStates: 'Awaiting Vendor' } })).rejects.toThrow(
        'settings.pausingStates: expected a list of ServiceNow states like ["Awaiting User Info"] (got "Awaiting Vendor")',
      );
    } finally {
      db.close();
    }
  });

  test('a state left out of pausingStates stops pausing', () => {
    const status = withPausingStates(loadMapping(SERVICENOW_MAPPING_PATH), ['awaiting vendor', 'On Hold']).values.status;
    expect(status).toMatchObject({
      'Awaiting User Info': 'em_atendimento',
      'Awaiting Vendor': 'aguardando_cliente',
      'Awaiting Problem': 'em_atendimento',
      'On Hold': 'aguardando_cliente',
      Resolved: 'resolvido',
    });
  });

  test('--timezone replaces the São Paulo default', async () => {
    const db = await freshDatabase();
    try {
      await ingestFiles(db, [SAMPLE], { format: 'servicenow', timezone: 'UTC' });
      expect(await query(db, `SELECT strftime(occurred_at, '%Y-%m-%dT%H:%MZ') AS at FROM events WHERE id = 'INC0000045:opened'`)).toEqual([
        { at: '2016-02-29T01:16Z' },
      ]);
    } finally {
      db.close();
    }
  });
});
