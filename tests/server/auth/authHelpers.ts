import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { Role } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import type { AppEnv } from '../../../src/server/createApp.js';
import { createPersonalToken } from '../../../src/server/auth/personalTokens.js';
import { createUser, type User } from '../../../src/server/auth/users.js';

type App = Hono<AppEnv>;

/** Headers that act as a signed-in browser: the session cookie and the session's CSRF token. */
export interface SessionHeaders extends Record<string, string> {
  Cookie: string;
  'X-CSRF-Token': string;
}

/** The JSON body of a response, untyped (tests check its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const readJson = (res: Response): Promise<any> => res.json();

/** `name=value` of the Set-Cookie named `name`, or undefined. */
export function cookieFrom(res: Response, name: string): string | undefined {
  const header = res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
  return header?.split(';')[0];
}

/** The full Set-Cookie line for `name` (to check its attributes). */
export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** GET /login: the login form's CSRF cookie and token, as a browser would have them. */
export async function openLoginForm(app: App, headers: Record<string, string> = {}): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request('/login', { headers });
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
  return { cookie: cookieFrom(res, 'prazo_login_csrf') ?? '', csrf };
}

/** Fills and posts the login form like a browser (GET /login first for its CSRF token). */
export async function submitLogin(
  app: App,
  email: string,
  password: string,
  options: { headers?: Record<string, string>; url?: string; next?: string } = {},
): Promise<Response> {
  const form = await openLoginForm(app, options.headers);
  const body = new URLSearchParams({ email, password, _csrf: form.csrf, ...(options.next ? { next: options.next } : {}) });
  return app.request(options.url ?? '/login', {
    method: 'POST',
    headers: { ...options.headers, Cookie: form.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** A fresh enabled user with `role`, a random e-mail and a known password. */
export async function createTestUser(db: Database, role: Role, name?: string): Promise<User & { password: string }> {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const email = `${role}-${randomBytes(4).toString('hex')}@test.prazo`;
  const user = await createUser(db, { email, role, password, ...(name ? { name } : {}) });
  return { ...user, password };
}

/**
 * Creates a user with `role`, signs in through POST /login and returns the headers of that
 * session: `Cookie` and `X-CSRF-Token` (add them to any request; forms may send `_csrf` instead).
 */
export async function loginAs(app: App, db: Database, role: Role): Promise<SessionHeaders> {
  const user = await createTestUser(db, role);
  const res = await submitLogin(app, user.email, user.password);
  const cookie = cookieFrom(res, 'prazo_session');
  if (res.status !== 303 || !cookie) throw new Error(`loginAs(${role}): login answered ${res.status}`);
  const me = await app.request('/api/v1/me', { headers: { Cookie: cookie } });
  const { csrf_token } = (await readJson(me)) as { csrf_token: string };
  return { Cookie: cookie, 'X-CSRF-Token': csrf_token };
}

/** Creates a user with `role` and a personal token; returns `{ Authorization: 'Bearer prz_u_…' }`. */
export async function bearerAs(db: Database, role: Role): Promise<{ Authorization: string }> {
  const user = await createTestUser(db, role);
  const { token } = await createPersonalToken(db, user.email);
  return { Authorization: `Bearer ${token}` };
}
