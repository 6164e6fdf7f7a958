import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPolicyReferences, type Policy, policySchema } from './policySchema.js';

export const DEFAULT_POLICY_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../config/policy.json');

export interface PolicyResult {
  value?: Readonly<Policy>;
  /** Every problem, each as `path: message`. */
  errors: string[];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates a policy already read as text; reports every problem instead of the first. */
export function parsePolicy(text: string): PolicyResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { errors: [`(file): not valid JSON: ${(error as Error).message}`] };
  }
  const result = policySchema.safeParse(raw);
  const errors = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  errors.push(...checkPolicyReferences(raw));
  if (!result.success || errors.length > 0) return { errors };
  return { value: deepFreeze(result.data), errors: [] };
}

export class PolicyError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`policy ${path} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** The policy file named by `path`, else PRAZO_POLICY, else config/policy.json. Throws PolicyError. */
export function loadPolicy(path?: string, env: NodeJS.ProcessEnv = process.env): Readonly<Policy> {
  const file = resolve(path ?? env.PRAZO_POLICY ?? DEFAULT_POLICY_PATH);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(file, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const { value, errors } = parsePolicy(text);
  if (!value) throw new PolicyError(file, errors);
  return value;
}
