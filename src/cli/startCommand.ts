import { formatDuration } from '../policy/parseDuration.js';
import { SEVERITIES } from '../policy/policySchema.js';
import { describeWeek } from './calendarCommand.js';
import { parseOptions, policyOption } from './options.js';

/**
 * The first half of what `npm start` runs once set-up is done: the active policy and this week's
 * support hours in pt-BR. The CLI then starts the server (`prazo serve`) unless --summary-only.
 */
export function runStartCommand(argv: string[], write: (line: string) => void): void {
  const { values } = parseOptions(argv, { date: { type: 'string' }, 'summary-only': { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' } });
  const policy = policyOption(values);
  const week = describeWeek(policy, values.date as string | undefined);
  write(`Prazo — ${policy.company}`);
  write('');
  write('Política de SLA (horas úteis da cobertura de cada severidade):');
  write('  Severidade  Cobertura  1ª resposta  Solução');
  for (const s of SEVERITIES) {
    const sev = policy.severities[s];
    write(`  ${sev.label.padEnd(10)}  ${sev.calendar.padEnd(9)}  ${formatDuration(sev.firstResponse).padEnd(11)}  ${formatDuration(sev.solution)}`);
  }
  write(`  Aprovação: fechamento automático após ${policy.approval.autoCloseAfterBusinessDays} dias úteis (${policy.approval.calendar}).`);
  write('');
  write(`Semana ${week.week} (${week.timezone}):`);
  for (const [name, { days }] of Object.entries(week.calendars)) {
    write(`  ${name}`);
    for (const day of days) {
      const hours = day.open.length ? day.open.map(([a, b]) => `${a}–${b}`).join(', ') : 'fechado';
      const note = 'holiday' in day ? `  (${day.holiday})` : '';
      write(`    ${day.date} ${day.weekday.padEnd(13)} ${hours}${note}`);
    }
  }
  write('');
  write('Os painéis ainda não existem; o servidor já recebe eventos (POST /api/v1/events). Experimente:');
  write('  npx prazo calendar deadline --calendar 8x5 --from 2026-03-06T20:00:00Z --target 4h');
  write('  npx prazo ingest eventos.ndjson   (com o servidor parado)');
  write('  npx prazo --help');
}
