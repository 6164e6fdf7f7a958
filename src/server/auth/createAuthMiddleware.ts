import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Database } from '../../db/openDatabase.js';
import type { AppEnv, Logger } from '../createApp.js';
import { AppError, UnauthorizedError } from '../errors.js';
import { sha256 } from './hashToken.js';
import { verifyPersonalToken } from './personalTokens.js';
import { readSession } from './sessions.js';

export const SESSION_COOKIE = 'prazo_session';
/** Before sign-in there is no session: the login form's CSRF token is a cookie it must repeat (double submit). */
export const LOGIN_CSRF_COOKIE = 'prazo_login_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
export const CSRF_FIELD = '_csrf';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that authenticate every request themselves with a bearer token and never read cookies. */
const CSRF_EXEMPT = [/^\/api\/v1\/events(\/|$)/];

export interface AuthOptions {
  db: Database;
  logger: Logger;
  now?: () => Date;
  /** Mark cookies Secure on every response (TLS ends at a proxy that sends no X-Forwarded-Proto). */
  secureCookies?: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy?: boolean;
}

/** Whether cookies set on this response get the Secure attribute: TLS, a proxy saying https, or config. */
export function isSecureRequest(c: Context, secureCookies = false): boolean {
  if (secureCookies) return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** The client's address: X-Forwarded-For's first entry when trusted, else the socket's; undefined when unknown. */
export function getClientIp(c: Context, trustProxy = false): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the request was https. */
export function setSessionCookie(c: Context, value: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Lax', secure });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure });
}

/** The CSRF token the request presents: the X-CSRF-Token header, else the `_csrf` form field. */
async function presentedCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  const field = (await c.req.parseBody())[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}

/** Whether the request repeats `expected` (compared in constant time); never true for an empty token. */
export async function hasValidCsrf(c: Context, expected: string): Promise<boolean> {
  const presented = await presentedCsrf(c);
  return Boolean(expected && presented && timingSafeEqual(sha256(presented), sha256(expected)));
}

export function csrfError(): AppError {
  return new AppError(
    403,
    'csrf',
    `missing or wrong CSRF token: send the form's ${CSRF_FIELD} field or the ${CSRF_HEADER} header (reload the page if it expired)`,
  );
}

/**
 * Who is asking: a `prz_u_…` personal token in `Authorization: Bearer` (that user, their current
 * role, via 'token'; an unknown, revoked or disabled token is 401 at once), else the session
 * cookie (via 'session'). Sets `c.var.user` (undefined when anonymous) and `c.var.csrfToken`.
 * Other bearer tokens (source tokens for /api/v1/events) are not users and are left to their
 * routes. Every unsafe method from a session must repeat the session's CSRF token (403 `csrf`).
 */
export function createAuthMiddleware({ db, logger, now = () => new Date(), secureCookies = false }: AuthOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', undefined);
    c.set('csrfToken', '');
    const bearer = /^Bearer\s+(prz_u_\S*)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const check = await verifyPersonalToken(db, bearer);
      if (!check.ok) {
        logger.warn('token_refused', { request_id: c.get('requestId'), path: c.req.path, reason: check.message });
        throw new UnauthorizedError('invalid_token', check.message);
      }
      c.set('user', check.user);
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = cookie ? await readSession(db, cookie, now()) : undefined;
    if (cookie && !session) clearSessionCookie(c, isSecureRequest(c, secureCookies));
    if (session) {
      c.set('user', session.user);
      c.set('csrfToken', session.csrfToken);
    } else {
      c.set('csrfToken', getCookie(c, LOGIN_CSRF_COOKIE) ?? '');
    }
    const path = c.req.path;
    // Without a session there is nothing to forge (the guards refuse); the login form checks its own token.
    if (session && UNSAFE_METHODS.has(c.req.method) && !CSRF_EXEMPT.some((p) => p.test(path))) {
      if (!(await hasValidCsrf(c, session.csrfToken))) throw csrfError();
    }
    await next();
  };
}
