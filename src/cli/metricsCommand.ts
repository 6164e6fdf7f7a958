import { userInfo } from 'node:os';
import { AccessError, isRole, ROLES, type Role } from '../access/roles.js';
import { listMetrics } from '../metrics/registry/metrics.js';
import { queryMetric } from '../metrics/registry/queryMetric.js';
import type { Dimension, MetricQuery } from '../metrics/registry/types.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions } from './options.js';

/** Who ran the command, for the audit log: the OS user, or system:cli where it has no name (a container's uid without a passwd entry). */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'system:cli';
  }
}

export const METRICS_HELP = `prazo metrics <name> --from DATE --to DATE [options]
prazo metrics --list [--role ROLE]

  Reads a metric by name and prints its rows as JSON lines ({dimensions…, "value"}). Percent values
  are 0–1 ratios, hours are business hours. Time buckets (day, week, month) are São Paulo's.
  Satisfaction metrics are audited and groups with fewer than 5 answers are left out (except for
  the lead role); how many were left out goes to stderr.

  --from DATE|ISO     inclusive start: YYYY-MM-DD (midnight in São Paulo) or an instant with offset
  --to DATE|ISO       exclusive end
  --by DIMS           comma-separated: day, week, month, severity, client, analyst, category, channel
  --filter DIM=VALUE  keep only rows with that value (repeatable), e.g. --filter severity=alta
  --role ROLE         analyst, lead, leadership (default) or admin: what that role may read
  --list              the metrics the role may read (JSON lines)
  --db PATH           DuckDB file (or PRAZO_DB)`;

/** `prazo metrics`: one metric's rows, or the list of metrics, as JSON lines. */
export async function runMetricsCommand(argv: string[], line: (json: unknown) => void, stderr: (text: string) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    by: { type: 'string' },
    filter: { type: 'string', multiple: true },
    role: { type: 'string' },
    list: { type: 'boolean' },
  });
  const role = (values.role ?? 'leadership') as Role;
  if (!isRole(role)) throw new CliError(`--role: expected one of ${ROLES.join(', ')} (got "${String(values.role)}")`);
  if (values.list) {
    for (const metric of listMetrics(role)) line(metric);
    return;
  }
  const [name, extra] = positionals;
  if (name === undefined) throw new CliError('which metric? usage: prazo metrics <name> --from DATE --to DATE (or --list)');
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"; see --help`);
  if (values.from === undefined || values.to === undefined) throw new CliError('--from and --to are required');
  const query: MetricQuery = {
    name,
    from: values.from,
    to: values.to,
    by: values.by ? (values.by.split(',').map((d) => d.trim()).filter(Boolean) as Dimension[]) : [],
    filters: parseFilters(values.filter ?? []),
  };
  const db = await openForCli(values.db);
  try {
    const result = await queryMetric(db, { role, actor: cliActor() }, query);
    for (const row of result.rows) line(row);
    if (result.suppressed > 0) stderr(`prazo: ${result.suppressed} grupo(s) omitido(s) por terem menos respostas que o mínimo\n`);
  } catch (error) {
    if (error instanceof AccessError) throw new CliError(`${error.code}: ${error.message}`, error.status === 403 ? 1 : 2);
    throw error;
  } finally {
    db.close();
  }
}

function parseFilters(filters: string[]): MetricQuery['filters'] {
  const parsed: Record<string, string> = {};
  for (const filter of filters) {
    const eq = filter.indexOf('=');
    if (eq <= 0) throw new CliError(`--filter: expected DIM=VALUE (got "${filter}")`);
    parsed[filter.slice(0, eq)] = filter.slice(eq + 1);
  }
  return parsed as MetricQuery['filters'];
}
