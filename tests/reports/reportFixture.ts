import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { preparePseudonymKey } from '../../src/metrics/pseudonymize.js';
import { loadPolicy } from '../../src/policy/loadPolicy.js';

/** Markers that must never reach a report: a survey comment and a requester's address. */
export const COMMENT_MARKER = 'COMENTARIOSECRETOZQX';
export const REQUESTER_MARKER = 'requerentezqx';
export const REPORT_WEEK = '2026-W47';
/** Monday after the report week, 07:00 São Paulo: when the scheduled run would render it. */
export const REPORT_NOW = Date.parse('2026-11-23T07:00:00-03:00');
export const policy = loadPolicy();

const SEVERITIES = ['urgente', 'alta', 'media', 'baixa', 'alta', 'urgente', 'media', 'alta', 'baixa', 'alta'];
const CATEGORIES = ['incidente', 'duvida_explicita', 'erro', 'servicos', 'incidente', 'sugestao', 'erro', 'incidente', 'cortesia', 'duvida_tacita'];
const RATINGS = ['satisfeito', 'satisfeito', 'neutro', 'insatisfeito', 'satisfeito'];

/**
 * Thirteen weeks of tickets (2026-W36 to 2026-W48), ten a week: some first responses and
 * solutions late, some rejected once, some auto-closed, some still open at the end of W47,
 * categories shifting in the last weeks, a Serviço Rápido a week and surveys with comments.
 */
export function buildReportEvents(): object[] {
  const events: object[] = [];
  const firstMonday = DateTime.fromISO('2026-08-31T09:00:00', { zone: 'America/Sao_Paulo' });
  for (let w = 0; w < 13; w++) {
    for (let i = 0; i < 10; i++) {
      const t = `RW${String(w).padStart(2, '0')}-${i}`;
      const opened = firstMonday.plus({ weeks: w, hours: i * 13 });
      const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true })!;
      let n = 0;
      const add = (at: DateTime, type: string, fields: object) => events.push({ id: `${t}-${n++}`, ticket: t, at: iso(at), type, ...fields });
      add(opened, 'ticket.opened', { severity: SEVERITIES[i], client: `Cliente ${String.fromCharCode(65 + ((i + w) % 5))}`, requester: `${REQUESTER_MARKER}.${i}@cliente.com.br`, channel: 'email' });
      add(opened.plus({ minutes: 1 }), 'ticket.assigned', { analyst: `analista${i % 3}` });
      const responded = opened.plus({ minutes: (i + w) % 4 === 0 ? 200 : 20 });
      add(responded, 'ticket.replied', { by: 'analyst', actor: 'bruno' });
      add(responded, 'ticket.status_changed', { status: 'em_atendimento' });
      const shifted = w >= 11 && i % 2 === 0 ? 'incidente' : CATEGORIES[(i + w) % 10];
      add(responded.plus({ minutes: 5 }), 'ticket.categorized', { category: shifted });
      if (i === 3) {
        add(responded.plus({ minutes: 6 }), 'quick_service.proposed', { hours: 1.5 + (w % 3), hourly_rate: 180 });
        add(responded.plus({ minutes: 30 }), 'quick_service.accepted', { hours: 1.5 + (w % 3), hourly_rate: 180 });
      }
      if (w >= 11 && i >= 8) continue; // still open at the end of W47
      let resolved = responded.plus({ hours: (i + w) % 3 === 0 ? 30 : 2 });
      add(resolved, 'ticket.status_changed', { status: 'resolvido' });
      if (i % 6 === 1) {
        add(resolved.plus({ minutes: 30 }), 'ticket.approval', { answer: 'nao' });
        add(resolved.plus({ minutes: 30 }), 'ticket.status_changed', { status: 'em_atendimento' });
        resolved = resolved.plus({ hours: 1 });
        add(resolved, 'ticket.status_changed', { status: 'resolvido' });
      }
      const closed = resolved.plus({ hours: 1 });
      if (i % 5 === 4) add(closed, 'ticket.status_changed', { status: 'fechado', reason: 'auto' });
      else {
        add(closed, 'ticket.approval', { answer: 'sim' });
        add(closed, 'ticket.status_changed', { status: 'fechado', reason: 'approved' });
      }
      if (i < 7) {
        const rating = RATINGS[(i + w) % 5];
        add(closed.plus({ hours: 2 }), 'survey.answered', { rating, comment: `${COMMENT_MARKER} ${rating} ${t}` });
      }
    }
  }
  return events;
}

export interface SeededDb {
  db: Database;
  dir: string;
  cleanup(): void;
}

/** A DuckDB file in a temporary folder with the fixture ingested and ticket_sla computed at REPORT_NOW. */
export async function seedReportDb(): Promise<SeededDb> {
  const dir = mkdtempSync(join(tmpdir(), 'prazo-report-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, buildReportEvents().map((e) => JSON.stringify(e)).join('\n'));
  const db = await openDatabase(join(dir, 'prazo.duckdb'));
  const result = await ingestFiles(db, [file]);
  if (result.rejected > 0) throw new Error(`report fixture: ${result.rejected} events rejected`);
  await recomputeTickets(db, policy, { full: true, now: REPORT_NOW, pseudonymKey: preparePseudonymKey('test-pseudonym-key') });
  return {
    db,
    dir,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
