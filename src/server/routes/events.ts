import { Hono } from 'hono';
import type { Database } from '../../db/openDatabase.js';
import { prepareRun, RUN_BATCH_RECORDS, writePreparedRuns } from '../../ingest/writeRun.js';
import { parseLine } from '../../ingest/readers/readNdjson.js';
import type { WriterOptions } from '../../ingest/EventWriter.js';
import type { PreparedBatch } from '../../ingest/prepareBatch.js';
import type { RawRecord } from '../../ingest/types.js';
import type { AppEnv, Logger } from '../createApp.js';
import { BadRequestError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError } from '../errors.js';
import { type SourceToken, touchSourceToken, verifySignature, verifySourceToken } from '../tokens.js';

type BodyFormat = 'ndjson' | 'json';

const CONTENT_TYPES: Record<string, BodyFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/json': 'json',
};
const ACCEPTED_TYPES = Object.keys(CONTENT_TYPES);

export interface EventsRouteOptions {
  db: Database;
  logger: Logger;
  maxBodyBytes: number;
}

/** The answer to an accepted POST; `line` is the NDJSON line, or the 1-based index in a JSON array. */
export interface EventsResponse {
  accepted: number;
  duplicates: number;
  /** Of the duplicates, those whose content differs from the copy kept (an id reused for another event; batchSql.ts CONTENT). */
  conflicts: number;
  rejected: number;
  tickets: number;
  rejects: { line: number; reason: string; message: string }[];
}

/**
 * `POST /api/v1/events`: a source pushes canonical events (DESIGN.md §2) as NDJSON or a JSON array,
 * authenticated by its bearer token (and, when the token has one, an HMAC signature of the body).
 * Each request is one ingest run of the token's source, origin "http"; writes are serialised in
 * this process because DuckDB has one writer per file and conflicting transactions would abort.
 * Requests that wait for the writer are written together, one transaction per group (group
 * commit), each with its own run and answer.
 */
export function createEventsRoutes({ db, logger, maxBodyBytes }: EventsRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const write = createGroupWriter(db);

  app.post('/', async (c) => {
    const token = await authenticate(db, c.req.header('Authorization'));
    const format = bodyFormat(c.req.header('Content-Type'));
    const body = await readBody(c.req.raw, maxBodyBytes);
    if (token.hmacSecret && !verifySignature(token.hmacSecret, body, c.req.header('X-Prazo-Signature'))) {
      throw new UnauthorizedError(
        'bad_signature',
        'X-Prazo-Signature is missing or does not match the body (expected sha256=<hex HMAC-SHA256 of the raw body>)',
      );
    }
    const records = format === 'ndjson' ? parseNdjsonBody(decode(body)) : parseJsonArrayBody(decode(body));
    // Validated here, outside the queue: only the database work waits for the request before it.
    const writerOptions: WriterOptions = { source: token.source, origin: 'http', format, sourceKind: 'http' };
    // Each record's raw text is the JSON it was parsed from: an NDJSON line, or an array element re-serialised.
    const batches = prepareRun(records, writerOptions, { rawIsJson: true });
    const result = await write({ token, options: writerOptions, batches });
    logger.info('events_ingested', {
      request_id: c.get('requestId'),
      source: token.source,
      token_id: token.id,
      run_id: result.runId,
      accepted: result.response.accepted,
      duplicates: result.response.duplicates,
      conflicts: result.response.conflicts,
      rejected: result.response.rejected,
    });
    return c.json(result.response, 202);
  });

  return app;
}

async function authenticate(db: Database, header: string | undefined): Promise<SourceToken> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new UnauthorizedError('missing_token', 'send the source token as "Authorization: Bearer <token>"');
  const check = await verifySourceToken(db, match[1]!);
  if (!check.ok) throw new UnauthorizedError(check.code, check.message);
  return check.token;
}

function bodyFormat(header: string | undefined): BodyFormat {
  const type = header?.split(';')[0]!.trim().toLowerCase();
  const format = type ? CONTENT_TYPES[type] : undefined;
  if (!format) throw new UnsupportedMediaTypeError(header, ACCEPTED_TYPES);
  return format;
}

/**
 * The body, at most `limit` bytes: a Content-Length over the limit is refused before reading, and
 * the stream is counted as it arrives (a chunked body, or one whose header lies), so no more than
 * `limit` bytes are ever held.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null) {
    if (!/^\s*\d+\s*$/.test(declared)) throw new BadRequestError('bad_content_length', `Content-Length: not a number (got ${JSON.stringify(declared)})`);
    if (Number(declared) > limit) throw new PayloadTooLargeError(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // The server adapter drains or closes what the client still sends after the 413.
      void reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function decode(body: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BadRequestError('invalid_encoding', 'the body is not valid UTF-8');
  }
}

function parseNdjsonBody(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const record = parseLine(lines[i]!, i + 1);
    if (record) records.push(record);
  }
  if (records.length === 0) throw new BadRequestError('empty_body', 'the body has no events: send one JSON object per line');
  return records;
}

function parseJsonArrayBody(text: string): RawRecord[] {
  if (text.trim() === '') throw new BadRequestError('empty_body', 'the body is empty: send a JSON array of events');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError('invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) {
    throw new BadRequestError('not_an_array', 'a JSON body must be an array of events (or send NDJSON as application/x-ndjson)');
  }
  return value.map((element, index) => ({ position: index + 1, raw: JSON.stringify(element), value: element }));
}

/** A request waiting for the writer: its token, and its run prepared by prepareRun. */
interface PendingRun {
  token: SourceToken;
  options: WriterOptions;
  batches: PreparedBatch[];
}
type RunAnswer = { runId?: number; response: EventsResponse };

/** Records a group may hold: the requests of one group fit one batch of writeRun. */
const GROUP_RECORDS = RUN_BATCH_RECORDS;

/**
 * Writes requests one group at a time, in arrival order: while a group is being written, the
 * requests that arrive wait, and are then written together (writePreparedRuns: one transaction,
 * or one per request when that fails), up to GROUP_RECORDS records a group.
 */
function createGroupWriter(db: Database) {
  const waiting: { run: PendingRun; resolve: (answer: RunAnswer) => void; reject: (error: unknown) => void }[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.splice(0, countGroup(waiting.map((entry) => entry.run)));
      try {
        const answers = await ingestGroup(db, group.map((entry) => entry.run));
        answers.forEach((answer, i) => (answer.status === 'fulfilled' ? group[i]!.resolve(answer.value) : group[i]!.reject(answer.reason)));
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
    writing = false;
  };
  return (run: PendingRun) =>
    new Promise<RunAnswer>((resolve, reject) => {
      waiting.push({ run, resolve, reject });
      if (!writing) void drain();
    });
}

/** How many of the waiting runs, from the first, make the next group: at least one, then runs of one batch while they fit. */
function countGroup(runs: PendingRun[]): number {
  let records = runs[0]!.batches.reduce((sum, batch) => sum + batch.read, 0);
  let size = 1;
  for (const run of runs.slice(1)) {
    records += run.batches[0]!.read;
    if (run.batches.length > 1 || records > GROUP_RECORDS) break;
    size++;
  }
  return size;
}

/** The requests of a group as ingest runs (those with no records get no run); answers in their order. */
async function ingestGroup(db: Database, runs: PendingRun[]): Promise<PromiseSettledResult<RunAnswer>[]> {
  for (const id of new Set(runs.map((run) => run.token.id))) await touchSourceToken(db, id);
  const written = runs.filter((run) => run.batches.some((batch) => batch.read > 0));
  const results = await writePreparedRuns(db, written);
  return runs.map((run) => {
    const i = written.indexOf(run);
    if (i === -1) return { status: 'fulfilled', value: { response: { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, tickets: 0, rejects: [] } } };
    const result = results[i]!;
    if (result.status === 'rejected') return result;
    const { runId, accepted, duplicates, conflicts = 0, rejected, tickets, rejects } = result.value;
    const lines = rejects.map((reject) => ({ line: reject.position, reason: reject.reason, message: reject.message }));
    return { status: 'fulfilled', value: { runId, response: { accepted, duplicates, conflicts, rejected, tickets, rejects: lines } } };
  });
}
