import type { DuckDBConnection } from '@duckdb/node-api';
import { AccessError, type Caller, forbidden, type Role } from '../../access/roles.js';
import { appendAudit } from '../../db/appendAudit.js';
import type { Database } from '../../db/openDatabase.js';
import { SATISFACTION_ROLES } from '../registry/satisfactionMetrics.js';

/** Aggregates over fewer answers than this are not shown outside the lead role (DESIGN.md §3). */
export const DEFAULT_MIN_GROUP_SIZE = 5;

/**
 * Whether a role's satisfaction aggregates are protected: small groups suppressed and periods
 * widened to whole weeks. Everyone but leads, who work with the answers themselves.
 */
export function protectsAggregates(role: Role): boolean {
  return role !== 'lead';
}

/** DuckDB's words for a transaction that lost to a concurrent one, or a unique key taken meanwhile. */
const CONFLICT = /conflict|duplicate key/i;

export interface SatisfactionOptions {
  /** The minimum number of answers behind an aggregate shown to leadership, admin or a report. */
  minGroupSize?: number;
}

export interface SatisfactionAccess<R> {
  /** The audit_log action, e.g. satisfaction.read_metric, follow_up.claim. */
  action: string;
  /** What it acts on: a metric name, a follow-up id, "survey_answers". */
  target: string;
  /** The request's parameters for the audit row (never survey text or ratings of answers). */
  detail?: Record<string, unknown>;
  /** Who may do it; the satisfaction readers (lead, leadership, admin) unless narrower. */
  roles?: readonly Role[];
  /** Run the work and its audit row in one transaction (changes to the follow-up queue). */
  transaction?: boolean;
  /** The read or change, on the zone's connection. */
  run: (connection: DuckDBConnection) => Promise<R[]>;
  /**
   * Aggregate reads: the group a row belongs to and the answers behind it. Groups with fewer
   * answers than the minimum are dropped for every role but lead (leads work with the answers).
   */
  groupOf?: (row: R) => { key: string; answers: number };
  /** What the audit row adds about the result (counts, ticket ids; never text or ratings). */
  auditResult?: (rows: R[]) => Record<string, unknown>;
  /** The error to answer when the transaction lost a write-write conflict (a concurrent claim). */
  onConflict?: () => Error;
}

export interface SatisfactionRead<R> {
  rows: R[];
  /** Groups left out for having fewer answers than the minimum. */
  suppressed: number;
}

/**
 * The one door of the satisfaction zone: every read of a satisfaction metric, of survey answers and
 * of the follow-up queue, and every change to the queue, comes through here. It checks the caller's
 * role (a refusal is audited, then answered 403 forbidden), runs the work, suppresses small groups
 * of aggregates outside the lead role, and appends the audit row.
 */
export async function accessSatisfaction<R>(
  db: Database,
  caller: Caller,
  access: SatisfactionAccess<R>,
  options: SatisfactionOptions = {},
): Promise<SatisfactionRead<R>> {
  const roles = access.roles ?? SATISFACTION_ROLES;
  const connection = await db.connect();
  try {
    if (!roles.includes(caller.role)) {
      await appendAudit(connection, caller, { action: 'satisfaction.denied', target: access.target, detail: { attempted: access.action } });
      throw forbidden(`o perfil ${caller.role} não tem acesso a dados de satisfação (${access.action})`);
    }
    if (access.transaction) await connection.run('BEGIN TRANSACTION');
    try {
      const all = await access.run(connection);
      const { rows, suppressed } = access.groupOf ? suppressSmallGroups(all, access.groupOf, caller.role, options) : { rows: all, suppressed: 0 };
      await appendAudit(connection, caller, {
        action: access.action,
        target: access.target,
        detail: { ...access.detail, ...access.auditResult?.(rows), rows: rows.length, suppressed },
      });
      if (access.transaction) await connection.run('COMMIT');
      return { rows, suppressed };
    } catch (error) {
      if (access.transaction) await connection.run('ROLLBACK').catch(() => undefined);
      if (access.onConflict && !(error instanceof AccessError) && CONFLICT.test((error as Error).message)) throw access.onConflict();
      throw error;
    }
  } finally {
    connection.closeSync();
  }
}

function suppressSmallGroups<R>(
  rows: R[],
  groupOf: (row: R) => { key: string; answers: number },
  role: Role,
  options: SatisfactionOptions,
): SatisfactionRead<R> {
  if (!protectsAggregates(role)) return { rows, suppressed: 0 };
  const minimum = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const small = new Set<string>();
  const kept = rows.filter((row) => {
    const group = groupOf(row);
    if (group.answers >= minimum) return true;
    small.add(group.key);
    return false;
  });
  return { rows: kept, suppressed: small.size };
}
