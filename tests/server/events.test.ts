import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../src/db/openDatabase.js';
import { createApp, type Logger } from '../../src/server/createApp.js';
import {
  createSourceToken,
  revokeSourceToken,
  signBody,
  TOKEN_CACHE_MS,
  TOUCH_INTERVAL_MS,
  touchSourceToken,
  verifySourceToken,
} from '../../src/server/tokens.js';

const LIMIT = 4096;
const NDJSON = 'application/x-ndjson';

let dir: string;
let db: Database;
let app: ReturnType<typeof createApp>;
let plain: string;
let signed: { token: string; hmacSecret: string };
let revoked: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-http-'));
  db = await openDatabase(join(dir, 'prazo.duckdb'));
  app = createApp({ db, config: { maxBodyBytes: LIMIT } });
  plain = (await createSourceToken(db, { source: 'helpdesk' })).token;
  const withHmac = await createSourceToken(db, { source: 'webhook', hmac: true });
  signed = { token: withHmac.token, hmacSecret: withHmac.hmacSecret! };
  const old = await createSourceToken(db, { source: 'helpdesk' });
  await revokeSourceToken(db, old.id);
  revoked = old.token;
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: RequestInit['body'], options: { token?: string | null; type?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? plain : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const type = options.type === undefined ? NDJSON : options.type;
  if (type !== null) headers['Content-Type'] = type;
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return app.request('/api/v1/events', init);
}

async function query(sql: string, params: Record<string, string> = {}) {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql, params)).getRowObjectsJson();
  } finally {
    c.closeSync();
  }
}

const opened = (id: string, ticket: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, ticket, at: '2026-03-02T11:05:00Z', type: 'ticket.opened', severity: 'media', client: 'Acme', ...extra });

/** A stream of `chunk`-byte pieces of NDJSON-ish filler that never ends; counts what was pulled. */
function endlessStream(chunk = 1024) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled += chunk;
      controller.enqueue(new Uint8Array(chunk).fill(0x20));
    },
  });
  return { stream, state };
}

describe('POST /api/v1/events', () => {
  const mixed = [
    opened('m-1', 'T-100'),
    '{"id":"m-2","ticket":"T-100", oops',
    '',
    opened('m-3', 'T-101', { severity: 'gravissima' }),
    JSON.stringify({ id: 'm-4', ticket: 'T-100', at: '2026-03-02T12:00:00Z', type: 'ticket.status_changed', status: 'em_atendimento' }),
    JSON.stringify({ id: 'm-5', ticket: 'T-102', at: '2026-03-02T12:00:00Z', type: 'ticket.teleported' }),
    opened('m-6', 'T-103', { at: '2026-03-02 11:05' }),
  ].join('\n');

  test('202 with a mixed batch: good lines stored, bad lines answered and stored with their reasons', async () => {
    const res = await post(`${mixed}\n`);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: 4,
      tickets: 1,
      rejects: [
        { line: 2, reason: 'invalid_json', message: expect.stringMatching(/^not valid JSON/) },
        { line: 4, reason: 'unknown_severity', message: expect.stringContaining('severity') },
        { line: 6, reason: 'unknown_type', message: 'type: unknown event type "ticket.teleported"' },
        { line: 7, reason: 'timestamp_without_zone', message: expect.stringContaining('has no offset') },
      ],
    });

    expect(await query("SELECT id, ticket FROM events WHERE source = 'helpdesk' ORDER BY id")).toEqual([
      { id: 'm-1', ticket: 'T-100' },
      { id: 'm-4', ticket: 'T-100' },
    ]);
    expect(await query("SELECT origin, position::INTEGER AS position, reason FROM rejects WHERE source = 'helpdesk' ORDER BY position")).toEqual([
      { origin: 'http', position: 2, reason: 'invalid_json' },
      { origin: 'http', position: 4, reason: 'unknown_severity' },
      { origin: 'http', position: 6, reason: 'unknown_type' },
      { origin: 'http', position: 7, reason: 'timestamp_without_zone' },
    ]);
    expect(await query("SELECT origin, format, status, accepted::INTEGER AS accepted FROM ingest_runs WHERE source = 'helpdesk'")).toEqual([
      { origin: 'http', format: 'ndjson', status: 'done', accepted: 2 },
    ]);
    expect(await query("SELECT kind FROM sources WHERE name = 'helpdesk'")).toEqual([{ kind: 'http' }]);
    expect(await query("SELECT count(*)::INTEGER AS n FROM source_tokens WHERE source = 'helpdesk' AND last_used_at IS NOT NULL")).toEqual([{ n: 1 }]);
  });

  test('re-sending the same body adds nothing: the events count as duplicates', async () => {
    const res = await post(`${mixed}\n`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 0, duplicates: 2, rejected: 4, tickets: 1 });
    expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE source = 'helpdesk'")).toEqual([{ n: 2 }]);
    expect(await query("SELECT count(*)::INTEGER AS n FROM rejects WHERE source = 'helpdesk'")).toEqual([{ n: 4 }]);
  });

  test('a JSON array body: rejects name the 1-based element', async () => {
    const body = JSON.stringify([JSON.parse(opened('a-1', 'T-200')), 42, JSON.parse(opened('a-2', 'T-201'))]);
    const res = await post(body, { type: 'application/json; charset=utf-8' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: 1,
      tickets: 2,
      rejects: [{ line: 2, reason: 'not_an_object', message: expect.any(String) }],
    });
    expect(await query("SELECT format FROM ingest_runs WHERE format = 'json'")).toEqual([{ format: 'json' }]);
  });

  test('an id sent again with other content is a duplicate the answer counts as a conflict; the first copy stays', async () => {
    expect((await post(`${opened('cf-1', 'T-900')}\n`)).status).toBe(202);
    const res = await post(`${[opened('cf-1', 'T-900'), opened('cf-1', 'T-901'), opened('cf-2', 'T-902')].join('\n')}\n`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, duplicates: 2, conflicts: 1, rejected: 0 });
    expect(await query("SELECT ticket FROM events WHERE id = 'cf-1'")).toEqual([{ ticket: 'T-900' }]);
  });

  test('an empty JSON array is accepted with nothing to do', async () => {
    const res = await post('[]', { type: 'application/json' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, tickets: 0, rejects: [] });
  });

  test.each([
    ['no Authorization header', null, 'missing_token'],
    ['another scheme', 'Basic abc', 'missing_token'],
    ['a token of the wrong shape', 'Bearer nope', 'invalid_token'],
    ['a well-formed token with a wrong secret', 'Bearer WRONG', 'invalid_token'],
    ['a revoked token', 'Bearer REVOKED', 'token_revoked'],
  ])('401 for %s', async (_, authorization, code) => {
    const headers: Record<string, string> = {};
    if (authorization) {
      const wrong = `${plain.slice(0, -4)}${plain.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      headers.Authorization = authorization.replace('WRONG', wrong).replace('REVOKED', revoked);
    }
    const res = await post(opened('u-1', 'T-300'), { token: null, headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE id = 'u-1'")).toEqual([{ n: 0 }]);
  });

  test('a token\'s last_used_at is written at most once a minute, not on every request', async () => {
    const busy = await createSourceToken(db, { source: 'busy' });
    const lastUsedYear = async () =>
      (await query('SELECT year(last_used_at)::INTEGER AS y FROM source_tokens WHERE id = $id', { id: busy.id }))[0]!.y as number | null;
    const send = async (id: string) => expect((await post(`${opened(id, 'T-150')}\n`, { token: busy.token })).status).toBe(202);
    expect(await lastUsedYear()).toBeNull();
    await send('busy-1');
    expect(await lastUsedYear()).toBe(new Date().getUTCFullYear());
    // Make the stored time old: a database-side "once a minute" check would now write again.
    await query("UPDATE source_tokens SET last_used_at = TIMESTAMPTZ '2000-01-01 00:00:00+00' WHERE id = $id", { id: busy.id });
    await send('busy-2');
    await send('busy-3');
    expect(await lastUsedYear()).toBe(2000);
    // A minute on (the clock given), the next use writes it.
    expect(await touchSourceToken(db, busy.id, Date.now() + 30_000)).toBe(false);
    expect(await touchSourceToken(db, busy.id, Date.now() + TOUCH_INTERVAL_MS)).toBe(true);
    expect(await lastUsedYear()).toBe(new Date().getUTCFullYear());
    expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE id LIKE 'busy-%'")).toEqual([{ n: 3 }]);
  });

  test('a token revoked after use is refused on the next request, though verified tokens are remembered', async () => {
    const soon = await createSourceToken(db, { source: 'soon-revoked' });
    expect((await post(`${opened('rv-1', 'T-160')}\n`, { token: soon.token })).status).toBe(202);
    await revokeSourceToken(db, soon.id);
    const refused = await post(`${opened('rv-2', 'T-160')}\n`, { token: soon.token });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('token_revoked');
  });

  test('a verified token is remembered for TOKEN_CACHE_MS, then read again', async () => {
    const cached = await createSourceToken(db, { source: 'cached' });
    const now = Date.now();
    expect((await verifySourceToken(db, cached.token, now)).ok).toBe(true);
    // Revoked behind the process's back (revokeSourceToken would drop it from memory at once).
    await query('UPDATE source_tokens SET revoked_at = current_timestamp WHERE id = $id', { id: cached.id });
    expect((await verifySourceToken(db, cached.token, now + TOKEN_CACHE_MS - 1)).ok).toBe(true);
    expect(await verifySourceToken(db, cached.token, now + TOKEN_CACHE_MS)).toMatchObject({ ok: false, code: 'token_revoked' });
    expect((await verifySourceToken(db, `${cached.token.slice(0, -1)}x`, now)).ok).toBe(false);
  });

  describe('HMAC-signed sources', () => {
    const body = `${opened('h-1', 'T-400')}\n`;

    test('a body signed with the token\'s key is accepted, for the token\'s source', async () => {
      const res = await post(body, { token: signed.token, headers: { 'X-Prazo-Signature': signBody(signed.hmacSecret, body) } });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ accepted: 1 });
      expect(await query("SELECT source FROM events WHERE id = 'h-1'")).toEqual([{ source: 'webhook' }]);
    });

    const tampered = `${opened('h-2', 'T-401')}\n`;

    test.each([
      ['missing', () => undefined],
      ['malformed', () => 'deadbeef'],
      ['made with another key', () => signBody('another key', tampered)],
      ['valid for another body', () => signBody(signed.hmacSecret, body)],
    ])('401 bad_signature when the signature is %s', async (_, signature) => {
      const value = signature();
      const res = await post(tampered, { token: signed.token, headers: value ? { 'X-Prazo-Signature': value } : {} });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'bad_signature', message: expect.any(String) } });
      expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE id = 'h-2'")).toEqual([{ n: 0 }]);
    });
  });

  describe('413 over the configured limit', () => {
    const big = Array.from({ length: 60 }, (_, i) => opened(`big-${i}`, 'T-500')).join('\n');

    test('a Content-Length over the limit is refused before the body is read', async () => {
      const { stream, state } = endlessStream();
      const res = await post(stream, { headers: { 'Content-Length': String(LIMIT * 1000) } });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining(`${LIMIT} bytes`), data: { limit: LIMIT } } });
      expect(state.pulled).toBeLessThanOrEqual(1024); // at most what the stream buffers up front
    });

    test('a body over the limit with its Content-Length', async () => {
      expect(Buffer.byteLength(big)).toBeGreaterThan(LIMIT);
      const res = await post(big, { headers: { 'Content-Length': String(Buffer.byteLength(big)) } });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    });

    test('a streamed body without Content-Length is cut off as soon as it passes the limit', async () => {
      const { stream, state } = endlessStream();
      const res = await post(stream);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
      expect(state.pulled).toBeLessThanOrEqual(LIMIT + 3 * 1024);
    });

    test('a Content-Length that understates the body does not get past the count', async () => {
      const { stream } = endlessStream();
      const res = await post(stream, { headers: { 'Content-Length': '10' } });
      expect(res.status).toBe(413);
    });

    test('nothing of a refused body is written', async () => {
      expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE ticket = 'T-500'")).toEqual([{ n: 0 }]);
    });
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['no Content-Type', null],
    ['form data', 'application/x-www-form-urlencoded'],
  ])('415 for %s', async (_, type) => {
    const res = await post(opened('t-1', 'T-600'), { type });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.any(String), data: { accepted: ['application/x-ndjson', 'application/ndjson', 'application/json'] } },
    });
  });

  test.each([
    ['an empty NDJSON body', '', NDJSON, 'empty_body'],
    ['an NDJSON body of blank lines', '\n\r\n  \n', NDJSON, 'empty_body'],
    ['an empty JSON body', '', 'application/json', 'empty_body'],
    ['a JSON object instead of an array', opened('o-1', 'T-700'), 'application/json', 'not_an_array'],
    ['JSON that does not parse', '[{"id":', 'application/json', 'invalid_json'],
    ['a body that is not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), NDJSON, 'invalid_encoding'],
  ])('400 for %s', async (_, body, type, code) => {
    const res = await post(body, { type });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });
});

describe('group commit: requests waiting for the writer are written together', () => {
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    tokenA = (await createSourceToken(db, { source: 'group-a' })).token;
    tokenB = (await createSourceToken(db, { source: 'group-b' })).token;
    // Verified once, so that concurrent requests reach the writer in the order they are sent.
    for (const token of [tokenA, tokenB]) await verifySourceToken(db, token);
  });
  const runs = (sources: string[]) =>
    query(
      `SELECT source, started_at::VARCHAR AS started, read::INTEGER AS read, accepted::INTEGER AS accepted, duplicates::INTEGER AS duplicates,
         rejected::INTEGER AS rejected FROM ingest_runs WHERE list_contains(string_split($sources, ','), source) ORDER BY id`,
      { sources: sources.join(',') },
    );

  test('concurrent requests each get their own counts and reject lines, and run rows', async () => {
    const bodies = [
      { token: tokenA, body: [opened('ga-1', 'T-800'), '{oops', opened('ga-2', 'T-801')] },
      { token: tokenB, body: [opened('gb-1', 'T-810', { severity: 'gravissima' }), opened('gb-2', 'T-810')] },
      { token: tokenA, body: [opened('ga-3', 'T-802')] },
      { token: tokenB, body: [opened('gb-3', 'T-811'), opened('gb-4', 'T-812'), opened('gb-5', 'T-811', { type: 'ticket.teleported' })] },
      { token: tokenA, body: ['', opened('ga-4', 'T-803', { at: '2026-03-02 11:05' })] },
    ];
    const responses = await Promise.all(bodies.map(({ token, body }) => post(`${body.join('\n')}\n`, { token })));
    expect(responses.map((res) => res.status)).toEqual([202, 202, 202, 202, 202]);
    expect(await Promise.all(responses.map((res) => res.json()))).toEqual([
      { accepted: 2, duplicates: 0, conflicts: 0, rejected: 1, tickets: 2, rejects: [{ line: 2, reason: 'invalid_json', message: expect.any(String) }] },
      { accepted: 1, duplicates: 0, conflicts: 0, rejected: 1, tickets: 1, rejects: [{ line: 1, reason: 'unknown_severity', message: expect.any(String) }] },
      { accepted: 1, duplicates: 0, conflicts: 0, rejected: 0, tickets: 1, rejects: [] },
      { accepted: 2, duplicates: 0, conflicts: 0, rejected: 1, tickets: 2, rejects: [{ line: 3, reason: 'unknown_type', message: expect.any(String) }] },
      { accepted: 0, duplicates: 0, conflicts: 0, rejected: 1, tickets: 0, rejects: [{ line: 2, reason: 'timestamp_without_zone', message: expect.any(String) }] },
    ]);
    const rows = await runs(['group-a', 'group-b']);
    expect(rows.map(({ started: _, ...counts }) => counts)).toEqual([
      { source: 'group-a', read: 3, accepted: 2, duplicates: 0, rejected: 1 },
      { source: 'group-b', read: 2, accepted: 1, duplicates: 0, rejected: 1 },
      { source: 'group-a', read: 1, accepted: 1, duplicates: 0, rejected: 0 },
      { source: 'group-b', read: 3, accepted: 2, duplicates: 0, rejected: 1 },
      // A blank line is not a record, but lines keep their numbers.
      { source: 'group-a', read: 1, accepted: 0, duplicates: 0, rejected: 1 },
    ]);
    // The first is written alone; the others waited for it and were written in one transaction.
    expect(new Set(rows.map((row) => row.started)).size).toBeLessThan(rows.length);
    expect(await query("SELECT source, id FROM events WHERE id LIKE 'g%' ORDER BY id")).toEqual([
      ...['ga-1', 'ga-2', 'ga-3'].map((id) => ({ source: 'group-a', id })),
      ...['gb-2', 'gb-3', 'gb-4'].map((id) => ({ source: 'group-b', id })),
    ]);
    expect(await query("SELECT source, position::INTEGER AS position, reason FROM rejects WHERE source LIKE 'group-%' ORDER BY source, position")).toEqual([
      { source: 'group-a', position: 2, reason: 'invalid_json' },
      { source: 'group-a', position: 2, reason: 'timestamp_without_zone' },
      { source: 'group-b', position: 1, reason: 'unknown_severity' },
      { source: 'group-b', position: 3, reason: 'unknown_type' },
    ]);
  });

  test('an id sent by two concurrent requests is stored once and counted once as a duplicate', async () => {
    const source = await createSourceToken(db, { source: 'group-dup' });
    await verifySourceToken(db, source.token);
    const send = (lines: string[]) => post(`${lines.join('\n')}\n`, { token: source.token });
    // The first request holds the writer; the two after it wait, and are written together.
    const responses = await Promise.all([send([opened('gd-0', 'T-820')]), send([opened('gd-1', 'T-821'), opened('gd-2', 'T-822')]), send([opened('gd-2', 'T-822'), opened('gd-3', 'T-823')])]);
    const answers = (await Promise.all(responses.map((res) => res.json()))) as { accepted: number; duplicates: number }[];
    expect(answers.map(({ accepted, duplicates }) => ({ accepted, duplicates }))).toEqual([
      { accepted: 1, duplicates: 0 },
      { accepted: 2, duplicates: 0 },
      { accepted: 1, duplicates: 1 },
    ]);
    const rows = await runs(['group-dup']);
    expect(rows.map((row) => [row.accepted, row.duplicates])).toEqual([[1, 0], [2, 0], [1, 1]]);
    expect(rows[1]!.started).toBe(rows[2]!.started);
    expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE id = 'gd-2'")).toEqual([{ n: 1 }]);
  });
});

describe('the app shell', () => {
  test('/healthz answers ok', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, db: 'ok' });
  });

  test('an unknown route is a JSON 404', async () => {
    const res = await app.request('/api/v1/nothing');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/v1/nothing' } });
  });

  test('an unexpected failure is a 500 without details, logged with the request id', async () => {
    const lines: { event: string; fields?: Record<string, unknown> }[] = [];
    const record = (event: string, fields?: Record<string, unknown>) => void lines.push({ event, fields });
    const logger: Logger = { info: record, warn: record, error: record };
    const closedDir = mkdtempSync(join(tmpdir(), 'prazo-http-closed-'));
    const closed = await openDatabase(join(closedDir, 'prazo.duckdb'));
    const broken = createApp({ db: closed, logger, config: { maxBodyBytes: LIMIT } });
    closed.close(); // every query now fails inside DuckDB
    try {
      const res = await broken.request('/api/v1/events', {
        method: 'POST',
        headers: { Authorization: `Bearer ${plain}`, 'Content-Type': NDJSON, 'X-Request-Id': 'req-42' },
        body: opened('x-1', 'T-800'),
      });
      expect(res.status).toBe(500);
      expect(res.headers.get('X-Request-Id')).toBe('req-42');
      expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error (request id req-42)' } });
      const failure = lines.find((l) => l.event === 'request_failed');
      expect(failure?.fields).toMatchObject({ request_id: 'req-42', method: 'POST', path: '/api/v1/events' });
      expect(failure?.fields?.error).toEqual(expect.any(String));
    } finally {
      rmSync(closedDir, { recursive: true, force: true });
    }
  });
});

test('a body of more records than one batch is written in several transactions of one run', async () => {
  const many = createApp({ db, config: { maxBodyBytes: 64 * 1024 * 1024 } });
  const lines = Array.from({ length: 50_003 }, (_, i) =>
    JSON.stringify({ id: `n-${i}`, ticket: `T-9${i % 7}`, at: '2026-03-03T10:00:00Z', type: 'ticket.assigned', analyst: 'bia' }),
  );
  const body = `${lines.join('\n')}\n{broken\n`;
  const res = await many.request('/api/v1/events', {
    method: 'POST',
    headers: { Authorization: `Bearer ${plain}`, 'Content-Type': NDJSON },
    body,
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({
    accepted: 50_003,
    duplicates: 0,
    conflicts: 0,
    rejected: 1,
    tickets: 7,
    rejects: [{ line: 50_004, reason: 'invalid_json', message: expect.any(String) }],
  });
  expect(await query("SELECT count(*)::INTEGER AS n FROM events WHERE id LIKE 'n-%'")).toEqual([{ n: 50_003 }]);
}, 60_000);
