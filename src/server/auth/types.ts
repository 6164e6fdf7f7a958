import type { Role } from '../../access/roles.js';

/** The signed-in user (session cookie) or the owner of a personal API token. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** How this request authenticated: a browser session or a personal API token. */
  via: 'session' | 'token';
}

/**
 * Context variables the auth middleware sets on every request: `user` when signed in (else
 * undefined), and the CSRF token pages put in every form (`<input name="_csrf">`).
 */
export type AuthVariables = {
  user: SessionUser | undefined;
  csrfToken: string;
};
