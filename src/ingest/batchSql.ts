/**
 * The SQL of one ingest batch (EventWriter.commit). A batch is first staged in temporary tables
 * of the writer's connection, outside the batch's transaction:
 *
 * - staged_events (pos, at, doc, raw): valid events from JavaScript; `doc` is the canonical
 *   event as JSON, or NULL when `raw` itself reads as the event (validateEventFast's verbatim);
 * - staged_rejects (pos, raw, reason, message);
 * - batch: the typed rows of the batch's valid events (`ok`), one JSON parse each, which every
 *   statement of the transaction reads. The set-wise readers fill it straight from SQL
 *   (commonCaseSql.ts), rows the SQL cannot vouch for marked not ok and redone in JavaScript.
 */
import { BATCH_SHAPE, quoteIdent } from './commonCaseSql.js';

/** The shape json_transform reads an event into; `at` travels beside it, as epoch ms. */
const EVENT_STRUCT = JSON.stringify({
  id: 'VARCHAR',
  ticket: 'VARCHAR',
  type: 'VARCHAR',
  severity: 'VARCHAR',
  status: 'VARCHAR',
  reason: 'VARCHAR',
  by: 'VARCHAR',
  actor: 'VARCHAR',
  analyst: 'VARCHAR',
  category: 'VARCHAR',
  answer: 'VARCHAR',
  client: 'VARCHAR',
  requester: 'VARCHAR',
  channel: 'VARCHAR',
  gut: { g: 'TINYINT', u: 'TINYINT', t: 'TINYINT' },
  hours: 'DOUBLE',
  hourly_rate: 'DOUBLE',
  rating: 'VARCHAR',
  score: 'TINYINT',
  comment: 'VARCHAR',
  extra: 'VARCHAR',
});

export const CREATE_STAGED_EVENTS = 'CREATE OR REPLACE TEMP TABLE staged_events (pos BIGINT, "at" DOUBLE, doc VARCHAR, raw VARCHAR)';
export const CREATE_STAGED_REJECTS = 'CREATE OR REPLACE TEMP TABLE staged_rejects (pos BIGINT, raw VARCHAR, reason VARCHAR, message VARCHAR)';
export const CREATE_BATCH = `CREATE OR REPLACE TEMP TABLE batch (${BATCH_SHAPE.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ')})`;

/**
 * staged_events as rows of the batch table (its columns, in order, with their names): one
 * json_transform per event. An empty extra is stored as NULL.
 */
export const BATCH_FROM_STAGED = `
  SELECT pos, true AS ok, make_timestamptz("at"::BIGINT * 1000) AS occurred_at, raw, e.id, e.ticket, e.type, e.severity,
         e.status, e.reason, e.by, e.actor, e.analyst, e.category, e.answer, e.client, e.requester, e.channel,
         e.gut.g AS gut_g, e.gut.u AS gut_u, e.gut.t AS gut_t, e.hours, e.hourly_rate, e.rating, e.score, e.comment,
         CASE WHEN e.extra = '{}' THEN NULL ELSE e.extra END AS extra, NULL::VARCHAR AS keys
  FROM (SELECT pos, "at", raw, json_transform(coalesce(doc, raw), '${EVENT_STRUCT}') AS e FROM staged_events)`;

/**
 * A row is stored without its raw text (NULL, its keys in raw_keys) when event_raw() (migration
 * 009) rebuilds the text exactly from its keys and typed columns. The set-wise readers decide it
 * as they check a row (getNdjsonCandidatesSql.ts, getTableCandidatesSql.ts): such a row reaches
 * the batch with its keys and no raw. Rows from JavaScript have no keys and keep their text.
 */
const REBUILDS = 'raw IS NULL AND keys IS NOT NULL';

/** `rows` (columns of the batch table) as rows of events, in its columns' order. */
function eventValues(source: string, runId: string, rows: string): string {
  return `SELECT ${source}, id, ticket, occurred_at, type, severity, status, reason, "by", actor, analyst, category,
    answer, client, requester, channel, gut_g, gut_u, gut_t, hours, hourly_rate, extra,
    CASE WHEN __rebuilds THEN NULL ELSE raw END, ${runId}, current_timestamp, CASE WHEN __rebuilds THEN keys END
  FROM (SELECT *, ${REBUILDS} AS __rebuilds FROM ${rows})`;
}

/**
 * The batch's rows whose events (`$source`) are new — not stored, and the first of their id in the
 * batch — copied for the two statements that follow: events has no key (migration 009). Copied
 * whole, not named by position (a mapped or ServiceNow row yields several events at one position,
 * of which an incremental export may have stored some already) nor by rowid (a Parquet batch is a
 * view, which has none).
 */
export const FIND_NEW_ROWS = `CREATE OR REPLACE TEMP TABLE new_rows AS
  SELECT * FROM batch b WHERE ok AND NOT EXISTS (SELECT 1 FROM events e WHERE e.source = $source AND e.id = b.id)
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY pos) = 1`;
const NEW_ROWS = 'new_rows';

/**
 * Of the batch's valid rows: how many stored events have an id among them (0 when none is stored
 * already), and how many repeat an earlier row of the batch. Run inside the batch's transaction,
 * under eventWriteLock: nothing else inserts events meanwhile, so what it finds new stays new
 * until the commit. The stored events are the semi join's probe side, the batch its hash table:
 * the other way round, every batch hashed all of its source's stored ids (three times slower at
 * six million events, and growing with them).
 */
export const COUNT_DUPLICATES = `
  SELECT (SELECT count(*) FROM events e SEMI JOIN (SELECT id FROM batch WHERE ok) b ON e.id = b.id WHERE e.source = $source)::INTEGER,
         (SELECT count(*) - count(DISTINCT id) FROM batch WHERE ok)::INTEGER`;

/** The common case: every valid row of the batch is new (COUNT_DUPLICATES found none). */
export const INSERT_EVENTS = `INSERT INTO events ${eventValues('$source', '$runId', '(SELECT * FROM batch WHERE ok)')}`;

/** The fields whose difference makes a repeated id a different event, not a copy (batch column, events column). */
const CONTENT = [
  ['ticket', 'ticket'],
  ['occurred_at', 'occurred_at'],
  ['type', 'type'],
  ['severity', 'severity'],
  ['status', 'status'],
  ['"by"', 'by_role'],
  ['analyst', 'analyst'],
  ['category', 'category'],
  ['answer', 'answer'],
  ['client', 'client'],
] as const;

/** The kept copy's content columns, named as the batch's (`e`: stored events). */
const KEPT_CONTENT = CONTENT.map(([b, e]) => `e.${e} AS ${b}`).join(', ');
/** A row (`b`) whose content differs from its kept copy (`k`). */
const DIFFERS = `(${CONTENT.map(([b]) => `k.${b} IS DISTINCT FROM b.${b}`).join(' OR ')})`;

/**
 * Of a batch with duplicates, the rows whose content differs from the copy kept — the stored one,
 * else the batch's first of that id. Identity is (source, id): the kept copy stays and these count
 * as duplicates; the count lets the importer say an id was reused. Counted per row, so the total
 * does not depend on where batches split a file.
 */
export const COUNT_CONFLICTS = `
  SELECT count(*) FROM batch b JOIN (
    SELECT e.id, ${KEPT_CONTENT}
    FROM events e SEMI JOIN (SELECT id FROM batch WHERE ok) x ON e.id = x.id WHERE e.source = $source
    UNION ALL
    SELECT id, ${CONTENT.map(([b]) => b).join(', ')}
    FROM (SELECT * FROM batch WHERE ok QUALIFY row_number() OVER (PARTITION BY id ORDER BY pos) = 1) f
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.source = $source AND e.id = f.id)
  ) k ON k.id = b.id
  WHERE b.ok AND ${DIFFERS}`;

/**
 * COUNT_CONFLICTS of a group of runs (writeRun.ts), per run: `rows` are the group's valid rows with
 * their source (`src`) and run id (`rid`); the first copy of a (source, id) is the group's first.
 * (A writer's batch has one source: COUNT_CONFLICTS matches stored events by id alone, the faster
 * plan on a re-import.)
 */
export const countGroupConflictsSql = (rows: string) => `
  SELECT b.rid, count(*) FROM ${rows} b JOIN (
    SELECT e.source AS src, e.id, ${KEPT_CONTENT}
    FROM events e SEMI JOIN ${rows} x ON e.source = x.src AND e.id = x.id
    UNION ALL
    SELECT src, id, ${CONTENT.map(([b]) => b).join(', ')}
    FROM (SELECT * FROM ${rows} QUALIFY row_number() OVER (PARTITION BY src, id ORDER BY pos) = 1) f
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.source = f.src AND e.id = f.id)
  ) k ON k.src = b.src AND k.id = b.id
  WHERE ${DIFFERS}
  GROUP BY b.rid`;

/** The rows FIND_NEW_ROWS found. */
export const INSERT_NEW_EVENTS = `INSERT INTO events ${eventValues('$source', '$runId', NEW_ROWS)}`;

/** The tickets of the rows FIND_NEW_ROWS found. */
export const INSERT_CHANGED_TICKETS_OF_NEW_ROWS = `INSERT INTO changed_tickets SELECT DISTINCT ticket, current_timestamp FROM ${NEW_ROWS}`;

/** A group of runs (writeRun.ts): `rows` has each row's source (src) and run id (rid). */
export const groupEventValues = (rows: string) => eventValues('src', 'rid', rows);

/** A primary-key violation: a row of the batch's transaction (its run's row) took a key committed meanwhile. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof Error && /Constraint Error:.*duplicate key/is.test(error.message);
}

export const INSERT_SURVEY_ANSWERS = `
  INSERT INTO survey_answers
  SELECT $source, id, ticket, occurred_at, rating, score, comment, $runId, current_timestamp
  FROM (SELECT * FROM batch WHERE ok AND type = 'survey.answered' QUALIFY row_number() OVER (PARTITION BY id ORDER BY pos) = 1)
  ON CONFLICT DO NOTHING`;

/*
 * Changed tickets are appended, never updated nor deleted: a ticket may be listed once per batch
 * that touched it, until the metrics' recompute clears the list. That recompute deletes the rows
 * its own snapshot sees, in a transaction that may overlap the batch's. An upsert of a row that
 * recompute deletes would let both commit and lose the ticket (its new events never recomputed);
 * a DELETE of it would make one of the two fail with "Conflict on tuple deletion". A row the batch
 * appends is invisible to the recompute's snapshot, so it is neither lost nor in conflict.
 */

/** Every ticket of the batch changed (the common case: all its events were new). */
export const INSERT_CHANGED_TICKETS_OF_BATCH = 'INSERT INTO changed_tickets SELECT DISTINCT ticket, current_timestamp FROM batch WHERE ok';

/** Tickets a group's deduplicating insert returned (writeRun.ts). */
export const INSERT_CHANGED_TICKETS = 'INSERT INTO changed_tickets SELECT unnest($tickets::VARCHAR[]), current_timestamp';

/** A reject is identified by where it came from: the same line at the same position of the same origin. */
export const INSERT_REJECTS = `
  INSERT INTO rejects (source, origin, position, raw, raw_hash, reason, message, run_id)
  SELECT $source, $origin, pos, raw, md5(raw), reason, message, $runId FROM staged_rejects
  ON CONFLICT (source, origin, position, raw_hash) DO NOTHING`;

/**
 * A write-write conflict with a concurrent transaction on this database (another run storing the
 * same event, a statement updating the same rows): the batch's transaction is retried.
 */
export function isWriteConflictError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /Conflict on (tuple deletion|update)|write-write conflict|Failed to commit: PRIMARY KEY or UNIQUE constraint/i.test(error.message)
  );
}

/** The batch's tickets, once, for the two statements that follow (a DISTINCT over the batch each cost ~1% of an import). */
export const CREATE_BATCH_TICKETS = 'CREATE OR REPLACE TEMP TABLE batch_tickets AS SELECT DISTINCT ticket FROM batch WHERE ok';

/** Every ticket of the batch changed (the common case, all its events new), from batch_tickets. */
export const INSERT_CHANGED_BATCH_TICKETS = 'INSERT INTO changed_tickets SELECT ticket, current_timestamp FROM batch_tickets';

/** The run's tickets, new or duplicate, for its count (one row per ticket and batch), from batch_tickets. */
export const INSERT_RUN_TICKETS = 'INSERT INTO run_tickets SELECT ticket FROM batch_tickets';

/** Adds a batch's counts to its run; `$finish` (the run's last batch) also marks the run done. */
export const UPDATE_RUN_COUNTS = `
  UPDATE ingest_runs SET read = read + $read, accepted = accepted + $accepted, duplicates = duplicates + $duplicates,
    rejected = rejected + $rejected,
    status = CASE WHEN $finish THEN 'done' ELSE status END,
    finished_at = CASE WHEN $finish THEN current_timestamp ELSE finished_at END
  WHERE id = $runId`;

export const INSERT_SOURCE = 'INSERT INTO sources (name, kind) VALUES ($name, $kind) ON CONFLICT DO NOTHING';

/**
 * A run's row with its counts so far: done when `$finish`, else running. `$id` NULL takes the
 * next id.
 */
export const INSERT_RUN = `
  INSERT INTO ingest_runs (id, source, origin, format, started_at, finished_at, status, read, accepted, duplicates, rejected)
  VALUES (coalesce($id, nextval('ingest_run_id')), $source, $origin, $format, current_timestamp,
    CASE WHEN $finish THEN current_timestamp END, CASE WHEN $finish THEN 'done' ELSE 'running' END,
    $read, $accepted, $duplicates, $rejected)
  RETURNING id`;

export const NEXT_RUN_ID = "SELECT nextval('ingest_run_id')::DOUBLE";
