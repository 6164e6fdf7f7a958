import { FIRST_RESPONSE_RULES, type FirstResponseRule } from '../metrics/sla/foldTicketEvents.js';
import { recomputeTickets } from '../metrics/recomputeTickets.js';
import { INSTANT_HINT, parseInstant } from '../time/parseInstant.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions, policyOption } from './options.js';

export const RECOMPUTE_HELP = `prazo recompute [--full] [options]

  Recomputes ticket_sla from the events: only the tickets touched since the last recompute, or
  every ticket with --full. Prints {"tickets":N,"seconds":S,"mode":"full"|"incremental"}.

  --full                 every ticket, not only the changed ones
  --now ISO              the instant open tickets are evaluated at (default: the clock)
  --first-response RULE  earliest, analyst_reply or status_change (default: the policy's firstResponse)
  --policy FILE          policy file (or PRAZO_POLICY)
  --db PATH              DuckDB file (or PRAZO_DB)

  Requesters are pseudonymised with the key in PRAZO_PSEUDONYM_KEY.`;

export const METRICS_OPTIONS = {
  now: { type: 'string' },
  'first-response': { type: 'string' },
} as const;

/** --now (default: the clock) and --first-response (default: the policy's), shared by recompute and ticket. */
export function metricsOptions(values: Record<string, unknown>, clock: () => number = Date.now): { now: number; firstResponse?: FirstResponseRule } {
  let now = clock();
  if (values.now !== undefined) {
    const parsed = parseInstant(String(values.now));
    if (parsed === undefined) throw new CliError(`--now: expected ${INSTANT_HINT} (got "${values.now}")`);
    now = parsed;
  }
  if (values['first-response'] === undefined) return { now };
  const rule = values['first-response'] as FirstResponseRule;
  if (!FIRST_RESPONSE_RULES.includes(rule)) {
    throw new CliError(`--first-response: expected one of ${FIRST_RESPONSE_RULES.join(', ')} (got "${rule}")`);
  }
  return { now, firstResponse: rule };
}

export async function runRecomputeCommand(argv: string[], out: (json: unknown) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, { full: { type: 'boolean' }, ...METRICS_OPTIONS });
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"; see --help`);
  const policy = policyOption(values);
  const { now, firstResponse } = metricsOptions(values);
  const db = await openForCli(values.db);
  try {
    const result = await recomputeTickets(db, policy, { full: values.full === true, now, firstResponse });
    out({ tickets: result.tickets, seconds: Math.round(result.seconds * 1000) / 1000, mode: result.mode });
  } finally {
    db.close();
  }
}
