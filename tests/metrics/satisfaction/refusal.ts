import { expect } from 'vitest';
import { AccessError } from '../../../src/access/roles.js';

/** The status and code a refused call failed with; fails the test when it did not fail with an AccessError. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccessError);
  return { status: (error as AccessError).status, code: (error as AccessError).code };
}
