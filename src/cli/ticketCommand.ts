import { explainTicket, UnknownTicketError } from '../metrics/explainTicket.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions, policyOption } from './options.js';
import { METRICS_OPTIONS, metricsOptions } from './recomputeCommand.js';

export const TICKET_HELP = `prazo ticket <id> [options]

  Explains one ticket: its ticket_sla fields computed as of --now, and a timeline of segments
  {from, to, state: counting|paused|outside_hours, reason, business_seconds} from the opening to
  the solution (or now); the counting segments add up to solution_seconds. Writes nothing.

  --now ISO              the instant an open ticket is evaluated at (default: the clock)
  --first-response RULE  earliest, analyst_reply or status_change (default: the policy's firstResponse)
  --policy FILE          policy file (or PRAZO_POLICY)
  --db PATH              DuckDB file (or PRAZO_DB)`;

export async function runTicketCommand(argv: string[], out: (json: unknown) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, METRICS_OPTIONS);
  const [ticket, extra] = positionals;
  if (ticket === undefined || ticket === '') throw new CliError('which ticket? usage: prazo ticket <id> [--now ISO]');
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"; see --help`);
  const policy = policyOption(values);
  const { now, firstResponse } = metricsOptions(values);
  const db = await openForCli(values.db);
  try {
    out(await explainTicket(db, policy, ticket, { now, firstResponse }));
  } catch (error) {
    if (error instanceof UnknownTicketError) throw new CliError(`unknown ticket "${ticket}": no events in ${db.path}`);
    throw error;
  } finally {
    db.close();
  }
}
