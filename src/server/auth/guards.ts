import type { Context, MiddlewareHandler } from 'hono';
import { type Role, roleAtLeast } from '../../access/roles.js';
import type { AppEnv } from '../createApp.js';
import { AppError, UnauthorizedError } from '../errors.js';
import { resolveLang } from '../i18n/resolveLang.js';
import { renderForbiddenPage } from './renderAuthPages.js';

/** API routes answer JSON errors; everything else is a page (redirects and HTML errors). */
export function isApiRequest(c: Context): boolean {
  return c.req.path === '/api' || c.req.path.startsWith('/api/');
}

/** The login URL that comes back to this request's page after sign-in. */
export function loginUrl(c: Context): string {
  const url = new URL(c.req.url);
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/**
 * Only signed-in users (session or personal token) pass. Anonymous API requests get 401 JSON;
 * anonymous page requests are redirected to /login?next=<this page>.
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('user')) return next();
    if (isApiRequest(c)) {
      throw new UnauthorizedError('unauthenticated', 'sign in, or send a personal token as "Authorization: Bearer prz_u_…"');
    }
    return c.redirect(loginUrl(c), c.req.method === 'GET' || c.req.method === 'HEAD' ? 302 : 303);
  };
}

/**
 * Only users whose role is `minimum` or above pass (DESIGN.md §4). Anonymous: as requireUser.
 * A lower role gets 403: JSON `{error:{code:'forbidden'}}` on the API and for a script's form post,
 * a pt-BR HTML page otherwise.
 */
export function requireRole(minimum: Role): MiddlewareHandler<AppEnv> {
  const signedIn = requireUser();
  return async (c, next) => {
    const user = c.get('user');
    if (!user) return signedIn(c, next);
    if (roleAtLeast(user.role, minimum)) return next();
    // A page read gets the HTML page; a form post from a script (not accepting HTML) the JSON envelope, as the API.
    const scriptWrite = c.req.method !== 'GET' && c.req.method !== 'HEAD' && !c.req.header('accept')?.includes('text/html');
    if (isApiRequest(c) || scriptWrite) throw new AppError(403, 'forbidden', `this needs the role ${minimum} or above (yours: ${user.role})`);
    return c.html(renderForbiddenPage(resolveLang(c), user.role), 403);
  };
}
