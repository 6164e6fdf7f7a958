import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { claimFollowUp, closeFollowUp } from '../../../src/metrics/satisfaction/changeFollowUp.js';
import { cursorOf, type FollowUpCursor, type FollowUpRow, listFollowUps } from '../../../src/metrics/satisfaction/listFollowUps.js';
import { createApp } from '../../../src/server/createApp.js';
import { FOLLOW_UP_ROWS, formatQueueCursor } from '../../../src/server/pages/satisfactionPage.js';
import { query } from '../../ingest/helpers.js';
import { policy } from '../../metrics/helpers.js';
import { fixtureDatabase } from '../../metrics/registry/fixture.js';
import { refusal } from '../../metrics/satisfaction/refusal.js';
import { loginAs } from '../auth/authHelpers.js';
import { MARKERS, NOW, SERVER_EVENTS } from './serverFixture.js';

/**
 * The server fixture's four insatisfeito answers (B1 4 Mar, C1 5 Mar, U1 14 Mar, and U1's score
 * of 1 on 15 Mar 09:00) plus MANY more on tickets P000…, one a minute from 15 Mar 00:00 local,
 * and five (S0…S4) on 16 Mar within one second, a hundred milliseconds apart: more than a page.
 * The first page is S…, U1, P204…P011; the second the older ones, P010…P000, U1, C1, B1.
 */
const MANY = FOLLOW_UP_ROWS + 5;
const pad = (i: number) => String(i).padStart(3, '0');
const comment = (i: number) => `PAGINA-COMENTARIO-${pad(i)}`;
const minute = (i: number) => new Date(Date.parse('2026-03-15T00:00:00-03:00') + i * 60_000).toISOString();
const EVENTS = [
  ...SERVER_EVENTS,
  ...Array.from({ length: MANY }, (_, i) =>
    JSON.stringify({ id: `pg-${pad(i)}`, ticket: `P${pad(i)}`, at: minute(i), type: 'survey.answered', rating: 'insatisfeito', comment: comment(i) }),
  ),
  // Sent newest first; keys in the order of time, which is the reverse of the queue's newest-first.
  ...[4, 3, 2, 1, 0].map((i) =>
    JSON.stringify({ id: `same-${i}`, ticket: `S${i}`, at: `2026-03-16T10:00:00.${i + 1}00-03:00`, type: 'survey.answered', rating: 'insatisfeito' }),
  ),
];
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
  db = await fixtureDatabase(EVENTS);
  app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  lead = await loginAs(app, db, 'lead');
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

const page = async (url: string, headers: Record<string, string>) => {
  const res = await app.request(url, { headers });
  return { status: res.status, html: await res.text() };
};

/** The queue's part of the page: from its heading to the next heading (a lead's latest answers) or the end. */
function queueOf(html: string): string {
  const start = html.indexOf('<h2 id="queue">');
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('<h2', start + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

const ticketsOf = (part: string) => [...part.matchAll(/<a href="\/tickets\/([^"]+)">/g)].map((m) => m[1]!);
/** The answers of the rows, from their claim forms (every row is open in these tests; U1 has two answers). */
const answersOf = (part: string) => [...part.matchAll(/name="id" value="([^"]+)"/g)].map((m) => m[1]!);
const olderLink = (part: string) => /<a href="([^"]+)#queue">Mais antigos →<\/a>/.exec(part)?.[1]?.replace(/&amp;/g, '&');

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

  test("the page's other filters and language ride along; a refused action's message does not", async () => {
    const { html } = await page('/satisfacao?from=2026-03-01&to=2026-03-21&problem=already_closed&lang=en', lead);
    const older = /<a href="([^"]+)#queue">Older →<\/a>/.exec(queueOf(html))?.[1]?.replace(/&amp;/g, '&');
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
    expect((await page(`/satisfacao?after=${formatQueueCursor(cursor)}`, analyst)).status).toBe(403);
    const ana: Caller = { role: 'analyst', actor: 'ana@example.com' };
    expect(await refusal(listFollowUps(db, ana, { after: cursor }))).toEqual({ status: 403, code: 'forbidden' });
    const [denied] = await query(db, "SELECT detail FROM audit_log WHERE actor = 'ana@example.com' AND action = 'satisfaction.denied' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(denied!.detail))).toMatchObject({ attempted: 'satisfaction.read_follow_ups' });
  });

  test('a cursor that is not one shows the first page, as Admin does with a bad before', async () => {
    const first = ticketsOf(queueOf((await page('/satisfacao', lead)).html));
    for (const bad of ['nada', formatQueueCursor({ closed: false, answered_at: 'ontem', answer_source: 'x', answer_id: 'y' }), Buffer.from('[1,2]').toString('base64url')]) {
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
