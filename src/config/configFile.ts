import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';

/** What a parser of a user-written file returns: the value, or every problem as `path: message`. */
export interface ParseResult<T> {
  value?: Readonly<T>;
  errors: string[];
}

/** A configuration file that was refused, with every problem found in it. */
export class ConfigFileError extends Error {
  constructor(
    readonly kind: string,
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${kind} ${path} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

/**
 * JSON text checked against a zod schema, every problem reported by path instead of the first
 * one. `raw` is the parsed JSON (when it parsed), for checks across fields.
 */
export function parseJsonWithSchema<S extends z.ZodType>(
  text: string,
  schema: S,
): { raw?: unknown; data?: z.output<S>; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { errors: [`(file): not valid JSON: ${(error as Error).message}`] };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { raw, data: result.data, errors: [] };
  return {
    raw,
    errors: result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}

/** Reads and parses a configuration file; throws the error `fail` makes, listing every problem. */
export function loadConfigFile<T>(
  path: string,
  parse: (text: string) => ParseResult<T>,
  fail: (path: string, problems: string[]) => ConfigFileError,
): Readonly<T> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fail(file, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const { value, errors } = parse(text);
  if (!value) throw fail(file, errors);
  return value;
}
