import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import '../../src/ingest/readers/registerReaders.js';
import { explainTicket } from '../../src/metrics/explainTicket.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { freshDatabase, query } from '../ingest/helpers.js';
import { at, policy, pseudonymKey } from './helpers.js';

// shared/ lies beside the checkout (DEVELOPERS.md), wherever the checkout is.
const SAMPLE = fileURLToPath(new URL('../../../shared/data/servicenow/incident_event_log.sample.csv', import.meta.url));
const NOW = at('2016-12-31T00:00:00Z');

describe.skipIf(!existsSync(SAMPLE))('the ServiceNow sample', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDatabase();
    const ingested = await ingestFiles(db, [SAMPLE], { format: 'servicenow' });
    expect(ingested.rejected).toBe(0);
  });
  afterAll(() => db.close());

  test('every incident computes, without errors', async () => {
    const result = await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
    expect(result.tickets).toBe(445);
    const [summary] = await query(
      db,
      `SELECT count(*)::INTEGER AS tickets, count(solution_seconds)::INTEGER AS solved, count(*) FILTER (WHERE solution_seconds < 0)::INTEGER AS negative,
         count(*) FILTER (WHERE severity IS NULL)::INTEGER AS no_severity FROM ticket_sla`,
    );
    expect(summary).toEqual({ tickets: 445, solved: 445, negative: 0, no_severity: 0 });
    // The explanation of any of them adds up.
    const e = await explainTicket(db, policy, 'INC0000135', { now: NOW, pseudonymKey });
    const counted = e.timeline.filter((s) => s.state === 'counting').reduce((sum, s) => sum + s.business_seconds, 0);
    expect(counted).toBe(e.solution_seconds);
  });

  test("how often solution_met agrees with ServiceNow's made_sla (informational)", async () => {
    // made_sla is repeated on every audit row and can flip as the incident ages; the closing row's value is its verdict.
    const [agreement] = await query(
      db,
      `WITH sn AS (
         SELECT ticket, arg_max(json_extract_string(extra, '$.made_sla'), occurred_at) = 'TRUE' AS made_sla
         FROM events WHERE extra IS NOT NULL GROUP BY ticket)
       SELECT count(*)::INTEGER AS compared,
         count(*) FILTER (WHERE solution_met = made_sla)::INTEGER AS agree,
         count(*) FILTER (WHERE solution_met AND NOT made_sla)::INTEGER AS we_met_they_breached,
         count(*) FILTER (WHERE NOT solution_met AND made_sla)::INTEGER AS we_breached_they_met,
         count(*) FILTER (WHERE solution_met AND NOT made_sla AND paused_seconds > 0)::INTEGER AS we_met_they_breached_paused,
         count(*) FILTER (WHERE (solution_seconds + paused_seconds <= solution_target_seconds) = made_sla)::INTEGER AS agree_without_pauses
       FROM ticket_sla JOIN sn USING (ticket)`,
    );
    const pct = (n: unknown) => `${((100 * Number(n)) / Number(agreement!.compared)).toFixed(1)} %`;
    console.log(
      `ServiceNow sample: solution_met agrees with made_sla on ${agreement!.agree} of ${agreement!.compared} incidents (${pct(agreement!.agree)}); ` +
        `we met / they breached: ${agreement!.we_met_they_breached} (${agreement!.we_met_they_breached_paused} of them paused in Awaiting User Info); ` +
        `we breached / they met: ${agreement!.we_breached_they_met}. ` +
        `Not subtracting pauses would agree on ${agreement!.agree_without_pauses} (${pct(agreement!.agree_without_pauses)}).`,
    );
    expect(agreement!.compared).toBe(445);
  });
});
