import type { Context } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import { AccessError, type Caller, type Role, roleAtLeast } from '../../access/roles.js';
import type { AuthVariables, SessionUser } from '../auth/types.js';
import { UnauthorizedError } from '../errors.js';

/** The variables the app's middleware sets before these routes run. */
export type ServerEnv = { Variables: RequestIdVariables & AuthVariables };

/** The signed-in user of an API request, or 401 (JSON) when anonymous. */
export function userOf(c: Context<ServerEnv>): SessionUser {
  const user = c.get('user');
  if (!user) {
    throw new UnauthorizedError('unauthenticated', 'entre com sua conta ou envie um token pessoal em "Authorization: Bearer <token>"');
  }
  return user;
}

/** The caller for the registry and the satisfaction zone: the user's role and e-mail (the audit actor). */
export function callerOf(c: Context<ServerEnv>): Caller {
  const user = userOf(c);
  return { role: user.role, actor: user.email };
}

/** 403 unless the signed-in user's role is at least `minimum`. */
export function requireApiRole(c: Context<ServerEnv>, minimum: Role): Caller {
  const caller = callerOf(c);
  if (!roleAtLeast(caller.role, minimum)) throw new AccessError(403, 'forbidden', `requer o perfil ${minimum} ou acima`);
  return caller;
}
