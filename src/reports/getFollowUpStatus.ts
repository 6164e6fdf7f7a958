import type { Caller } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { FOLLOW_UP_STATUSES, listFollowUps } from '../metrics/satisfaction/listFollowUps.js';

/** The week's insatisfeito answers by follow-up status (open, claimed, contacted, closed): counts only. */
export type FollowUpStatus = Record<string, number>;

/**
 * Where the follow-ups of the insatisfeito answers of [from, to) stand, read through the
 * satisfaction zone (role-checked and audited); only the counts per status leave this function.
 */
export async function getFollowUpStatus(db: Database, caller: Caller, range: { from: string; to: string }): Promise<FollowUpStatus> {
  const rows = await listFollowUps(db, caller, { from: range.from, to: range.to, limit: 1000 });
  const counts: FollowUpStatus = Object.fromEntries(FOLLOW_UP_STATUSES.map((s) => [s, 0]));
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}
