import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigFileError, loadConfigFile, parseJsonWithSchema } from '../config/configFile.js';
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
  const { raw, data, errors } = parseJsonWithSchema(text, policySchema);
  if (raw === undefined) return { errors };
  errors.push(...checkPolicyReferences(raw));
  if (!data || errors.length > 0) return { errors };
  return { value: deepFreeze(data), errors: [] };
}

export class PolicyError extends ConfigFileError {
  constructor(path: string, problems: string[]) {
    super('policy', path, problems);
    this.name = 'PolicyError';
  }
}

/** The policy file named by `path`, else PRAZO_POLICY, else config/policy.json. Throws PolicyError. */
export function loadPolicy(path?: string, env: NodeJS.ProcessEnv = process.env): Readonly<Policy> {
  return loadConfigFile(path ?? env.PRAZO_POLICY ?? DEFAULT_POLICY_PATH, parsePolicy, (file, problems) => new PolicyError(file, problems));
}
