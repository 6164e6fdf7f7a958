import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../../src/db/openDatabase.js';
import { ingestFiles } from '../../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../../src/metrics/recomputeTickets.js';
import { freshDatabase, tempDir } from '../../ingest/helpers.js';
import { at, policy, pseudonymKey } from '../helpers.js';

/**
 * Seven tickets in March 2026 with surveys and Serviço Rápido jobs, evaluated at NOW. Times are
 * local (America/Sao_Paulo, −03:00 all year). 24x7 for urgente/alta; média/baixa on 8x5
 * (Mon–Fri 08:00–12:00, 13:30–17:30). Weeks start on Monday: 2, 9 and 16 March.
 *
 * A1 alta Acme/ana, Mon 2 Mar 10:00; reply 10:30 (1,800 s ≤ 1 h: met); resolvido 14:00
 *    (4 h ≤ 8 h: met); sim, fechado approved. erro. Survey satisfeito. Quick service 2 h × 100 declined.
 * A2 alta Acme/ana, Tue 3 Mar 10:00; reply 12:00 (7,200 s: missed); resolvido 22:00, "não" 23:00
 *    (reopen), resolvido Wed 01:00, sim 02:00: 15 h − 1 h awaiting approval = 14 h > 8 h: missed.
 *    duvida_explicita. Survey score 3 (neutro).
 * B1 baixa Gamma/carla, Mon 2 Mar 09:00, GUT 2×2×2 = 8; reply 10:00 (1 h ≤ 4 h: met); paused Mon
 *    15:00 → Tue 10:00; resolvido Tue 16:00, sim: 13.5 h − 4.5 h paused = 9 h ≤ 48 h: met. servicos.
 *    Quick service 6 h × 150 proposed and accepted (over 4 h). Survey insatisfeito with a comment.
 * C1 alta Gamma/carla, Wed 4 Mar 10:00; reply 10:20 (met); resolvido 12:00 (met); sim. cortesia. No survey.
 * U1 urgente Beta/bruno, Mon 9 Mar 03:00, GUT 5×5×5 = 125; em_atendimento 03:10 (600 s: met);
 *    resolvido 05:00 (2 h ≤ 4 h: met); fechado auto Fri 13 Mar. duvida_explicita. Survey insatisfeito.
 * U2 urgente Beta/bruno, Tue 10 Mar 08:00, nothing else: open, response missed at 08:30 and solution
 *    at 12:00 (decided then), breached.
 * M1 média Acme/ana, Wed 18 Mar 09:00; reply 09:30 (met); open: Wed 7 h + Thu 8 h + Fri 4 h = 19 h of
 *    24 h consumed at NOW (79 % ≥ 75 %): at_risk, solution not decided yet.
 */
export const NOW = at('2026-03-20T15:00:00Z'); // Fri 20 Mar 2026, 12:00 local

const opened = (ticket: string, when: string, severity: string, client: string, analyst: string, extra = '') => [
  `{"id":"${ticket}-o","ticket":"${ticket}","at":"${when}-03:00","type":"ticket.opened","severity":"${severity}","client":"${client}","requester":"${ticket.toLowerCase()}@${client.toLowerCase()}.com.br","channel":"email"${extra}}`,
  `{"id":"${ticket}-a","ticket":"${ticket}","at":"${when}-03:00","type":"ticket.assigned","analyst":"${analyst}"}`,
];
let n = 0;
const event = (ticket: string, when: string, type: string, fields: string) =>
  `{"id":"${ticket}-${++n}","ticket":"${ticket}","at":"${when}-03:00","type":"${type}",${fields}}`;
const status = (ticket: string, when: string, value: string, reason?: string) =>
  event(ticket, when, 'ticket.status_changed', `"status":"${value}"${reason ? `,"reason":"${reason}"` : ''}`);
const reply = (ticket: string, when: string) => event(ticket, when, 'ticket.replied', '"by":"analyst"');
const approval = (ticket: string, when: string, answer: string) => event(ticket, when, 'ticket.approval', `"answer":"${answer}"`);
const category = (ticket: string, when: string, value: string) => event(ticket, when, 'ticket.categorized', `"category":"${value}"`);
const survey = (ticket: string, when: string, fields: string) => event(ticket, when, 'survey.answered', fields);

export const FIXTURE_EVENTS: string[] = [
  ...opened('A1', '2026-03-02T10:00:00', 'alta', 'Acme', 'ana'),
  reply('A1', '2026-03-02T10:30:00'),
  status('A1', '2026-03-02T10:30:00', 'em_atendimento'),
  event('A1', '2026-03-02T11:00:00', 'quick_service.proposed', '"hours":2,"hourly_rate":100'),
  event('A1', '2026-03-02T11:30:00', 'quick_service.declined', '"hours":2'),
  status('A1', '2026-03-02T14:00:00', 'resolvido'),
  category('A1', '2026-03-02T14:00:00', 'erro'),
  approval('A1', '2026-03-02T15:00:00', 'sim'),
  status('A1', '2026-03-02T15:00:00', 'fechado', 'approved'),
  survey('A1', '2026-03-03T09:00:00', '"rating":"satisfeito"'),

  ...opened('A2', '2026-03-03T10:00:00', 'alta', 'Acme', 'ana'),
  reply('A2', '2026-03-03T12:00:00'),
  status('A2', '2026-03-03T12:00:00', 'em_atendimento'),
  status('A2', '2026-03-03T22:00:00', 'resolvido'),
  approval('A2', '2026-03-03T23:00:00', 'nao'),
  status('A2', '2026-03-03T23:00:00', 'em_atendimento'),
  status('A2', '2026-03-04T01:00:00', 'resolvido'),
  category('A2', '2026-03-04T01:00:00', 'duvida_explicita'),
  approval('A2', '2026-03-04T02:00:00', 'sim'),
  status('A2', '2026-03-04T02:00:00', 'fechado', 'approved'),
  survey('A2', '2026-03-05T09:00:00', '"score":3'),

  ...opened('B1', '2026-03-02T09:00:00', 'baixa', 'Gamma', 'carla', ',"gut":{"g":2,"u":2,"t":2}'),
  reply('B1', '2026-03-02T10:00:00'),
  status('B1', '2026-03-02T10:00:00', 'em_atendimento'),
  event('B1', '2026-03-02T11:00:00', 'quick_service.proposed', '"hours":6,"hourly_rate":150'),
  event('B1', '2026-03-02T14:00:00', 'quick_service.accepted', '"hours":6'),
  status('B1', '2026-03-02T15:00:00', 'aguardando_cliente'),
  status('B1', '2026-03-03T10:00:00', 'em_atendimento'),
  status('B1', '2026-03-03T16:00:00', 'resolvido'),
  category('B1', '2026-03-03T16:00:00', 'servicos'),
  approval('B1', '2026-03-03T17:00:00', 'sim'),
  status('B1', '2026-03-03T17:00:00', 'fechado', 'approved'),
  survey('B1', '2026-03-04T09:00:00', '"rating":"insatisfeito","comment":"Demorou demais"'),

  ...opened('C1', '2026-03-04T10:00:00', 'alta', 'Gamma', 'carla'),
  reply('C1', '2026-03-04T10:20:00'),
  status('C1', '2026-03-04T10:20:00', 'em_atendimento'),
  status('C1', '2026-03-04T12:00:00', 'resolvido'),
  category('C1', '2026-03-04T12:00:00', 'cortesia'),
  approval('C1', '2026-03-04T12:30:00', 'sim'),
  status('C1', '2026-03-04T12:30:00', 'fechado', 'approved'),

  ...opened('U1', '2026-03-09T03:00:00', 'urgente', 'Beta', 'bruno', ',"gut":{"g":5,"u":5,"t":5}'),
  status('U1', '2026-03-09T03:10:00', 'em_atendimento'),
  status('U1', '2026-03-09T05:00:00', 'resolvido'),
  category('U1', '2026-03-09T05:00:00', 'duvida_explicita'),
  status('U1', '2026-03-13T10:00:00', 'fechado', 'auto'),
  survey('U1', '2026-03-14T09:00:00', '"rating":"insatisfeito","comment":"Ninguém ligou"'),

  ...opened('U2', '2026-03-10T08:00:00', 'urgente', 'Beta', 'bruno'),

  ...opened('M1', '2026-03-18T09:00:00', 'media', 'Acme', 'ana'),
  reply('M1', '2026-03-18T09:30:00'),
  status('M1', '2026-03-18T09:30:00', 'em_atendimento'),
];

/** A fresh database file with the fixture ingested (through the real ingest path) and recomputed. */
export async function fixtureDatabase(events: string[] = FIXTURE_EVENTS): Promise<Database> {
  const db = await freshDatabase();
  const file = join(tempDir('prazo-metrics-'), 'events.ndjson');
  writeFileSync(file, `${events.join('\n')}\n`);
  const result = await ingestFiles(db, [file]);
  if (result.rejected > 0) throw new Error(`fixture: ${result.rejected} rejected`);
  await recomputeTickets(db, policy, { full: true, now: NOW, pseudonymKey });
  return db;
}
