import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { Database } from '../db/openDatabase.js';
import type { CanonicalEvent, IngestCounts, RawRecord } from './types.js';
import { validateEvent, type ValidateOptions } from './validateEvent.js';

/** Survey answers go to the satisfaction zone only; the event log keeps that a survey was answered. */
const SURVEY_FIELDS = ['rating', 'score', 'comment'];

/** The shape json_transform reads each staged event into (one JSON parse per row, in DuckDB). */
const EVENT_STRUCT = JSON.stringify({
  id: 'VARCHAR',
  ticket: 'VARCHAR',
  at: 'BIGINT',
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
  extra: 'JSON',
});

const STAGED_EVENTS = `
  SELECT * FROM (
    SELECT pos, raw, unnest(json_transform(doc, '${EVENT_STRUCT}'))
    FROM staging WHERE kind = 0
  ) QUALIFY row_number() OVER (PARTITION BY id ORDER BY pos) = 1`;

export interface WriterOptions extends ValidateOptions {
  source: string;
  /** Where the records come from: a file path, or "http". */
  origin: string;
  format: string;
  /** Kind recorded for a new source. */
  sourceKind?: string;
}

interface StagedRow {
  position: number;
  /** The validated event as JSON; absent for a reject. */
  doc?: string;
  raw: string;
  reason?: string;
  message?: string;
}

export interface PreparedBatch {
  rows: StagedRow[];
  read: number;
  valid: number;
  rejects: BatchResult['rejects'];
}

export interface BatchResult extends Omit<IngestCounts, 'tickets'> {
  rejects: { position: number; reason: string; message: string }[];
}

/**
 * Writes validated events of one ingest run, a batch per transaction: the batch's events,
 * survey answers, rejects, changed tickets and the run's counts commit together or not at all,
 * so a crash loses at most the batch in flight and re-running the import adds only what is missing.
 */
export class EventWriter {
  private readonly counts: IngestCounts = { read: 0, accepted: 0, duplicates: 0, rejected: 0, tickets: 0 };

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: WriterOptions,
    readonly runId: number,
  ) {}

  static async open(db: Database, options: WriterOptions): Promise<EventWriter> {
    const connection = await db.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run(
        'CREATE TEMP TABLE staging (pos BIGINT, kind TINYINT, doc VARCHAR, raw VARCHAR, reason VARCHAR, message VARCHAR)',
      );
      await connection.run('CREATE TEMP TABLE run_tickets (ticket VARCHAR PRIMARY KEY)');
      await connection.run('INSERT INTO sources (name, kind) VALUES ($name, $kind) ON CONFLICT DO NOTHING', {
        name: options.source,
        kind: options.sourceKind ?? options.format,
      });
      const reader = await connection.runAndReadAll(
        `INSERT INTO ingest_runs (source, origin, format, started_at, status)
         VALUES ($source, $origin, $format, current_timestamp, 'running') RETURNING id`,
        { source: options.source, origin: options.origin, format: options.format },
      );
      return new EventWriter(connection, options, Number(reader.getRows()[0]![0]));
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  get totals(): IngestCounts {
    return { ...this.counts };
  }

  /** Validates and stores one batch in one transaction; `origin` names the file it came from. */
  async write(records: RawRecord[], origin = this.options.origin): Promise<BatchResult> {
    return this.commit(this.prepare(records), origin);
  }

  /**
   * The JavaScript half of a batch: validation and serialisation. Kept apart from commit so the
   * next batch can be prepared while DuckDB commits the previous one.
   */
  prepare(records: RawRecord[]): PreparedBatch {
    const rows: StagedRow[] = [];
    const rejects: BatchResult['rejects'] = [];
    for (const record of records) {
      const checked = record.error ? ({ ok: false, ...record.error } as const) : validateEvent(record.value, this.options);
      if (checked.ok) {
        rows.push({ position: record.position, doc: JSON.stringify(checked.event), raw: rawOf(record, checked.event) });
      } else {
        rows.push({ position: record.position, raw: record.raw, reason: checked.reason, message: checked.message });
        rejects.push({ position: record.position, reason: checked.reason, message: checked.message });
      }
    }
    return { rows, read: records.length, valid: records.length - rejects.length, rejects };
  }

  /** The DuckDB half: one transaction for the batch's events, answers, rejects, tickets and counts. */
  async commit(batch: PreparedBatch, origin = this.options.origin): Promise<BatchResult> {
    const result: BatchResult = { read: batch.read, accepted: 0, duplicates: 0, rejected: 0, rejects: batch.rejects };
    if (batch.read === 0) return result;
    const c = this.connection;
    const valid = batch.valid;
    await c.run('BEGIN TRANSACTION');
    try {
      await c.run('DELETE FROM staging');
      const appender = await c.createAppender('staging', 'main', 'temp');
      for (const row of batch.rows) {
        appender.appendBigInt(BigInt(row.position));
        if (row.doc !== undefined) {
          appender.appendTinyInt(0);
          appender.appendVarchar(row.doc);
          appender.appendVarchar(row.raw);
          appender.appendNull();
          appender.appendNull();
        } else {
          appender.appendTinyInt(1);
          appender.appendNull();
          appender.appendVarchar(row.raw);
          appender.appendVarchar(row.reason!);
          appender.appendVarchar(row.message!);
        }
        appender.endRow();
      }
      appender.closeSync();

      const runId = this.runId;
      const source = this.options.source;
      const inserted = await c.runAndReadAll(
        `INSERT INTO events
         SELECT $source, id, ticket, make_timestamptz("at" * 1000), type, severity, status, reason, "by", actor,
                analyst, category, answer, client, requester, channel, gut.g, gut.u, gut.t, hours, hourly_rate,
                CASE WHEN extra::VARCHAR = '{}' THEN NULL ELSE extra END, raw, $runId, current_timestamp
         FROM (${STAGED_EVENTS})
         ON CONFLICT DO NOTHING RETURNING ticket`,
        { source, runId },
      );
      await c.run(
        `INSERT INTO survey_answers
         SELECT $source, id, ticket, make_timestamptz("at" * 1000), rating, score, comment, $runId, current_timestamp
         FROM (${STAGED_EVENTS}) WHERE type = 'survey.answered'
         ON CONFLICT DO NOTHING`,
        { source, runId },
      );
      const insertedRows = inserted.getRows();
      const changed = [...new Set(insertedRows.map((row) => String(row[0])))];
      if (changed.length > 0) {
        await c.run(
          `INSERT INTO changed_tickets SELECT unnest($tickets::VARCHAR[]), current_timestamp
           ON CONFLICT (ticket) DO UPDATE SET changed_at = excluded.changed_at`,
          { tickets: listValue(changed) },
        );
      }
      await c.run(
        `INSERT INTO rejects (source, origin, position, raw, raw_hash, reason, message, run_id)
         SELECT $source, $origin, pos, raw, md5(raw), reason, message, $runId FROM staging WHERE kind = 1
         ON CONFLICT DO NOTHING`,
        { source, origin, runId },
      );
      await c.run(
        `INSERT INTO run_tickets SELECT DISTINCT json_extract_string(doc, '$.ticket') FROM staging WHERE kind = 0
         ON CONFLICT DO NOTHING`,
      );
      result.accepted = insertedRows.length;
      result.duplicates = valid - result.accepted;
      result.rejected = batch.read - valid;
      await c.run(
        `UPDATE ingest_runs SET read = read + $read, accepted = accepted + $accepted,
           duplicates = duplicates + $duplicates, rejected = rejected + $rejected WHERE id = $runId`,
        { read: result.read, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected, runId },
      );
      await c.run('COMMIT');
    } catch (error) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.counts.read += result.read;
    this.counts.accepted += result.accepted;
    this.counts.duplicates += result.duplicates;
    this.counts.rejected += result.rejected;
    return result;
  }

  /** Marks the run done (or failed) and returns its totals; closes the connection. */
  async finish(error?: Error): Promise<IngestCounts> {
    const c = this.connection;
    try {
      const tickets = await c.runAndReadAll('SELECT count(*)::INTEGER FROM run_tickets');
      this.counts.tickets = Number(tickets.getRows()[0]![0]);
      await c.run(
        `UPDATE ingest_runs SET finished_at = current_timestamp, status = $status, error = $error WHERE id = $runId`,
        { status: error ? 'failed' : 'done', error: error ? error.message : null, runId: this.runId },
      );
      return this.totals;
    } finally {
      c.closeSync();
    }
  }
}

/** The event as sent, minus survey answers (they live only in the satisfaction zone). */
function rawOf(record: RawRecord, event: CanonicalEvent): string {
  if (event.type !== 'survey.answered' && record.raw.startsWith('{')) return record.raw;
  const value = { ...(record.value as Record<string, unknown>) };
  if (event.type === 'survey.answered') for (const field of SURVEY_FIELDS) delete value[field];
  return JSON.stringify(value);
}
