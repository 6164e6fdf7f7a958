import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLES, type Role } from '../../../src/access/roles.js';
import { type Database, openDatabase } from '../../../src/db/openDatabase.js';
import { requireRole, requireUser } from '../../../src/server/auth/guards.js';
import { createPersonalToken, revokePersonalToken } from '../../../src/server/auth/personalTokens.js';
import { disableUser, setUserRole } from '../../../src/server/auth/users.js';
import { createApp } from '../../../src/server/createApp.js';
import { createSourceToken } from '../../../src/server/tokens.js';
import { bearerAs, readJson, createTestUser, loginAs, type SessionHeaders } from './authHelpers.js';

let dir: string;
let db: Database;
let app: ReturnType<typeof createApp>;
const sessions = {} as Record<Role, SessionHeaders>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-access-'));
  db = await openDatabase(join(dir, 'prazo.duckdb'));
  app = createApp({ db, config: { maxBodyBytes: 1 << 20 } });
  // Test-only routes guarded like the real ones: one API endpoint and one page per minimum role.
  for (const role of ROLES) {
    app.get(`/api/v1/test/${role}`, requireRole(role), (c) => c.json({ ok: true, role: c.get('user')!.role }));
    app.post(`/api/v1/test/${role}`, requireRole(role), (c) => c.json({ changed: true }));
    app.get(`/test/${role}`, requireRole(role), (c) => c.html('<p>secret page</p>'));
  }
  app.get('/test/signed-in', requireUser(), (c) => c.text('ok'));
  for (const role of ROLES) sessions[role] = await loginAs(app, db, role);
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
  app.request(path, { method: 'POST', ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

describe('CSRF', () => {
  test('a session POST without the token, or with a wrong one, is 403 csrf and changes nothing', async () => {
    const { Cookie, 'X-CSRF-Token': token } = sessions.admin;
    const attempts: Record<string, string>[] = [{ Cookie }, { Cookie, 'X-CSRF-Token': 'wrong' }, { Cookie, 'X-CSRF-Token': sessions.lead['X-CSRF-Token'] }];
    for (const headers of attempts) {
      const res = await post('/api/v1/test/analyst', headers);
      expect(res.status).toBe(403);
      expect((await readJson(res)).error.code).toBe('csrf');
    }
    const logout = await post('/logout', { Cookie });
    expect(logout.status).toBe(403);
    expect((await app.request('/api/v1/me', { headers: { Cookie } })).status).toBe(200);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await app.request('/api/v1/test/analyst', { method, headers: { Cookie } })).status).toBe(403);
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('the right token is accepted in the X-CSRF-Token header or the _csrf form field', async () => {
    const session = sessions.lead;
    expect((await post('/api/v1/test/analyst', session)).status).toBe(200);
    const form = new URLSearchParams({ _csrf: session['X-CSRF-Token'], note: 'x' });
    const res = await post('/api/v1/test/analyst', { Cookie: session.Cookie }, {
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    const multipart = new FormData();
    multipart.set('_csrf', session['X-CSRF-Token']);
    expect((await post('/api/v1/test/analyst', { Cookie: session.Cookie }, { body: multipart })).status).toBe(200);
  });

  test('personal-token calls need no CSRF token (no cookie is involved)', async () => {
    const res = await post('/api/v1/test/analyst', await bearerAs(db, 'analyst'));
    expect(res.status).toBe(200);
  });
});

describe('personal tokens', () => {
  test('a token acts with exactly its user\'s role, follows role changes, and stops when the user is disabled', async () => {
    const user = await createTestUser(db, 'lead');
    const { token } = await createPersonalToken(db, user.email);
    expect(token).toMatch(/^prz_u_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const auth = { Authorization: `Bearer ${token}` };
    expect(await readJson((await app.request('/api/v1/me', { headers: auth })))).toEqual({
      id: user.id, email: user.email, name: user.email.split('@')[0], role: 'lead', via: 'token',
    });
    expect((await app.request('/api/v1/test/lead', { headers: auth })).status).toBe(200);
    expect((await app.request('/api/v1/test/leadership', { headers: auth })).status).toBe(403);
    await setUserRole(db, user.email, 'leadership');
    expect((await app.request('/api/v1/test/leadership', { headers: auth })).status).toBe(200);
    await disableUser(db, user.email);
    expect((await app.request('/api/v1/me', { headers: auth })).status).toBe(401);
  });

  test('a revoked, unknown or malformed personal token is 401', async () => {
    const user = await createTestUser(db, 'admin');
    const created = await createPersonalToken(db, user.email);
    await revokePersonalToken(db, created.id);
    const forged = `prz_u_${created.id}_${'A'.repeat(43)}`;
    for (const token of [created.token, forged, 'prz_u_0123456789abcdef_' + 'b'.repeat(43), 'prz_u_nope']) {
      const res = await app.request('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect((await readJson(res)).error.code).toBe('invalid_token');
      expect((await app.request('/api/v1/test/analyst', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    }
  });

  test('a source token is not a user: 401 on user routes, while it still writes events', async () => {
    const { token } = await createSourceToken(db, { source: 'helpdesk' });
    const auth = { Authorization: `Bearer ${token}` };
    expect((await app.request('/api/v1/me', { headers: auth })).status).toBe(401);
    expect((await app.request('/api/v1/test/analyst', { headers: auth })).status).toBe(401);
    const event = { id: 'e-1', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.opened', severity: 'media', client: 'Acme' };
    const res = await post('/api/v1/events', { ...auth, Cookie: sessions.admin.Cookie, 'Content-Type': 'application/json' }, {
      body: JSON.stringify([event]),
    });
    expect(res.status).toBe(202);
    expect((await readJson(res)).accepted).toBe(1);
  });
});

describe('roles', () => {
  const below = ROLES.flatMap((minimum, m) => ROLES.slice(0, m).map((role) => [minimum, role] as const));
  const atOrAbove = ROLES.flatMap((minimum, m) => ROLES.slice(m).map((role) => [minimum, role] as const));

  test.each(below)('a %s API endpoint refuses %s with 403 JSON (read and write)', async (minimum, role) => {
    const get = await app.request(`/api/v1/test/${minimum}`, { headers: sessions[role] });
    expect(get.status).toBe(403);
    expect((await readJson(get)).error.code).toBe('forbidden');
    const write = await post(`/api/v1/test/${minimum}`, sessions[role]);
    expect(write.status).toBe(403);
    expect(await write.text()).not.toContain('changed');
    const page = await app.request(`/test/${minimum}`, { headers: sessions[role] });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('Acesso negado');
    expect(html).not.toContain('secret page');
  });

  test.each(atOrAbove)('a %s route lets %s in', async (minimum, role) => {
    expect((await app.request(`/api/v1/test/${minimum}`, { headers: sessions[role] })).status).toBe(200);
    expect((await app.request(`/test/${minimum}`, { headers: sessions[role] })).status).toBe(200);
  });

  test('anonymous: pages redirect to /login?next=…, the API answers 401', async () => {
    const page = await app.request('/test/analyst?from=2026-01-01');
    expect(page.status).toBe(302);
    expect(page.headers.get('Location')).toBe(`/login?next=${encodeURIComponent('/test/analyst?from=2026-01-01')}`);
    expect((await app.request('/test/signed-in')).status).toBe(302);
    const api = await app.request('/api/v1/test/analyst');
    expect(api.status).toBe(401);
    expect(api.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });
});

describe('secure headers', () => {
  test.each(['/healthz', '/login', '/api/v1/me'])('%s carries the CSP and the secure headers', async (path) => {
    const res = await app.request(path);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
    expect(res.headers.get('Strict-Transport-Security')).toMatch(/max-age=/);
  });

  test('pages and API answers are never kept by the browser (Back after logging out shows nothing); assets keep their caching', async () => {
    const page = await app.request('/', { headers: sessions.leadership });
    expect(page.status).toBe(200);
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    const secret = await app.request('/test/analyst', { headers: sessions.analyst });
    expect(await secret.text()).toContain('secret page');
    expect(secret.headers.get('Cache-Control')).toBe('no-store');
    const me = await app.request('/api/v1/me', { headers: sessions.lead });
    expect(me.status).toBe(200);
    expect(me.headers.get('Cache-Control')).toBe('no-store');
    const refused = await app.request('/api/v1/test/admin', { headers: sessions.analyst });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('Cache-Control')).toBe('no-store');
    expect((await app.request('/assets/app.css')).headers.get('Cache-Control')).toBe('public, max-age=3600');
  });
});
