import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BusinessCalendar } from '../metrics/calendar/types.js';
import { createCalendars } from '../metrics/calendar/createCalendars.js';
import { resolveDbPath } from '../db/openDatabase.js';
import { loadPolicy, PolicyError } from '../policy/loadPolicy.js';
import type { Policy } from '../policy/policySchema.js';
import { parseReportConfig, type ReportConfig } from '../reports/parseReportConfig.js';
import { INSTANT_HINT, parseInstant } from '../time/parseInstant.js';
import { CliError } from './CliError.js';

/** Options every command takes (DEVELOPERS convention): --policy and --db. */
export const COMMON_OPTIONS = {
  policy: { type: 'string' },
  db: { type: 'string' },
  // -h/--help is answered in cli.ts before a command runs; it is listed so a command's parse accepts it.
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** parseArgs that turns node's errors into one-line CliErrors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.split('. To specify')[0]!;
    throw new CliError(`${message}; see --help`);
  }
}

export function requireOption(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new CliError(`--${name} is required`);
  return value;
}

export function instantOption(values: Record<string, unknown>, name: string): number {
  const text = requireOption(values, name);
  const ms = parseInstant(text);
  if (ms === undefined) throw new CliError(`--${name}: expected ${INSTANT_HINT} (got "${text}")`);
  return ms;
}

/** The policy from --policy, PRAZO_POLICY or the default file; a bad file lists every problem. */
export function policyOption(values: Record<string, unknown>): Readonly<Policy> {
  try {
    return loadPolicy(values.policy as string | undefined);
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(error.message);
    throw error;
  }
}

/** The reports settings (PRAZO_* over the policy's `reports`, archive beside --db); a bad one is a one-line CliError. */
export function reportConfigOption(values: Record<string, unknown>, policy: Readonly<Policy>, env: NodeJS.ProcessEnv = process.env): Readonly<ReportConfig> {
  try {
    return parseReportConfig(env, policy.reports, resolveDbPath(values.db as string | undefined));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

export function calendarOption(policy: Policy, values: Record<string, unknown>): BusinessCalendar {
  const name = requireOption(values, 'calendar');
  const calendar = createCalendars(policy).get(name);
  if (!calendar) {
    throw new CliError(`--calendar: no calendar named "${name}" in the policy (known: ${Object.keys(policy.calendars).join(', ')})`);
  }
  return calendar;
}
