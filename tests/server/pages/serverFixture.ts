import type { Database } from '../../../src/db/openDatabase.js';
import { createApp } from '../../../src/server/createApp.js';
import { FIXTURE_EVENTS, fixtureDatabase, NOW } from '../../metrics/registry/fixture.js';
import { policy } from '../../metrics/helpers.js';

/** Unique strings put in survey comments: no analyst-reachable response may contain any of them. */
export const MARKERS = ['MARCADOR-QZX-ALFA-7731', 'MARCADOR-QZX-BETA-2290', 'MARCADOR-QZX-GAMA-5518'];
/** Survey ratings as whole words (not "insatisfeitos", not insatisfeito_count). */
export const RATING_WORDS = /\b(satisfeito|neutro|insatisfeito)\b/i;

let n = 0;
const survey = (ticket: string, when: string, fields: string) =>
  `{"id":"mk-${++n}","ticket":"${ticket}","at":"${when}-03:00","type":"survey.answered",${fields}}`;

/** The registry fixture (seven tickets, March 2026) plus surveys whose comments carry MARKERS. */
export const SERVER_EVENTS = [
  ...FIXTURE_EVENTS,
  survey('C1', '2026-03-05T09:00:00', `"rating":"insatisfeito","comment":"${MARKERS[0]} péssimo"`),
  survey('A1', '2026-03-06T09:00:00', `"rating":"neutro","comment":"${MARKERS[1]}"`),
  survey('U1', '2026-03-15T09:00:00', `"score":1,"comment":"${MARKERS[2]} <script>alert(1)</script>"`),
];

export { NOW };

/** A database with SERVER_EVENTS and an app whose clock is the fixture's NOW. */
export async function createServerFixture(): Promise<{ db: Database; app: ReturnType<typeof createApp> }> {
  const db = await fixtureDatabase(SERVER_EVENTS);
  const app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(NOW) });
  return { db, app };
}
