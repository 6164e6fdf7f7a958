import type { Context } from 'hono';
import type { Caller } from '../../access/roles.js';
import type { SessionUser } from '../auth/types.js';
import type { AppEnv } from '../createApp.js';
import { UnauthorizedError } from '../errors.js';

/** The variables the app's middleware sets before these routes run (createApp's AppEnv). */
export type ServerEnv = AppEnv;

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
