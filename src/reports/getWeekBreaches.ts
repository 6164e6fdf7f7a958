import type { Database } from '../db/openDatabase.js';

export interface BreachRow {
  ticket: string;
  client: string | null;
  severity: string | null;
  /** Which targets were missed. */
  missed: ('response' | 'solution')[];
  /** Business seconds past the target (the larger of the two when both were missed); null while open. */
  overSeconds: number | null;
}

export interface WeekBreaches {
  rows: BreachRow[];
  /** All breaches of the week; `rows` holds at most `limit` of them, the largest first. */
  total: number;
}

/**
 * The tickets behind the `breaches` metric of the week: opened in [start, end) and past their
 * response or solution target (the registry's definition, so the count matches the dashboards).
 * An open ticket past its solution deadline counts, with no margin yet.
 */
export async function getWeekBreaches(db: Database, range: { start: number; end: number }, limit = 40): Promise<WeekBreaches> {
  const sql = `SELECT ticket, client, severity::VARCHAR AS severity,
      coalesce(response_met = false, false) AS response_missed, coalesce(solution_met = false, false) AS solution_missed,
      greatest(CASE WHEN response_met = false THEN -response_margin_seconds END,
               CASE WHEN solution_met = false THEN -solution_margin_seconds END) AS over,
      count(*) OVER ()::INTEGER AS total
    FROM ticket_sla
    WHERE opened_at >= $from::TIMESTAMPTZ AND opened_at < $to::TIMESTAMPTZ AND (response_met = false OR solution_met = false)
    ORDER BY over DESC NULLS FIRST, ticket LIMIT $limit`;
  const connection = await db.connect();
  try {
    const rows = (await connection.runAndReadAll(sql, { from: new Date(range.start).toISOString(), to: new Date(range.end).toISOString(), limit }))
      .getRowObjectsJS();
    return {
      total: rows.length ? Number(rows[0]!.total) : 0,
      rows: rows.map((r) => ({
        ticket: String(r.ticket),
        client: (r.client as string | null) ?? null,
        severity: (r.severity as string | null) ?? null,
        missed: [...(r.response_missed ? ['response' as const] : []), ...(r.solution_missed ? ['solution' as const] : [])],
        overSeconds: r.over === null ? null : Number(r.over),
      })),
    };
  } finally {
    connection.closeSync();
  }
}
