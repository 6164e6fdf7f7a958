import type { DuckDBConnection } from '@duckdb/node-api';
import { type Caller, invalidQuery } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { isoSql } from '../../db/withConnection.js';
import { parsePeriod } from '../registry/parseMetricQuery.js';
import { ANSWER_READERS } from '../registry/satisfactionMetrics.js';
import { accessSatisfaction } from './accessSatisfaction.js';

export const FOLLOW_UP_STATUSES = ['open', 'claimed', 'contacted', 'closed'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

/** An insatisfeito answer and where its follow-up stands (open: nobody claimed it yet). */
export interface FollowUpRow {
  answer_source: string;
  answer_id: string;
  ticket: string;
  answered_at: string;
  comment: string | null;
  client: string | null;
  requester: string | null;
  severity: string | null;
  analyst: string | null;
  follow_up_id: number | null;
  status: FollowUpStatus;
  claimed_by: string | null;
  claimed_at: string | null;
  contacts: number;
  last_contact_at: string | null;
  last_outcome: string | null;
  closed_by: string | null;
  closed_at: string | null;
}

/**
 * A row's place in the queue's order (closed last; newest answer, to the whole second, first;
 * then the answer's key): the rows after it are the next page. Take it from a page's last row
 * with cursorOf.
 */
export interface FollowUpCursor {
  closed: boolean;
  /** As the rows give answered_at: an ISO instant, whole seconds. */
  answered_at: string;
  answer_source: string;
  answer_id: string;
}

export interface ListFollowUpsParams {
  status?: FollowUpStatus;
  /** Answer instants, inclusive start and exclusive end (ISO instants or São Paulo dates). */
  from?: string;
  to?: string;
  limit?: number;
  /**
   * Only the rows after this one in the queue's order (the next page): a cursor, or its URL text
   * (encodeFollowUpCursor), read only once the caller may read the queue at all.
   */
  after?: FollowUpCursor | string;
}

/** One page of the queue and where the next one starts (null: there are no more rows). */
export interface FollowUpPage {
  rows: FollowUpRow[];
  next: FollowUpCursor | null;
}

/** Where the page that ends with `row` stops. */
export function cursorOf(row: FollowUpRow): FollowUpCursor {
  return { closed: row.status === 'closed', answered_at: row.answered_at, answer_source: row.answer_source, answer_id: row.answer_id };
}

/** A cursor as URL text (the page's and the API's `?after=`): the row's place as base64url JSON. */
export function encodeFollowUpCursor(cursor: FollowUpCursor): string {
  return Buffer.from(JSON.stringify([cursor.closed, cursor.answered_at, cursor.answer_source, cursor.answer_id])).toString('base64url');
}

/** `?after=` text back as a cursor; undefined when it is not one (each caller decides what that means). */
export function decodeFollowUpCursor(text: string): FollowUpCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return undefined;
    const [closed, answeredAt, source, id] = value as unknown[];
    if (typeof closed !== 'boolean' || typeof answeredAt !== 'string' || Number.isNaN(Date.parse(answeredAt))) return undefined;
    if (typeof source !== 'string' || typeof id !== 'string') return undefined;
    return { closed, answered_at: answeredAt, answer_source: source, answer_id: id };
  } catch {
    return undefined;
  }
}

/** The rows after the cursor in followUpSelect's ORDER BY (closed ascending, second descending, key ascending). */
const AFTER_CURSOR = `(
  (coalesce(q.status, 'open') = 'closed') > $afterClosed
  OR ((coalesce(q.status, 'open') = 'closed') = $afterClosed AND (
    date_trunc('second', f.answered_at) < to_timestamp($afterAt)
    OR (date_trunc('second', f.answered_at) = to_timestamp($afterAt)
      AND (f.answer_source > $afterSource OR (f.answer_source = $afterSource AND f.answer_id > $afterId))))))`;

const iso = isoSql;

/**
 * The queue's SQL; `where` is fixed text from these modules, values (and $limit) are bound.
 * Without `answers` the comment and the respondent are not even read (NULL): the queue's state only.
 * Answers are ordered by the whole second, as answered_at shows them, so a shown row is an exact
 * cursor (FollowUpCursor) even when answers share a second.
 */
export function followUpSelect(where: string, answers = true): string {
  const comment = answers ? 'a.comment' : 'NULL::VARCHAR AS comment';
  const requester = answers ? 'f.requester::VARCHAR AS requester' : 'NULL::VARCHAR AS requester';
  return `SELECT f.answer_source, f.answer_id, f.ticket, ${iso('f.answered_at')} AS answered_at, ${comment}, f.client,
      ${requester}, f.severity::VARCHAR AS severity, f.analyst,
      q.id::INTEGER AS follow_up_id, coalesce(q.status, 'open') AS status, q.claimed_by, ${iso('q.claimed_at')} AS claimed_at,
      (SELECT count(*) FROM follow_up_contacts c WHERE c.follow_up_id = q.id)::INTEGER AS contacts,
      (SELECT ${iso('max(c.contacted_at)')} FROM follow_up_contacts c WHERE c.follow_up_id = q.id) AS last_contact_at,
      (SELECT arg_max(c.outcome, c.contacted_at) FROM follow_up_contacts c WHERE c.follow_up_id = q.id) AS last_outcome,
      q.closed_by, ${iso('q.closed_at')} AS closed_at
    FROM survey_facts f
    JOIN survey_answers a ON a.source = f.answer_source AND a.id = f.answer_id
    LEFT JOIN follow_ups q ON q.answer_source = f.answer_source AND q.answer_id = f.answer_id
    WHERE f.rating = 'insatisfeito' AND ${where}
    ORDER BY coalesce(q.status, 'open') = 'closed', date_trunc('second', f.answered_at) DESC, f.answer_source, f.answer_id
    LIMIT $limit`;
}

export async function readFollowUps(
  connection: DuckDBConnection,
  where: string,
  params: Record<string, string | number | boolean | null>,
  answers = true,
): Promise<FollowUpRow[]> {
  const reader = await connection.runAndReadAll(followUpSelect(where, answers), params);
  return reader.getRowObjectsJS() as unknown as FollowUpRow[];
}

/**
 * The insatisfeito follow-up queue, open items first: leads act on it, leadership and admin read
 * it; analysts get 403. Leadership sees the queue's state, not the answers: comments and the
 * respondent are left out for it (ANSWER_READERS). Audited with the tickets shown.
 */
export async function listFollowUps(db: Database, caller: Caller, params: ListFollowUpsParams = {}): Promise<FollowUpRow[]> {
  return (await listFollowUpPage(db, caller, params)).rows;
}

/**
 * listFollowUps with where the next page starts: it reads one row more than `limit`, so a page
 * that is exactly full at the end of the queue has no next page. The extra row is neither
 * returned nor audited.
 */
export async function listFollowUpPage(db: Database, caller: Caller, params: ListFollowUpsParams = {}): Promise<FollowUpPage> {
  let more = false;
  const cursor = typeof params.after === 'string' ? decodeFollowUpCursor(params.after) : params.after;
  const { rows } = await accessSatisfaction<FollowUpRow>(db, caller, {
    action: 'satisfaction.read_follow_ups',
    target: 'follow_ups',
    detail: {
      status: params.status ?? null,
      from: params.from ?? null,
      to: params.to ?? null,
      after: cursor ? `${cursor.answer_source}/${cursor.answer_id}` : typeof params.after === 'string' ? 'invalid' : null,
    },
    auditResult: (read) => ({ tickets: [...new Set(read.map((row) => row.ticket))] }),
    run: async (connection) => {
      if (params.status !== undefined && !FOLLOW_UP_STATUSES.includes(params.status)) {
        throw invalidQuery(`status: esperava ${FOLLOW_UP_STATUSES.join(', ')}`);
      }
      const period = params.from !== undefined || params.to !== undefined ? parsePeriod(params.from, params.to) : undefined;
      const limit = params.limit ?? 200;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidQuery('limit: esperava um inteiro de 1 a 1000');
      const after = params.after !== undefined ? parseCursor(cursor) : undefined;
      const where = [
        period ? 'f.answered_at >= to_timestamp($from) AND f.answered_at < to_timestamp($to)' : 'true',
        "($status::VARCHAR IS NULL OR coalesce(q.status, 'open') = $status::VARCHAR)",
        after ? AFTER_CURSOR : 'true',
      ].join(' AND ');
      const read = await readFollowUps(connection, where, {
        status: params.status ?? null,
        limit: limit + 1,
        ...(period ? { from: period.fromSeconds, to: period.toSeconds } : {}),
        ...(after ?? {}),
      }, ANSWER_READERS.includes(caller.role));
      more = read.length > limit;
      return read.slice(0, limit);
    },
  });
  const last = rows.at(-1);
  return { rows, next: more && last ? cursorOf(last) : null };
}

/** The cursor's values as bound parameters; 400 invalid_query when it is not one. */
function parseCursor(cursor: FollowUpCursor | undefined): { afterClosed: boolean; afterAt: number; afterSource: string; afterId: string } {
  const at = typeof cursor?.answered_at === 'string' ? Date.parse(cursor.answered_at) : Number.NaN;
  if (typeof cursor?.closed !== 'boolean' || Number.isNaN(at) || typeof cursor.answer_source !== 'string' || typeof cursor.answer_id !== 'string') {
    throw invalidQuery('after: esperava closed, answered_at, answer_source e answer_id de uma linha da fila');
  }
  return { afterClosed: cursor.closed, afterAt: Math.floor(at / 1000), afterSource: cursor.answer_source, afterId: cursor.answer_id };
}

/**
 * How many insatisfeito answers of [from, to) stand at each follow-up status (every status, zeros
 * included): one grouped count through the same gate as the queue, for readers of counts only
 * (the weekly report). Audited once, with the counts.
 */
export async function countFollowUps(db: Database, caller: Caller, range: { from: string; to: string }): Promise<Record<FollowUpStatus, number>> {
  const period = parsePeriod(range.from, range.to);
  const { rows } = await accessSatisfaction<{ status: FollowUpStatus; n: number }>(db, caller, {
    action: 'satisfaction.count_follow_ups',
    target: 'follow_ups',
    detail: { from: range.from, to: range.to },
    auditResult: (read) => ({ counts: Object.fromEntries(read.map((row) => [row.status, row.n])) }),
    run: async (connection) =>
      (
        await connection.runAndReadAll(
          `SELECT coalesce(q.status, 'open') AS status, count(*)::INTEGER AS n
           FROM survey_facts f
           LEFT JOIN follow_ups q ON q.answer_source = f.answer_source AND q.answer_id = f.answer_id
           WHERE f.rating = 'insatisfeito' AND f.answered_at >= to_timestamp($from) AND f.answered_at < to_timestamp($to)
           GROUP BY ALL`,
          { from: period.fromSeconds, to: period.toSeconds },
        )
      ).getRowObjectsJS() as unknown as { status: FollowUpStatus; n: number }[],
  });
  const counts = Object.fromEntries(FOLLOW_UP_STATUSES.map((status) => [status, 0])) as Record<FollowUpStatus, number>;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
