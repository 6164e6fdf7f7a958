import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { claimFollowUp, closeFollowUp } from '../../../src/metrics/satisfaction/changeFollowUp.js';
import {
  cursorOf,
  encodeFollowUpCursor,
  type FollowUpRow,
  listFollowUpPage,
  listFollowUps,
} from '../../../src/metrics/satisfaction/listFollowUps.js';
import { createApp } from '../../../src/server/createApp.js';
import { FOLLOW_UP_ROWS } from '../../../src/server/pages/satisfactionPage.js';
import { query } from '../../ingest/helpers.js';
import { policy } from '../../metrics/helpers.js';
import { fixtureDatabase } from '../../metrics/registry/fixture.js';
import { bearerAs, loginAs, readJson } from '../auth/authHelpers.js';
import { comment, FOLLOW_UP_EVENTS, MANY, olderLink, queueOf, ticketsOf } from '../pages/followUpQueueFixture.js';
import { MARKERS, NOW } from '../pages/serverFixture.js';

/** The paging fixture of the Satisfação page (followUpQueueFixture): 214 insatisfeito answers, S1's follow-up closed. */
let db: Database;
let app: ReturnType<typeof createApp>;
let lead: Record<string, string>;
let leadApi: { Authorization: string };
let leadershipApi: { Authorization: string };
let analystApi: { Authorization: string };
const lia: Caller = { role: 'lead', actor: 'lia@example.com' };

beforeAll(async () => {
  db = await fixtureDatabase(FOLLOW_UP_EVENTS);
  app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  lead = await loginAs(app, db, 'lead');
  [leadApi, leadershipApi, analystApi] = await Promise.all([bearerAs(db, 'lead'), bearerAs(db, 'leadership'), bearerAs(db, 'analyst')]);
  // A closed follow-up: it goes last in the queue, and pages on like the open ones.
  const [s1] = await query(db, "SELECT source, id FROM survey_answers WHERE ticket = 'S1'");
  const claimed = await claimFollowUp(db, lia, { source: String(s1!.source), id: String(s1!.id) });
  await closeFollowUp(db, lia, claimed.follow_up_id!);
});

afterAll(() => db.close());

describe('GET /api/v1/followups: paging with next_after', () => {
  interface ApiPage {
    followups: FollowUpRow[];
    next_after: string | null;
  }

  const api = async (url: string, headers: Record<string, string>) => {
    const res = await app.request(url, { headers });
    return { status: res.status, body: await readJson(res) };
  };

  /** What a script does: ask, then ask again with `after=next_after` until it is null. */
  async function apiPages(query: string, headers: Record<string, string>): Promise<ApiPage[]> {
    const pages: ApiPage[] = [];
    let after: string | null = null;
    do {
      const { status, body } = await api(`/api/v1/followups?${query}${after ? `&after=${after}` : ''}`, headers);
      expect(status).toBe(200);
      pages.push(body as ApiPage);
      after = (body as ApiPage).next_after;
      expect(pages.length).toBeLessThan(20);
    } while (after !== null);
    return pages;
  }

  /** The sizes of the pages of `total` rows, `size` at a time: full ones, then the rest if any (never an empty page). */
  const pageSizes = (total: number, size: number) =>
    Array.from({ length: Math.ceil(total / size) }, (_, i) => Math.min(size, total - i * size));

  test.each([
    ['', FOLLOW_UP_ROWS],
    ['limit=50', 50],
    // 214 rows, two full pages: the second says there is no third instead of leading to an empty one.
    ['limit=107', 107],
    ['from=2026-03-16&to=2026-03-17&limit=2', 2],
    // One row closed (S1, in beforeAll): the 213 open rows are three full pages of 71.
    ['status=open&limit=71', 71],
  ])('?%s: every row once, in the queue\'s order, then next_after null', async (query, size) => {
    const { limit: _limit, ...params } = Object.fromEntries(new URLSearchParams(query));
    const whole = await listFollowUps(db, lia, { ...params, limit: 1000 });
    const pages = await apiPages(query, leadApi);
    expect(pages.map((p) => p.followups.length)).toEqual(pageSizes(whole.length, size));
    expect(pages.flatMap((p) => p.followups)).toEqual(whole);
    expect(pages.slice(0, -1).every((p) => typeof p.next_after === 'string')).toBe(true);
    expect(pages.at(-1)!.next_after).toBeNull();
  });

  test('a queue that is a whole number of pages: 214 rows, 107 a page, is two pages', async () => {
    expect(await listFollowUps(db, lia, { limit: 1000 })).toHaveLength(4 + MANY + 5);
    expect((await apiPages('limit=107', leadApi)).map((p) => p.followups.length)).toEqual([107, 107]);
  });

  test('the row read to know there is a next page is neither returned nor audited', async () => {
    const { body } = await api('/api/v1/followups?from=2026-03-16&to=2026-03-17&limit=2', leadApi);
    expect(body.followups).toHaveLength(2);
    const [read] = await query(db, "SELECT detail FROM audit_log WHERE action = 'satisfaction.read_follow_ups' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(read!.detail))).toMatchObject({ rows: 2, tickets: body.followups.map((r: FollowUpRow) => r.ticket) });
    // listFollowUpPage's boundary: exactly the rows left is the last page, one fewer is not.
    const all = await listFollowUps(db, lia, { from: '2026-03-16', to: '2026-03-17' });
    expect((await listFollowUpPage(db, lia, { from: '2026-03-16', to: '2026-03-17', limit: all.length })).next).toBeNull();
    expect((await listFollowUpPage(db, lia, { from: '2026-03-16', to: '2026-03-17', limit: all.length - 1 })).next).toEqual(cursorOf(all.at(-2)!));
  });

  test('the page\'s ?after= and the API\'s are the same cursor', async () => {
    const html = await (await app.request('/satisfacao', { headers: lead })).text();
    const fromPage = new URL(olderLink(queueOf(html))!, 'http://x').searchParams.get('after');
    const { body } = await api('/api/v1/followups', leadApi);
    expect(body.next_after).toBe(fromPage);
    const onPage = ticketsOf(queueOf(await (await app.request(`/satisfacao?after=${body.next_after}`, { headers: lead })).text()));
    const viaApi = (await api(`/api/v1/followups?after=${body.next_after}`, leadApi)).body.followups.map((r: FollowUpRow) => r.ticket);
    expect(onPage).toEqual(viaApi);
  });

  test('leadership pages through the API and gets no comment and no requester on any page', async () => {
    const pages = await apiPages('limit=60', leadershipApi);
    const rows = pages.flatMap((p) => p.followups);
    expect(rows).toHaveLength(4 + MANY + 5);
    expect(rows.filter((r) => r.comment !== null || r.requester !== null)).toEqual([]);
    const text = JSON.stringify(pages);
    for (const marker of [...MARKERS, comment(0), comment(MANY - 1)]) expect(text).not.toContain(marker);
    // A lead asking the same gets them: the check above could fail.
    expect(JSON.stringify(await apiPages('limit=60', leadApi))).toContain(comment(0));
  });

  test('an analyst gets 403 in the JSON envelope, with a valid cursor too, and the refusal is audited', async () => {
    const { body: first } = await api('/api/v1/followups?limit=5', leadApi);
    for (const url of ['/api/v1/followups', `/api/v1/followups?after=${first.next_after}`, '/api/v1/followups?after=nada']) {
      const { status, body } = await api(url, analystApi);
      expect(status).toBe(403);
      expect(body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(JSON.stringify(body)).not.toContain('P0');
    }
    const [denied] = await query(db, "SELECT detail FROM audit_log WHERE action = 'satisfaction.denied' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(denied!.detail))).toMatchObject({ attempted: 'satisfaction.read_follow_ups' });
  });

  test.each([
    ['after=nada'],
    [`after=${encodeFollowUpCursor({ closed: false, answered_at: 'ontem', answer_source: 'x', answer_id: 'y' })}`],
    [`after=${Buffer.from('[1,2]').toString('base64url')}`],
    [`after=${Buffer.from('{"closed":false}').toString('base64url')}`],
    ['limit=0'],
    ['limit=1001'],
    ['limit=muitos'],
  ])('?%s: 400 invalid_query in the JSON envelope', async (query) => {
    const { status, body } = await api(`/api/v1/followups?${query}`, leadApi);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining(query.split('=')[0]!) } });
  });

  test('the OpenAPI document describes after and next_after', async () => {
    const { body } = await api('/api/v1/openapi.json', leadApi);
    const get = body.paths['/api/v1/followups'].get;
    expect(get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'after']));
    expect(get.responses['200'].content['application/json'].schema.properties.next_after.type).toEqual(['string', 'null']);
    expect(get.responses['400']).toBeDefined();
  });
});
