import { expect } from 'vitest';
import { FOLLOW_UP_ROWS } from '../../../src/server/pages/satisfactionPage.js';
import { SERVER_EVENTS } from './serverFixture.js';

/**
 * The server fixture's four insatisfeito answers (B1 4 Mar, C1 5 Mar, U1 14 Mar, and U1's score
 * of 1 on 15 Mar 09:00) plus MANY more on tickets P000…, one a minute from 15 Mar 00:00 local,
 * and five (S0…S4) on 16 Mar within one second, a hundred milliseconds apart: more than a page.
 * The first page is S…, U1, P204…P011; the second the older ones, P010…P000, U1, C1, B1.
 */
export const MANY = FOLLOW_UP_ROWS + 5;
export const pad = (i: number) => String(i).padStart(3, '0');
export const comment = (i: number) => `PAGINA-COMENTARIO-${pad(i)}`;
const minute = (i: number) => new Date(Date.parse('2026-03-15T00:00:00-03:00') + i * 60_000).toISOString();
/** `count` insatisfeito answers on tickets P000…, one a minute, each with its own comment. */
export const manyAnswers = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: `pg-${pad(i)}`, ticket: `P${pad(i)}`, at: minute(i), type: 'survey.answered', rating: 'insatisfeito', comment: comment(i) }),
  );
/** The insatisfeito answers of SERVER_EVENTS: B1, C1, U1 and U1's score of 1. */
export const SERVER_FOLLOW_UPS = 4;
export const FOLLOW_UP_EVENTS = [
  ...SERVER_EVENTS,
  ...manyAnswers(MANY),
  // Sent newest first; keys in the order of time, which is the reverse of the queue's newest-first.
  ...[4, 3, 2, 1, 0].map((i) =>
    JSON.stringify({ id: `same-${i}`, ticket: `S${i}`, at: `2026-03-16T10:00:00.${i + 1}00-03:00`, type: 'survey.answered', rating: 'insatisfeito' }),
  ),
];

/** The queue's part of the page: from its heading to the next heading (a lead's latest answers) or the end. */
export function queueOf(html: string): string {
  const start = html.indexOf('<h2 id="queue">');
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('<h2', start + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

export const ticketsOf = (part: string) => [...part.matchAll(/<a href="\/tickets\/([^"]+)">/g)].map((m) => m[1]!);
/** The href of the queue's link to the next page ("Mais antigos →" or its English), unescaped. */
export const olderLink = (part: string, label = 'Mais antigos →') => new RegExp(`<a href="([^"]+)#queue">${label}</a>`).exec(part)?.[1]?.replace(/&amp;/g, '&');
