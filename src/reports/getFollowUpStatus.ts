import type { Caller } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { FOLLOW_UP_STATUSES, type FollowUpCursor, listFollowUpPage } from '../metrics/satisfaction/listFollowUps.js';

/** The week's insatisfeito answers by follow-up status (open, claimed, contacted, closed): counts only. */
export type FollowUpStatus = Record<string, number>;

/**
 * Where the follow-ups of the insatisfeito answers of [from, to) stand, read through the
 * satisfaction zone (role-checked and audited, a page at a time); only the counts per status
 * leave this function. Every page is read: a week with more answers than a page counts them all.
 */
export async function getFollowUpStatus(
  db: Database,
  caller: Caller,
  range: { from: string; to: string },
  pageSize = 1000,
): Promise<FollowUpStatus> {
  const counts: FollowUpStatus = Object.fromEntries(FOLLOW_UP_STATUSES.map((s) => [s, 0]));
  let after: FollowUpCursor | undefined;
  do {
    const page = await listFollowUpPage(db, caller, { from: range.from, to: range.to, limit: pageSize, ...(after ? { after } : {}) });
    for (const row of page.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
    after = page.next ?? undefined;
  } while (after);
  return counts;
}
