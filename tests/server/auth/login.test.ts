import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../../src/db/openDatabase.js';
import { createApp, FORM_MAX_BODY_BYTES, type Logger } from '../../../src/server/createApp.js';
import { cookieFrom, readJson, createTestUser, loginAs, openLoginForm, setCookieLine, submitLogin } from './authHelpers.js';

const START = Date.parse('2026-03-02T12:00:00Z');
let clock = START;
let dir: string;
let db: Database;
let app: ReturnType<typeof createApp>;
const logs: { level: string; event: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  info: (event, fields = {}) => logs.push({ level: 'info', event, fields }),
  warn: (event, fields = {}) => logs.push({ level: 'warn', event, fields }),
  error: (event, fields = {}) => logs.push({ level: 'error', event, fields }),
};
let ipCounter = 0;
/** A distinct client address per test, so the per-address limit of one test does not touch another. */
const freshIp = () => ({ 'X-Forwarded-For': `203.0.113.${++ipCounter}` });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-auth-'));
  db = await openDatabase(join(dir, 'prazo.duckdb'));
  app = createApp({ db, logger, now: () => new Date(clock), config: { maxBodyBytes: 1 << 20, trustProxy: true } });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  clock = START;
});

const me = (headers: Record<string, string>) => app.request('/api/v1/me', { headers });

describe('login page', () => {
  test('GET /login is a pt-BR form with a CSRF field and its cookie; ?lang=en is English', async () => {
    const res = await app.request('/login?next=/sla');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toContain('Entrar no Prazo');
    expect(html).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
    expect(html).toContain('name="next" value="/sla"');
    expect(setCookieLine(res, 'prazo_login_csrf')).toMatch(/HttpOnly/);
    const en = await (await app.request('/login?lang=en')).text();
    expect(en).toContain('Sign in to Prazo');
  });

  test('an open redirect in next is replaced by /', async () => {
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
      const html = await (await app.request(`/login?next=${encodeURIComponent(next)}`)).text();
      expect(html).toContain('name="next" value="/"');
    }
    const quoted = await (await app.request(`/login?next=${encodeURIComponent('/sla?a="><script>')}`)).text();
    expect(quoted).not.toContain('"><script>');
  });
});

describe('POST /login', () => {
  test('success redirects to next and sets an HttpOnly, SameSite=Lax, Path=/ session cookie (Secure only over https)', async () => {
    const user = await createTestUser(db, 'lead', 'Lia Líder');
    const res = await submitLogin(app, user.email.toUpperCase(), user.password, { headers: freshIp(), next: '/satisfacao?x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/satisfacao?x=1');
    const line = setCookieLine(res, 'prazo_session')!;
    expect(line).toMatch(/^prazo_session=[A-Za-z0-9_-]{43};/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Secure/);
    const body = await readJson(await me({ Cookie: cookieFrom(res, 'prazo_session')! }));
    expect(body).toMatchObject({ id: user.id, email: user.email, name: 'Lia Líder', role: 'lead', via: 'session' });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const proxied = await submitLogin(app, user.email, user.password, { headers: { ...freshIp(), 'X-Forwarded-Proto': 'https' } });
    expect(setCookieLine(proxied, 'prazo_session')).toMatch(/; Secure/);
    const tls = await submitLogin(app, user.email, user.password, { headers: freshIp(), url: 'https://prazo.example/login' });
    expect(setCookieLine(tls, 'prazo_session')).toMatch(/; Secure/);
  });

  test('a wrong password or an unknown e-mail is 401 with the same message and no session', async () => {
    const user = await createTestUser(db, 'analyst');
    for (const [email, password] of [[user.email, 'wrong-password'], ['nobody@test.prazo', user.password]] as const) {
      const res = await submitLogin(app, email, password, { headers: freshIp() });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('E-mail ou senha incorretos.');
      expect(cookieFrom(res, 'prazo_session')).toBeUndefined();
    }
  });

  test('a form body over FORM_MAX_BODY_BYTES is refused 413 before it is read, even anonymous', async () => {
    const big = new URLSearchParams({ email: 'a@b.c', password: 'x'.repeat(FORM_MAX_BODY_BYTES) });
    const res = await app.request('/login', {
      method: 'POST',
      headers: { ...freshIp(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect((await readJson(res)).error.code).toBe('payload_too_large');
    // Chunked (no Content-Length): counted as it arrives.
    const stream = new Blob([big.toString()]).stream();
    const chunked = await app.request('/login', {
      method: 'POST',
      headers: { ...freshIp(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  test('the login form without its CSRF token is refused (403) and signs no one in', async () => {
    const user = await createTestUser(db, 'analyst');
    const form = await openLoginForm(app);
    const body = new URLSearchParams({ email: user.email, password: user.password, _csrf: 'forged' });
    const res = await app.request('/login', {
      method: 'POST',
      headers: { ...freshIp(), Cookie: form.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.status).toBe(403);
    expect(cookieFrom(res, 'prazo_session')).toBeUndefined();
    const noCookie = await app.request('/login', {
      method: 'POST',
      headers: { ...freshIp(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: user.email, password: user.password, _csrf: form.csrf }),
    });
    expect(noCookie.status).toBe(403);
  });

  test('logs successes and failures with the e-mail, never the password', async () => {
    const user = await createTestUser(db, 'analyst');
    const ip = freshIp();
    await submitLogin(app, user.email, 'not-the-password-42', { headers: ip });
    await submitLogin(app, user.email, user.password, { headers: ip });
    const mine = logs.filter((l) => l.fields.email === user.email);
    expect(mine.map((l) => l.event)).toEqual(['login_failed', 'login_succeeded']);
    expect(mine[0]!.fields.ip).toBe(ip['X-Forwarded-For']);
    expect(JSON.stringify(logs)).not.toContain('not-the-password-42');
    expect(JSON.stringify(logs)).not.toContain(user.password);
  });
});

describe('lockout', () => {
  test('5 failures for an e-mail lock it for 15 min, with the time left; it unlocks after the window', async () => {
    const user = await createTestUser(db, 'leadership');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock = START + i * 60_000;
      statuses.push((await submitLogin(app, user.email, `wrong-${i}`, { headers: freshIp() })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    clock = START + 4 * 60_000 + 30_000;
    const locked = await submitLogin(app, user.email, user.password, { headers: freshIp() });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('Retry-After')).toBe('870');
    expect(await locked.text()).toContain('o acesso está bloqueado por 15 minutos');
    expect(cookieFrom(locked, 'prazo_session')).toBeUndefined();

    clock = START + 4 * 60_000 + 14 * 60_000 + 30_000;
    const almost = await submitLogin(app, user.email, user.password, { headers: freshIp() });
    expect(almost.status).toBe(429);
    expect(await almost.text()).toContain('bloqueado por 1 minuto;');

    clock = START + 4 * 60_000 + 15 * 60_000;
    const after = await submitLogin(app, user.email, user.password, { headers: freshIp() });
    expect(after.status).toBe(303);
    expect(logs.some((l) => l.event === 'login_locked' && l.fields.email === user.email && l.fields.by === 'email')).toBe(true);
  });

  test('5 failures from one address lock that address for every e-mail', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await submitLogin(app, `guess-${i}@test.prazo`, 'wrong-password', { headers: ip });
    const user = await createTestUser(db, 'admin');
    expect((await submitLogin(app, user.email, user.password, { headers: ip })).status).toBe(429);
    expect((await submitLogin(app, user.email, user.password, { headers: freshIp() })).status).toBe(303);
  });

  test('a success resets the count; failures spread over more than 15 min do not lock', async () => {
    const user = await createTestUser(db, 'analyst');
    const fail = () => submitLogin(app, user.email, 'wrong-password', { headers: freshIp() });
    for (let i = 0; i < 4; i++) await fail();
    expect((await submitLogin(app, user.email, user.password, { headers: freshIp() })).status).toBe(303);
    for (let i = 0; i < 4; i++) expect((await fail()).status).toBe(401);

    const slow = await createTestUser(db, 'analyst');
    for (let i = 0; i < 8; i++) {
      clock = START + i * 4 * 60_000; // any 5 in a row span 16 min
      expect((await submitLogin(app, slow.email, 'wrong-password', { headers: freshIp() })).status).toBe(401);
    }
  });

  test('a lockout survives a restart (it is kept in the database)', async () => {
    const user = await createTestUser(db, 'analyst');
    for (let i = 0; i < 5; i++) await submitLogin(app, user.email, 'wrong-password', { headers: freshIp() });
    const restarted = createApp({ db, now: () => new Date(clock), config: { maxBodyBytes: 1 << 20, trustProxy: true } });
    expect((await submitLogin(restarted, user.email, user.password, { headers: freshIp() })).status).toBe(429);
  });
});

describe('sessions', () => {
  test('logout ends the session: the old cookie no longer works', async () => {
    const session = await loginAs(app, db, 'analyst');
    expect((await me(session)).status).toBe(200);
    const res = await app.request('/logout', { method: 'POST', headers: session });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/login');
    expect(setCookieLine(res, 'prazo_session')).toMatch(/Max-Age=0/);
    const after = await me(session);
    expect(after.status).toBe(401);
    expect((await readJson(after)).error.code).toBe('unauthenticated');
  });

  test('a session ends after 12 h without requests, and activity keeps it alive', async () => {
    const active = await loginAs(app, db, 'analyst');
    const idle = await loginAs(app, db, 'analyst');
    for (let h = 4; h <= 16; h += 4) {
      clock = START + h * 3_600_000;
      expect((await me(active)).status).toBe(200);
    }
    expect((await me(idle)).status).toBe(401);
  });

  test('without a session, POST /logout just goes to the login and the API answers 401 JSON', async () => {
    const res = await app.request('/logout', { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/login');
    const api = await app.request('/api/v1/me');
    expect(api.status).toBe(401);
    expect(await readJson(api)).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  test('GET /login when signed in goes straight to next', async () => {
    const session = await loginAs(app, db, 'lead');
    const res = await app.request('/login?next=/sla', { headers: session });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/sla');
  });
});
