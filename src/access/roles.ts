/**
 * The four roles of DESIGN.md §4, lowest first. Each role sees what the one before it sees, plus
 * more; the metric registry and the satisfaction zone say per metric which roles may read it.
 */
export const ROLES = ['analyst', 'lead', 'leadership', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `minimum` or above it (admin ≥ leadership ≥ lead ≥ analyst). */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** Who is asking: every read of restricted data takes one, so it can be checked and audited. */
export interface Caller {
  role: Role;
  /** The user's id or e-mail for the audit log; `system:<job>` for scheduled work. */
  actor: string;
}

/**
 * Refusals and bad requests raised below the server. Each carries the HTTP status and the code
 * the server's error envelope answers with, so the server maps them without knowing each one.
 */
export class AccessError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export const forbidden = (message: string) => new AccessError(403, 'forbidden', message);
export const invalidQuery = (message: string) => new AccessError(400, 'invalid_query', message);
