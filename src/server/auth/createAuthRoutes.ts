import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { normalizeEmail } from '../../access/normalizeEmail.js';
import type { AppEnv } from '../createApp.js';
import { resolveLang } from '../i18n/resolveLang.js';
import {
  type AuthOptions,
  clearSessionCookie,
  getClientIp,
  hasValidCsrf,
  isSecureRequest,
  LOGIN_CSRF_COOKIE,
  SESSION_COOKIE,
  setSessionCookie,
} from './createAuthMiddleware.js';
import { requireUser } from './guards.js';
import { findLoginLock, readLoginAttempts, recordLoginAttempt } from './loginThrottle.js';
import { type LoginProblem, renderLoginPage } from './renderAuthPages.js';
import { createSession, deleteSession, pruneSessions } from './sessions.js';
import { authenticate } from './users.js';

/** Where to go after sign-in: a path on this site only (no `//host` or `/\host` open redirects). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.startsWith('/login')) return '/';
  return next;
}

/** The login form's CSRF token before there is a session: reuse the cookie's, else issue one. */
function loginCsrfToken(c: Context<AppEnv>, secure: boolean): string {
  const current = c.get('csrfToken');
  if (current) return current;
  const token = randomBytes(32).toString('base64url');
  setCookie(c, LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'Lax', secure, maxAge: 3600 });
  return token;
}

const minutesUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

/**
 * GET/POST /login, POST /logout and GET /api/v1/me. POST /login is rate limited per e-mail and per
 * client address (loginThrottle); a success starts a session in a new cookie (no fixation).
 */
export function createAuthRoutes(options: AuthOptions): Hono<AppEnv> {
  const { db, logger, now = () => new Date(), secureCookies = false, trustProxy = false } = options;
  const app = new Hono<AppEnv>();

  const form = (c: Context<AppEnv>, status: 200 | 401 | 403 | 429, fields: { next: string; email?: string; problem?: LoginProblem }) =>
    c.html(renderLoginPage({ lang: resolveLang(c), csrfToken: loginCsrfToken(c, isSecureRequest(c, secureCookies)), ...fields }), status);

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('user')?.via === 'session') return c.redirect(next, 302);
    return form(c, 200, { next });
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const email = typeof body.email === 'string' ? normalizeEmail(body.email).slice(0, 320) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const ip = getClientIp(c, trustProxy);
    const log = { request_id: c.get('requestId'), email, ip };
    if (!(await hasValidCsrf(c, c.get('csrfToken')))) {
      logger.warn('login_refused', { ...log, reason: 'csrf' });
      return form(c, 403, { next, email, problem: { kind: 'expired_form' } });
    }
    const at = now();
    const key = { email, ip };
    const attempts = await readLoginAttempts(db, key, at);
    const lock = findLoginLock(attempts, key, at);
    if (lock) {
      logger.warn('login_locked', { ...log, by: lock.by, until: lock.until.toISOString() });
      c.header('Retry-After', String(Math.ceil((lock.until.getTime() - at.getTime()) / 1000)));
      return form(c, 429, { next, email, problem: { kind: 'locked', minutes: minutesUntil(lock.until, at) } });
    }
    const user = email && password ? await authenticate(db, email, password) : undefined;
    await recordLoginAttempt(db, { ...key, ok: user !== undefined }, at);
    if (!user) {
      logger.warn('login_failed', { ...log, reason: 'bad_credentials' });
      // This failure may be the one that starts a lock: the attempts read above plus it (as recorded).
      const lockedNow = findLoginLock([...attempts, { at: at.getTime(), email, ip, ok: false }], key, at);
      if (lockedNow) return form(c, 429, { next, email, problem: { kind: 'locked', minutes: minutesUntil(lockedNow.until, at) } });
      return form(c, 401, { next, email, problem: { kind: 'bad_credentials' } });
    }
    const old = getCookie(c, SESSION_COOKIE);
    if (old) await deleteSession(db, old);
    await pruneSessions(db, at);
    const session = await createSession(db, user.id, at);
    const secure = isSecureRequest(c, secureCookies);
    setSessionCookie(c, session.cookie, secure);
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login', httpOnly: true, sameSite: 'Lax', secure });
    logger.info('login_succeeded', { ...log, user_id: user.id, role: user.role });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) await deleteSession(db, cookie);
    clearSessionCookie(c, isSecureRequest(c, secureCookies));
    const user = c.get('user');
    if (user) logger.info('logout', { request_id: c.get('requestId'), user_id: user.id, email: user.email });
    return c.redirect('/login', 303);
  });

  app.get('/api/v1/me', requireUser(), (c) => {
    const user = c.get('user')!;
    const body = { id: user.id, email: user.email, name: user.name, role: user.role, via: user.via };
    return c.json(user.via === 'session' ? { ...body, csrf_token: c.get('csrfToken') } : body);
  });

  return app;
}
