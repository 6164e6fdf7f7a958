import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { ingestFiles } from '../../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../../src/metrics/recomputeTickets.js';
import { TOP_GROUPS } from '../../../src/server/pages/slaPage.js';
import { tempDir } from '../../ingest/helpers.js';
import { policy, pseudonymKey } from '../../metrics/helpers.js';
import { loginAs } from '../auth/authHelpers.js';
import { createServerFixture, NOW } from './serverFixture.js';

// 30 more clients, client C-k with k tickets: the SLA charts by client keep the 25 with most tickets.
let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let leadership: Record<string, string>;

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  const lines: string[] = [];
  for (let k = 1; k <= 30; k++) {
    for (let i = 0; i < k; i++) {
      const ticket = `C${k}-${i}`;
      lines.push(
        JSON.stringify({ id: `${ticket}-o`, ticket, at: '2026-03-18T10:00:00-03:00', type: 'ticket.opened', severity: 'alta', client: `C-${String(k).padStart(2, '0')}`, requester: `r@${k}.test`, channel: 'email' }),
      );
    }
  }
  const file = join(tempDir('prazo-top-groups-'), 'events.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  expect((await ingestFiles(db, [file])).rejected).toBe(0);
  await recomputeTickets(db, policy, { now: NOW, pseudonymKey });
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

/** The clients of a panel's numbers table ("Ver os números"). */
function clientsOf(html: string, panel: string): string[] {
  const section = new RegExp(`<section class="panel" id="panel-${panel}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
  return [...section.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

test('the severity × client charts keep the clients with most tickets, and say so', async () => {
  const html = await (await app.request('/sla?from=2026-03-01&to=2026-04-01', { headers: leadership })).text();
  for (const panel of ['response_by_group', 'solution_by_group']) {
    const clients = new Set(clientsOf(html, panel));
    expect(clients.size).toBe(TOP_GROUPS);
    // C-30 … C-06 have 30 … 6 tickets; C-05 … C-01 and the fixture's three (2–3 tickets each) are left out.
    expect([...clients].sort()).toEqual(Array.from({ length: TOP_GROUPS }, (_, i) => `C-${String(30 - i).padStart(2, '0')}`).sort());
  }
  expect(html).toContain('Mostrando 25 de 33 grupos (por cliente): os de mais chamados no período; use o filtro para ver outro.');
  // By category there are fewer groups than the cap: nothing left out, no note.
  const byCategory = await (await app.request('/sla?from=2026-03-01&to=2026-04-01&group=category', { headers: leadership })).text();
  expect(byCategory).not.toContain('Mostrando 25 de');
  // A client left out of the chart is one filter away.
  const one = await (await app.request('/sla?from=2026-03-01&to=2026-04-01&client=C-01', { headers: leadership })).text();
  expect(new Set(clientsOf(one, 'response_by_group'))).toEqual(new Set(['C-01']));
});
