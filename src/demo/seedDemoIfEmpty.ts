import type { Database } from '../db/openDatabase.js';
import type { Policy } from '../policy/policySchema.js';
import { DEMO_CLIENT_COUNT } from './createDemoCast.js';
import { ANALYST_NAMES } from './demoCatalog.js';
import { DEFAULT_DEMO_TICKETS } from './generateDemoEvents.js';
import { type DemoProgress, isDatabaseEmpty, seedDemo, type SeedResult } from './seedDemo.js';

const fmt = new Intl.NumberFormat('pt-BR');
const seconds = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 1 });

/** PRAZO_DEMO=0 (or off, false, no) keeps `npm start` from filling an empty database with the demo. */
export function isDemoDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(0|off|false|no|nao|não)$/i.test(env.PRAZO_DEMO ?? '');
}

export interface SeedOnStartOptions {
  now?: number;
  tickets?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * What `npm start` does before serving: when the database holds no event, fills it with the demo
 * year, writing its progress in pt-BR. Opens the database with `open` and closes it again, so the
 * server can take it. Returns the seeding's result, or undefined when nothing was seeded.
 */
export async function seedDemoIfEmpty(
  open: () => Promise<Database>,
  policy: Readonly<Policy>,
  write: (line: string) => void,
  options: SeedOnStartOptions = {},
): Promise<SeedResult | undefined> {
  if (isDemoDisabled(options.env)) return undefined;
  const db = await open();
  try {
    if (!(await isDatabaseEmpty(db))) return undefined;
    const tickets = options.tickets ?? DEFAULT_DEMO_TICKETS;
    write('');
    write(`Banco de dados vazio: criando um ano de demonstração (${fmt.format(tickets)} chamados, ${ANALYST_NAMES.length} analistas, ${DEMO_CLIENT_COUNT} clientes)…`);
    const result = await seedDemo(db, { policy, tickets, now: options.now, onProgress: (p) => writeProgress(p, write) });
    write(`Demonstração pronta: ${fmt.format(result.events)} eventos, ${fmt.format(result.tickets)} chamados em ${seconds.format(result.seconds)} s.`);
    write('  (PRAZO_DEMO=0 inicia sem a demonstração; os eventos dela ficam na fonte "demo".)');
    return result;
  } finally {
    db.close();
  }
}

function writeProgress(p: DemoProgress, write: (line: string) => void): void {
  if (p.phase === 'generate' && p.done > 0) write(`  eventos gerados: ${fmt.format(p.done)}`);
  else if (p.phase === 'ingest' && p.done === p.total) write(`  eventos gravados: ${fmt.format(p.done)}`);
  else if (p.phase === 'recompute') write(`  calculando o SLA de ${fmt.format(p.total)} chamados…`);
}
