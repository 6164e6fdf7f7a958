import type { DuckDBConnection } from '@duckdb/node-api';
import type { Caller } from '../access/roles.js';

export interface AuditEntry {
  action: string;
  target?: string;
  /** Parameters of the action, stored as JSON. Never survey text, ratings or passwords. */
  detail?: Record<string, unknown>;
}

/** Appends one row to audit_log on the caller's connection (inside its transaction, if any). */
export async function appendAudit(connection: DuckDBConnection, caller: Caller, entry: AuditEntry): Promise<void> {
  await connection.run(
    'INSERT INTO audit_log (actor, role, action, target, detail) VALUES ($actor, $role, $action, $target, $detail)',
    {
      actor: caller.actor,
      role: caller.role,
      action: entry.action,
      target: entry.target ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    },
  );
}
