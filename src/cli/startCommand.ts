import { formatDuration } from '../policy/parseDuration.js';
import { SEVERITIES } from '../policy/policySchema.js';
import { describeWeek } from './calendarCommand.js';
import { parseOptions, policyOption } from './options.js';
import { seedDemoIfEmpty } from '../demo/seedDemoIfEmpty.js';
import { openForCli } from './ingestCommand.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../demo/demoUsers.js';
import { createUser, findUser } from '../server/auth/users.js';
import { parseServeSettings, SERVE_OPTIONS } from './serveCommand.js';
import type { Database } from '../db/openDatabase.js';
import { withConnection } from '../db/withConnection.js';
import { DEMO_SOURCE } from '../demo/seedDemo.js';
import { translate } from '../server/i18n/messages.js';

export const START_HELP = `prazo start [--date YYYY-MM-DD] [--summary-only] [serve's options]

  What \`npm start\` runs. Prints on stderr, in pt-BR, the active policy (each severity's coverage
  and targets, the approval window) and one week of every calendar's hours. Then, on an empty
  database, loads a demo year with one login per role (not with PRAZO_DEMO=0), lists the demo
  logins and runs the server as \`prazo serve\` does.

  --date YYYY-MM-DD  the week to show (default: this week)
  --summary-only     print the summary and stop: no database, no server
  --port N, --host ADDR, --secure-cookies, --trust-proxy
                     passed on to serve (see prazo serve --help)
  --policy FILE      policy file (or PRAZO_POLICY; default config/policy.json)
  --db PATH          DuckDB file (or PRAZO_DB; default data/prazo.duckdb)`;

/**
 * The first half of what `npm start` runs once set-up is done: the active policy and this week's
 * support hours in pt-BR. The CLI then starts the server (`prazo serve`) unless --summary-only.
 */
export async function runStartCommand(argv: string[], write: (line: string) => void): Promise<void> {
  const { values } = parseOptions(argv, { date: { type: 'string' }, 'summary-only': { type: 'boolean' }, ...SERVE_OPTIONS });
  const policy = policyOption(values);
  // serve's settings are checked now, not after seeding the demo year: a bad --port fails at once.
  if (!values['summary-only']) parseServeSettings(values, policy);
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
  if (values['summary-only']) return;
  // An empty database gets the demo year (src/demo) and one login per role before the server
  // takes the file.
  const seeded = await seedDemoIfEmpty(() => openForCli(values.db), policy, write);
  const db = await openForCli(values.db);
  try {
    // Also when an earlier start seeded the demo but stopped before its logins: demo events and no user at all.
    if (seeded || (await demoWithoutUsers(db))) for (const user of DEMO_USERS) await createUser(db, user);
    const present = await Promise.all(DEMO_USERS.map((user) => findUser(db, user.email)));
    if (present.some(Boolean)) {
      write('');
      write(`Logins de demonstração (senha ${DEMO_PASSWORD}):`);
      // The roles as the pages name them.
      const labels = DEMO_USERS.map((user) => translate('pt', `role.${user.role}`));
      const width = Math.max(...labels.map((label) => label.length));
      DEMO_USERS.forEach((user, i) => {
        if (present[i]) write(`  ${labels[i]!.padEnd(width)}  ${user.email}`);
      });
    }
  } finally {
    db.close();
  }
  write('');
  write('Outros comandos: npx prazo --help  (ingest, metrics, report weekly, user add, …)');
}

async function demoWithoutUsers(db: Database): Promise<boolean> {
  return withConnection(db, async (c) => {
    const [row] = (
      await c.runAndReadAll(
        'SELECT EXISTS (SELECT 1 FROM sources WHERE name = $demo) AND NOT EXISTS (SELECT 1 FROM users)',
        { demo: DEMO_SOURCE },
      )
    ).getRows();
    return row?.[0] === true;
  });
}
