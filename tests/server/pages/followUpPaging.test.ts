import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { claimFollowUp, closeFollowUp } from '../../../src/metrics/satisfaction/changeFollowUp.js';
import {
  cursorOf,
  encodeFollowUpCursor,
  type FollowUpCursor,
  type FollowUpRow,
  listFollowUps,
} from '../../../src/metrics/satisfaction/listFollowUps.js';
import { createApp } from '../../../src/server/createApp.js';
import { FOLLOW_UP_ROWS } from '../../../src/server/pages/satisfactionPage.js';
import { query } from '../../ingest/helpers.js';
import { policy } from '../../metrics/helpers.js';
import { fixtureDatabase } from '../../metrics/registry/fixture.js';
import { refusal } from '../../metrics/satisfaction/refusal.js';
import { bearerAs, loginAs, readJson } from '../auth/authHelpers.js';
import {
  comment,
  FOLLOW_UP_EVENTS,
  MANY,
  manyAnswers,
  olderLink,
  pad,
  queueOf,
  SERVER_FOLLOW_UPS,
  ticketsOf,
} from './followUpQueueFixture.js';
import { MARKERS, NOW, SERVER_EVENTS } from './serverFixture.js';

const OLDEST = [...Array.from({ length: 11 }, (_, i) => `P${pad(10 - i)}`), 'U1', 'C1', 'B1'];
/**
 * Within a second the queue goes by the answer's key (same-0 is S0), not by the milliseconds (S4
 * is the newest): the rows show whole seconds, so a cursor taken from one can only know the key.
 */
const SAME_SECOND = ['S0', 'S1', 'S2', 'S3', 'S4'];

let db: Database;
let app: ReturnType<typeof createApp>;
let lead: Record<string, string>;
let leadership: Record<string, string>;
const lia: Caller = { role: 'lead', actor: 'lia@example.com' };

beforeAll(async () => {
  db = await fixtureDatabase(FOLLOW_UP_EVENTS);
  app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  lead = await loginAs(app, db, 'lead');
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

const page = async (url: string, headers: Record<string, string>, on = app) => {
  const res = await on.request(url, { headers });
  return { status: res.status, html: await res.text() };
};

/** The answers of the rows, from their claim forms (every row is open in these tests; U1 has two answers). */
const answersOf = (part: string) => [...part.matchAll(/name="id" value="([^"]+)"/g)].map((m) => m[1]!);

/** Every page of the queue from `url` on, following "Mais antigos →". */
async function allPages(url: string, headers: Record<string, string>): Promise<string[]> {
  const pages: string[] = [];
  for (let next: string | undefined = url; next; next = olderLink(pages[pages.length - 1]!)) {
    const { status, html } = await page(next, headers);
    expect(status).toBe(200);
    pages.push(queueOf(html));
    expect(pages.length).toBeLessThan(10);
  }
  return pages;
}

describe('Satisfação: paging the follow-up queue', () => {
  test('a lead reaches every follow-up: the second page has the older ones, none shown twice', async () => {
    const [first, second, ...rest] = await allPages('/satisfacao', lead);
    expect(rest).toEqual([]);
    const one = ticketsOf(first!);
    const two = ticketsOf(second!);
    expect(one).toHaveLength(FOLLOW_UP_ROWS);
    expect(one.slice(0, 7)).toEqual([...SAME_SECOND, 'U1', `P${pad(MANY - 1)}`]);
    expect(two).toEqual(OLDEST);
    const [answersOne, answersTwo] = [answersOf(first!), answersOf(second!)];
    expect(answersOne).toHaveLength(FOLLOW_UP_ROWS);
    expect(answersOne.filter((a) => answersTwo.includes(a))).toEqual([]);
    expect(new Set([...answersOne, ...answersTwo]).size).toBe(4 + MANY + 5);
    // A lead reads the comments on the second page as on the first.
    expect(second).toContain(comment(0));
    expect(second).toContain(MARKERS[0]); // C1's
    // The way back, and no way further.
    expect(second).toMatch(/<a href="\/satisfacao#queue">← Mais recentes<\/a>/);
    expect(olderLink(second!)).toBeUndefined();
    expect(first).not.toContain('Mais recentes');
  });

  test('the queue is a work list: a period without answers and a filter leave it whole, and the page says so', async () => {
    const [whole] = await allPages('/satisfacao', lead);
    const { status, html } = await page('/satisfacao?from=2020-01-01&to=2020-02-01&severity=baixa', lead);
    expect(status).toBe(200);
    expect(ticketsOf(queueOf(html))).toEqual(ticketsOf(whole!));
    expect(html).toContain('Todas as respostas insatisfeito, de qualquer período e filtro');
    expect((await page('/satisfacao?lang=en', lead)).html).toContain('Every dissatisfied answer, whatever the period and filters');
  });

  test("the page's other filters and language ride along; a refused action's message does not", async () => {
    const { html } = await page('/satisfacao?from=2026-03-01&to=2026-03-21&problem=already_closed&lang=en', lead);
    const older = olderLink(queueOf(html), 'Older →');
    const params = new URL(older!, 'http://x').searchParams;
    expect(Object.fromEntries(params)).toMatchObject({ from: '2026-03-01', to: '2026-03-21', lang: 'en' });
    expect(params.has('problem')).toBe(false);
    expect(params.get('after')).toBeTruthy();
  });

  test('leadership pages the queue the same way and never gets a comment', async () => {
    const pages = await allPages('/satisfacao', leadership);
    expect(pages).toHaveLength(2);
    expect(ticketsOf(pages[1]!)).toEqual(OLDEST);
    const whole = (await page(olderLink(pages[0]!)!, leadership)).html;
    for (const text of [...MARKERS, comment(0), comment(MANY - 1), 'Ninguém ligou', 'Demorou demais']) {
      expect(pages.join('')).not.toContain(text);
      expect(whole).not.toContain(text);
    }
    // Not hidden by the page: the zone does not read them for leadership, on any page.
    const after = cursorOf((await listFollowUps(db, { role: 'leadership', actor: 'diretoria@example.com' }, { limit: FOLLOW_UP_ROWS })).at(-1)!);
    const rows = await listFollowUps(db, { role: 'leadership', actor: 'diretoria@example.com' }, { limit: FOLLOW_UP_ROWS, after });
    expect(rows.map((r) => r.ticket)).toEqual(OLDEST);
    expect(rows.filter((r) => r.comment !== null || r.requester !== null)).toEqual([]);
  });

  test('an analyst still gets 403, with a cursor too; the zone refuses the cursor read and audits it', async () => {
    const analyst = await loginAs(app, db, 'analyst');
    const cursor: FollowUpCursor = { closed: false, answered_at: '2026-03-15T03:05:00Z', answer_source: 'x', answer_id: 'y' };
    expect((await page(`/satisfacao?after=${encodeFollowUpCursor(cursor)}`, analyst)).status).toBe(403);
    const ana: Caller = { role: 'analyst', actor: 'ana@example.com' };
    expect(await refusal(listFollowUps(db, ana, { after: cursor }))).toEqual({ status: 403, code: 'forbidden' });
    const [denied] = await query(db, "SELECT detail FROM audit_log WHERE actor = 'ana@example.com' AND action = 'satisfaction.denied' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(denied!.detail))).toMatchObject({ attempted: 'satisfaction.read_follow_ups' });
  });

  test('a cursor that is not one shows the first page, as Admin does with a bad before', async () => {
    const first = ticketsOf(queueOf((await page('/satisfacao', lead)).html));
    for (const bad of ['nada', encodeFollowUpCursor({ closed: false, answered_at: 'ontem', answer_source: 'x', answer_id: 'y' }), Buffer.from('[1,2]').toString('base64url')]) {
      const { status, html } = await page(`/satisfacao?after=${bad}`, lead);
      expect(status).toBe(200);
      expect(ticketsOf(queueOf(html))).toEqual(first);
    }
    // Called directly (the API could pass one on), the zone answers 400 rather than guessing.
    const bad = { closed: 'no', answered_at: 'ontem', answer_source: 'x', answer_id: 'y' } as unknown as FollowUpCursor;
    expect(await refusal(listFollowUps(db, lia, { after: bad }))).toEqual({ status: 400, code: 'invalid_query' });
  });
});

describe('listFollowUps: the after cursor', () => {
  /** Every row of [from, to), `size` at a time, each page after the last row of the one before. */
  async function pageThrough(from: string, to: string, size: number): Promise<FollowUpRow[][]> {
    const pages: FollowUpRow[][] = [];
    for (;;) {
      const last = pages.at(-1)?.at(-1);
      const rows = await listFollowUps(db, lia, { from, to, limit: size, ...(last ? { after: cursorOf(last) } : {}) });
      if (rows.length === 0) return pages;
      pages.push(rows);
      expect(pages.length).toBeLessThan(20);
    }
  }

  test('answers sharing a second (to the millisecond) are neither skipped nor repeated across pages', async () => {
    const stored = await query(db, "SELECT strftime(occurred_at, '%S.%g') AS s FROM survey_answers WHERE ticket LIKE 'S%' ORDER BY 1");
    expect(stored.map((r) => r.s)).toEqual(['00.100', '00.200', '00.300', '00.400', '00.500']);
    const whole = await listFollowUps(db, lia, { from: '2026-03-16', to: '2026-03-17', limit: 1000 });
    expect(whole.map((r) => r.ticket)).toEqual(SAME_SECOND);
    for (const size of [1, 2, 3]) {
      const pages = await pageThrough('2026-03-16', '2026-03-17', size);
      expect(pages.flat()).toEqual(whole);
    }
  });

  test('closed follow-ups come last, and a cursor on either side of that boundary pages on', async () => {
    const [s1] = await query(db, "SELECT source, id FROM survey_answers WHERE ticket = 'S1'");
    const claimed = await claimFollowUp(db, lia, { source: String(s1!.source), id: String(s1!.id) });
    await closeFollowUp(db, lia, claimed.follow_up_id!);
    const whole = await listFollowUps(db, lia, { from: '2026-03-16', to: '2026-03-17', limit: 1000 });
    expect(whole.map((r) => [r.ticket, r.status])).toEqual([['S0', 'open'], ['S2', 'open'], ['S3', 'open'], ['S4', 'open'], ['S1', 'closed']]);
    for (const size of [1, 2, 4]) expect((await pageThrough('2026-03-16', '2026-03-17', size)).flat()).toEqual(whole);
    // The read is audited with the cursor it was given.
    await listFollowUps(db, lia, { from: '2026-03-16', to: '2026-03-17', limit: 1, after: cursorOf(whole[3]!) });
    const [read] = await query(db, "SELECT detail FROM audit_log WHERE actor = 'lia@example.com' AND action = 'satisfaction.read_follow_ups' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(read!.detail))).toMatchObject({ after: `${whole[3]!.answer_source}/${whole[3]!.answer_id}`, tickets: ['S1'] });
  });
});

describe('a queue of exactly FOLLOW_UP_ROWS follow-ups', () => {
  test('has no "Mais antigos →" link and no next_after: no way to an empty page', async () => {
    const exact = await fixtureDatabase([...SERVER_EVENTS, ...manyAnswers(FOLLOW_UP_ROWS - SERVER_FOLLOW_UPS)]);
    try {
      const exactApp = createApp({ db: exact, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
      const { status, html } = await page('/satisfacao', await loginAs(exactApp, exact, 'lead'), exactApp);
      expect(status).toBe(200);
      const queue = queueOf(html);
      expect(ticketsOf(queue)).toHaveLength(FOLLOW_UP_ROWS);
      expect(queue).not.toContain('Mais antigos');
      expect(queue).not.toContain('Mais recentes');
      const token = await bearerAs(exact, 'lead');
      const full = await readJson(await exactApp.request(`/api/v1/followups?limit=${FOLLOW_UP_ROWS}`, { headers: token }));
      expect(full.followups).toHaveLength(FOLLOW_UP_ROWS);
      expect(full.next_after).toBeNull();
      // One fewer per page: now there is a next page, with the one row left.
      const short = await readJson(await exactApp.request(`/api/v1/followups?limit=${FOLLOW_UP_ROWS - 1}`, { headers: token }));
      const rest = await readJson(await exactApp.request(`/api/v1/followups?limit=${FOLLOW_UP_ROWS - 1}&after=${short.next_after}`, { headers: token }));
      expect(rest.followups.map((r: FollowUpRow) => r.ticket)).toEqual(['B1']);
      expect(rest.next_after).toBeNull();
    } finally {
      exact.close();
    }
  });
});

/** The queue's forms: where each posts and its hidden fields, as a browser would send them. */
function formsOf(part: string): { action: string; fields: Record<string, string> }[] {
  const unescape = (text: string) =>
    text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...part.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)].map(([, action, inner]) => ({
    action: action!,
    fields: Object.fromEntries([...inner!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, unescape(m[2]!)])),
  }));
}

// Last: these claim and close rows of the queue.
describe('a queue form posted from a later page', () => {
  const post = (action: string, fields: Record<string, string>) =>
    app.request(action, {
      method: 'POST',
      headers: { Cookie: lead.Cookie!, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const parts = (location: string | null) => {
    const url = new URL(location!, 'http://x');
    return { path: url.pathname, query: Object.fromEntries(url.searchParams), hash: url.hash };
  };

  test('claim, contact and close on page 2 (filters, English) come back to page 2; a refusal too, with its message', async () => {
    const first = queueOf((await page('/satisfacao?from=2026-03-01&to=2026-03-21&lang=en', lead)).html);
    const second = olderLink(first, 'Older →')!;
    const { path, query: secondQuery } = parts(second);
    expect(secondQuery).toMatchObject({ from: '2026-03-01', to: '2026-03-21', lang: 'en', after: expect.any(String) });
    const before = queueOf((await page(second, lead)).html);
    const claim = formsOf(before).find((f) => f.action === '/satisfacao/followups/claim')!;
    const ticket = ticketsOf(before)[0]!;

    const claimed = await post(claim.action, claim.fields);
    expect(claimed.status).toBe(303);
    expect(parts(claimed.headers.get('location'))).toEqual({ path, query: secondQuery, hash: '#queue' });
    const after = queueOf((await page(claimed.headers.get('location')!, lead)).html);
    expect(ticketsOf(after)).toEqual(ticketsOf(before));
    expect(after).toContain('>Record contact<'); // still English, and the row is now the lead's

    const mine = formsOf(after).filter((f) => /^\/satisfacao\/followups\/\d+\/(contact|close)$/.test(f.action));
    expect(mine.map((f) => f.action.split('/').at(-1))).toEqual(['contact', 'close']);
    const contacted = await post(mine[0]!.action, { ...mine[0]!.fields, contacted_at: '2026-03-20T10:00', channel: 'phone', outcome: 'reached' });
    expect(parts(contacted.headers.get('location'))).toEqual({ path, query: secondQuery, hash: '#queue' });
    const closed = await post(mine[1]!.action, mine[1]!.fields);
    // Closing is confirmed (?ok=closed, named under the queue's heading), still on page 2.
    expect(parts(closed.headers.get('location'))).toEqual({ path, query: { ...secondQuery, ok: 'closed' }, hash: '#queue' });
    expect(queueOf((await page(closed.headers.get('location')!, lead)).html)).toContain('<p class="good" role="status">Follow-up closed.</p>');
    const [row] = await query(db, `SELECT q.status FROM follow_ups q JOIN survey_facts f ON f.answer_source = q.answer_source AND f.answer_id = q.answer_id WHERE f.ticket = '${ticket}'`);
    expect(row!.status).toBe('closed');

    // The same close again (a stale form): refused, back on page 2 with the problem named at the top.
    const refused = await post(mine[1]!.action, mine[1]!.fields);
    expect(parts(refused.headers.get('location'))).toEqual({ path, query: { ...secondQuery, problem: 'already_closed' }, hash: '' });
    const { html } = await page(refused.headers.get('location')!, lead);
    expect(html).toContain('This follow-up is already closed.');
    // Still page 2 (the closed row moved to the queue's end, which is this page's end).
    expect(ticketsOf(queueOf(html)).sort()).toEqual(ticketsOf(before).sort());
    expect(ticketsOf(queueOf(html)).at(-1)).toBe(ticket);
  });

  test('back only carries a query string: the redirect stays on /satisfacao', async () => {
    const claim = formsOf(queueOf((await page('/satisfacao', lead)).html)).find((f) => f.action === '/satisfacao/followups/claim')!;
    expect(claim.fields.back).toBe('');
    for (const back of ['https://evil.example/', '//evil.example', '?a=1#x']) {
      const res = await post(claim.action, { ...claim.fields, id: 'nenhuma', back });
      expect(res.headers.get('location')).toMatch(/^\/satisfacao\?[^#/]*problem=unknown_answer$/);
    }
  });
});
