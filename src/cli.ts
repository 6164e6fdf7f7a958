import { readFileSync } from 'node:fs';
import { CliError } from './cli/CliError.js';
import { CALENDAR_HELP, runCalendarCommand } from './cli/calendarCommand.js';
import { DB_HELP, runDbCommand } from './cli/dbCommand.js';
import { INGEST_HELP, runIngestCommand } from './cli/ingestCommand.js';
import { METRICS_HELP, runMetricsCommand } from './cli/metricsCommand.js';
import { POLICY_HELP, runPolicyCommand } from './cli/policyCommand.js';
import { RECOMPUTE_HELP, runRecomputeCommand } from './cli/recomputeCommand.js';
import { RECIPIENTS_HELP, runRecipientsCommand } from './cli/recipientsCommand.js';
import { REPORT_HELP, runReportCommand } from './cli/reportCommand.js';
import { REJECTS_HELP, runRejectsCommand } from './cli/rejectsCommand.js';
import { runServeCommand, SERVE_HELP } from './cli/serveCommand.js';
import { runStartCommand, START_HELP } from './cli/startCommand.js';
import { runTicketCommand, TICKET_HELP } from './cli/ticketCommand.js';
import { runTokenCommand, TOKEN_HELP } from './cli/tokenCommand.js';
import { runUserCommand, USER_HELP } from './cli/userCommand.js';

export const HELP = `prazo — SLA analytics for IT-support helpdesks

Usage: prazo <command> [options]

Commands:
  calendar duration   open seconds of a calendar between two instants
  calendar deadline   the deadline after N open seconds (or --target 4h)
  calendar add-days   N business days later (the approval window)
  calendar intervals  the open intervals between two instants
  calendar holidays   the holidays and closures of a year
  calendar week       every calendar's hours for one week
  ingest <file…>      import ticket events (ndjson, csv, parquet, arrow, servicenow, mapped)
  rejects             list rejected lines with their reasons (JSON lines)
  recompute           recompute ticket_sla (changed tickets, or --full); --now ISO
  ticket <id>         explain one ticket's SLA as JSON with its timeline; --now ISO
  metrics <name>      a metric's rows as JSON lines: --from --to [--by week,severity] [--role r]; --list
  report weekly       render last week's PDF report: [--week 2026-W47] [--out FILE] [--send]
  recipients          who gets the weekly report: add EMAIL [--name N] | remove EMAIL | list
  serve               run the HTTP server (POST /api/v1/events); --port 3000 --host 127.0.0.1
  token create        a source token for HTTP ingest: --source NAME [--hmac] (shown once)
  token list          the source tokens (JSON lines, no secrets)
  token revoke        refuse a token from now on: --id ID
  user add            a user: --email E --role analyst|lead|leadership|admin [--name N] [--password-stdin]
  user token          a personal API token (Bearer prz_u_…, the user's role): --email E (shown once)
  user list           the users (JSON lines); also user role|disable|tokens|revoke-token (user --help)
  policy check        validate a policy file and list every problem
  start               what \`npm start\` runs: the policy and this week's hours, then serve
  db compact          rewrite the database file: free space back, newest storage format (server stopped)

Common options:
  --policy FILE   policy file (or PRAZO_POLICY; default config/policy.json)
  --db PATH       DuckDB file (or PRAZO_DB; default data/prazo.duckdb)
  -h, --help      help for a command
  -v, --version   the version

Machine-readable JSON goes to stdout; messages and progress to stderr.
Run \`prazo calendar --help\` for the calendar options.`;

/** Each command's help (its subcommands' too): \`prazo <command> … --help\` or \`prazo help <command>\`. */
export const COMMAND_HELP: ReadonlyMap<string, string> = new Map([
  ['calendar', CALENDAR_HELP],
  ['ingest', INGEST_HELP],
  ['rejects', REJECTS_HELP],
  ['recompute', RECOMPUTE_HELP],
  ['ticket', TICKET_HELP],
  ['metrics', METRICS_HELP],
  ['report', REPORT_HELP],
  ['recipients', RECIPIENTS_HELP],
  ['serve', SERVE_HELP],
  ['token', TOKEN_HELP],
  ['user', USER_HELP],
  ['policy', POLICY_HELP],
  ['start', START_HELP],
  ['db', DB_HELP],
]);

/** -h or --help anywhere among a command's arguments, up to a \`--\` that ends the options. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 bad usage or input). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const out = (json: unknown) => io.stdout(`${JSON.stringify(json)}\n`);
  const [command, ...rest] = argv;
  // Help is answered here, before a command opens the database, reads a file or checks its other options.
  const commandHelp = command === undefined ? undefined : COMMAND_HELP.get(command);
  if (commandHelp !== undefined && asksForHelp(rest)) {
    io.stdout(`${commandHelp}\n`);
    return 0;
  }
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
        io.stdout(`${HELP}\n`);
        return 0;
      case 'help': {
        if (rest[0] !== undefined && !COMMAND_HELP.has(rest[0])) throw new CliError(`unknown command "${rest[0]}"; run \`prazo --help\` for the list`);
        io.stdout(`${(rest[0] === undefined ? undefined : COMMAND_HELP.get(rest[0])) ?? HELP}\n`);
        return 0;
      }
      case '--version':
      case '-v':
        io.stdout(`${version()}\n`);
        return 0;
      case 'calendar':
        runCalendarCommand(rest, out);
        return 0;
      case 'ingest':
        await runIngestCommand(rest, out);
        return 0;
      case 'rejects':
        await runRejectsCommand(rest, (line) => io.stdout(`${line}\n`));
        return 0;
      case 'recompute':
        await runRecomputeCommand(rest, out);
        return 0;
      case 'ticket':
        await runTicketCommand(rest, out);
        return 0;
      case 'report':
        await runReportCommand(rest, out);
        return 0;
      case 'recipients':
        await runRecipientsCommand(rest, out);
        return 0;
      case 'metrics':
        await runMetricsCommand(rest, out, io.stderr);
        return 0;
      case 'serve':
        await runServeCommand(rest, { out, stderr: io.stderr });
        return 0;
      case 'user':
        await runUserCommand(rest, { out, line: (line) => io.stdout(`${line}\n`), warn: io.stderr });
        return 0;
      case 'token':
        await runTokenCommand(rest, { out, line: (line) => io.stdout(`${line}\n`), warn: io.stderr });
        return 0;
      case 'policy':
        runPolicyCommand(rest, out);
        return 0;
      case 'db':
        await runDbCommand(rest, { out, line: (line) => io.stdout(`${line}\n`), warn: io.stderr });
        return 0;
      case 'start': {
        await runStartCommand(rest, (line) => io.stderr(`${line}\n`));
        if (rest.includes('--summary-only')) return 0;
        const serveArgs = rest.filter((arg, i) => arg !== '--date' && !arg.startsWith('--date=') && rest[i - 1] !== '--date');
        await runServeCommand(serveArgs, { out, stderr: io.stderr });
        return 0;
      }
      default:
        throw new CliError(`unknown command "${command}"; run \`prazo --help\` for the list`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`prazo: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof RangeError) {
      io.stderr(`prazo: ${error.message}\n`);
      return 2;
    }
    io.stderr(`prazo: unexpected error: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}
