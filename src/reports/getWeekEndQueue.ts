import type { Database } from '../db/openDatabase.js';

/**
 * Of the tickets opened before the week's end and not resolved by then, how many were at risk or
 * overdue. (How many there were is the registry's `backlog` metric, which the report shows.)
 */
export interface WeekEndQueue {
  /** Not yet past the solution deadline but past `threshold` of the time to it. */
  atRisk: number;
  /** Already past the solution deadline at the week's end. */
  overdue: number;
}

/**
 * The open queue as it stood at the end of the week (a snapshot, not a period aggregate).
 * The at-risk share is measured in elapsed time between opening and the (pause-adjusted)
 * solution deadline: exact for 24x7 severities, an approximation for 8x5 ones, whose deadline is
 * exact but whose elapsed share counts closed hours too.
 */
export async function getWeekEndQueue(db: Database, end: number, threshold: number): Promise<WeekEndQueue> {
  const sql = `SELECT
      count(*) FILTER (WHERE solution_deadline > $end::TIMESTAMPTZ
        AND epoch($end::TIMESTAMPTZ) - epoch(opened_at) >= $threshold::DOUBLE * (epoch(solution_deadline) - epoch(opened_at)))::INTEGER AS at_risk,
      count(*) FILTER (WHERE solution_deadline <= $end::TIMESTAMPTZ)::INTEGER AS overdue
    FROM ticket_sla WHERE opened_at < $end::TIMESTAMPTZ AND (resolved_at IS NULL OR resolved_at >= $end::TIMESTAMPTZ)`;
  const connection = await db.connect();
  try {
    const row = (await connection.runAndReadAll(sql, { end: new Date(end).toISOString(), threshold })).getRowObjectsJS()[0]!;
    return { atRisk: Number(row.at_risk), overdue: Number(row.overdue) };
  } finally {
    connection.closeSync();
  }
}
