import { CliError } from './CliError.js';
import { parseOptions, policyOption } from './options.js';

export const POLICY_HELP = `prazo policy check [--policy FILE]

  Validates a policy file (--policy, or PRAZO_POLICY; default config/policy.json) and prints
  {"ok":true,"company","calendars","severities"} on stdout. A bad file exits 2 and lists every
  problem on stderr, each with the field it is about. Opens no database.`;

/** `prazo policy check`: the policy is loaded (and so validated) as every other command loads it. */
export function runPolicyCommand(argv: string[], out: (json: unknown) => void): void {
  const [sub, ...rest] = argv;
  if (sub !== 'check') throw new CliError(`unknown policy subcommand "${sub ?? ''}" (check)`);
  const { values } = parseOptions(rest, {});
  const policy = policyOption(values);
  out({ ok: true, company: policy.company, calendars: Object.keys(policy.calendars), severities: policy.severities });
}
