import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBScalarFunction,
  INTEGER,
  LIST,
  STRUCT,
  TIMESTAMPTZ,
  UTINYINT,
  VARCHAR,
  type DuckDBType,
} from '@duckdb/node-api';
// The raw C API that @duckdb/node-api is built on (same package version, installed with it): it
// lets the function move whole columns in and out of DuckDB's vectors with one copy each, where
// node-api's per-value accessors cost more than the SLA computation itself at a million tickets.
import duckdb from '@duckdb/node-bindings';
import { computeSlaBatch, SlaResults, type SlaContext } from './computeSlaBatch.js';
import { foldTicketEvents, sortTicketEvents, type FirstResponseRule } from './foldTicketEvents.js';
import { LifecycleBatch } from './LifecycleBatch.js';

type Column = Float64Array | Int32Array | Uint8Array;
/** How a field is written: codes and counts as they are; instants (UTC ms) and seconds with NaN as NULL. */
type Kind = 'code' | 'instant' | 'seconds';

/** The fields the function returns, in order: name, type, how it is written, and the batch column it comes from. */
const FIELDS: readonly [string, DuckDBType, Kind, (b: LifecycleBatch, r: SlaResults) => Column][] = [
  ['severity', UTINYINT, 'code', (b) => new Uint8Array(b.severity.buffer, 0, b.n)], // -1 (unknown) reads as 255
  ['status', UTINYINT, 'code', (b) => b.status],
  ['close_reason', UTINYINT, 'code', (b) => b.closeReason],
  ['reopen_count', INTEGER, 'code', (b) => b.reopenCount],
  ['state', UTINYINT, 'code', (_, r) => r.state],
  ['flags', INTEGER, 'code', (_, r) => r.flags],
  ['first_event_at', TIMESTAMPTZ, 'instant', (b) => b.firstEvent],
  ['last_event_at', TIMESTAMPTZ, 'instant', (b) => b.lastEvent],
  ['opened_at', TIMESTAMPTZ, 'instant', (b) => b.opened],
  ['first_response_at', TIMESTAMPTZ, 'instant', (b) => b.firstResponse],
  ['resolved_at', TIMESTAMPTZ, 'instant', (b) => b.resolved],
  ['closed_at', TIMESTAMPTZ, 'instant', (b) => b.closed],
  ['response_deadline', TIMESTAMPTZ, 'instant', (_, r) => r.responseDeadline],
  ['solution_deadline', TIMESTAMPTZ, 'instant', (_, r) => r.solutionDeadline],
  ['auto_close_due_at', TIMESTAMPTZ, 'instant', (_, r) => r.autoCloseDue],
  ['response_target_seconds', DOUBLE, 'seconds', (_, r) => r.responseTarget],
  ['solution_target_seconds', DOUBLE, 'seconds', (_, r) => r.solutionTarget],
  ['response_seconds', DOUBLE, 'seconds', (_, r) => r.responseSeconds],
  ['solution_seconds', DOUBLE, 'seconds', (_, r) => r.solutionSeconds],
  ['paused_seconds', DOUBLE, 'seconds', (_, r) => r.pausedSeconds],
  ['consumed_seconds', DOUBLE, 'seconds', (_, r) => r.consumedSeconds],
];

/**
 * The STRUCT the function returns: FIELDS (codes as in eventKinds.ts; absent instants and
 * seconds are NULL), then severity_history (VARCHAR JSON, NULL when the severity never changed).
 */
export const TICKET_SLA_STRUCT = STRUCT({
  ...Object.fromEntries(FIELDS.map(([name, type]) => [name, type])),
  severity_history: VARCHAR,
});

/** The function's name in DuckDB; one registration per database instance serves every run. */
export const TICKET_SLA_FUNCTION = 'prazo_ticket_sla';

/** What one computation needs between calls: its context and buffers reused from chunk to chunk. */
class Run {
  batch = new LifecycleBatch(2048);
  results = new SlaResults(2048);
  scratch = new OutputScratch(2048);

  constructor(
    readonly ctx: SlaContext,
    readonly rule: FirstResponseRule,
  ) {}

  reserve(rows: number): void {
    if (rows <= this.batch.capacity) return;
    this.batch = new LifecycleBatch(rows);
    this.results = new SlaResults(rows);
    this.scratch = new OutputScratch(rows);
  }
}

const runs = new Map<number, Run>();
let lastRun = 0;

/**
 * Starts a computation: makes sure the database knows the function `prazo_ticket_sla(events
 * DOUBLE[], multi_batch BOOLEAN, run INTEGER)` and returns the run id to pass as its third
 * argument; `close` forgets the run. DuckDB registers C-API functions in the instance's system
 * catalog, for the instance's lifetime, so the function is registered once and each run is looked
 * up by id (a function per run would pile up in a long-running server).
 */
export async function startTicketSlaRun(
  connection: DuckDBConnection,
  ctx: SlaContext,
  rule: FirstResponseRule,
): Promise<{ id: number; close: () => void }> {
  await registerTicketSlaFunction(connection);
  const id = ++lastRun;
  runs.set(id, new Run(ctx, rule));
  return { id, close: () => runs.delete(id) };
}

/** Connections, and databases (a Database wraps one DuckDB instance), known to have the function. */
const registered = new WeakSet<object>();

/**
 * Registers prazo_ticket_sla in the connection's database unless it is there already (pass the
 * Database to remember that across connections). Call it outside a transaction when possible: a
 * registration made inside one is undone by its rollback.
 */
export async function registerTicketSlaFunction(connection: DuckDBConnection, database?: object): Promise<void> {
  if (registered.has(connection) || (database && registered.has(database))) return;
  const exists = async () =>
    (await connection.runAndReadAll('SELECT 1 FROM duckdb_functions() WHERE function_name = $name LIMIT 1', { name: TICKET_SLA_FUNCTION }))
      .getRows().length > 0;
  if (!(await exists())) {
    try {
      connection.registerScalarFunction(createTicketSlaFunction());
    } catch (error) {
      if (!(await exists())) throw error; // else a concurrent run registered it first
    }
  }
  registered.add(connection);
  if (database) registered.add(database);
}

/**
 * The scalar function: folds each ticket's packed events (eventKinds.ts) and computes its SLA
 * numbers. DuckDB hands it a chunk of tickets at a time (2,048), so the business-time batch
 * functions run once per calendar per chunk, and the per-ticket aggregation, this computation and
 * the write of ticket_sla stay one streaming query. Volatile, so DuckDB calls it exactly once per
 * row however many fields are read from its result.
 */
function createTicketSlaFunction(): DuckDBScalarFunction {
  const fn = new DuckDBScalarFunction();
  fn.setName(TICKET_SLA_FUNCTION);
  fn.setReturnType(TICKET_SLA_STRUCT);
  fn.addParameter(LIST(DOUBLE));
  fn.addParameter(BOOLEAN);
  fn.addParameter(INTEGER);
  fn.setVolatile();
  duckdb.scalar_function_set_function(fn.scalar_function, (_info, input, output) => {
    const rows = duckdb.data_chunk_get_size(input);
    if (rows === 0) return;
    const id = new Int32Array(duckdb.vector_get_data(duckdb.data_chunk_get_vector(input, 2), 4).buffer)[0]!;
    const run = runs.get(id);
    if (!run) throw new Error(`${TICKET_SLA_FUNCTION}: no computation ${id} is running in this process`);
    run.reserve(rows);
    const { batch, results, scratch } = run;
    const lists = duckdb.data_chunk_get_vector(input, 0);
    // List entries are (offset, length) as uint64; both fit the low 32 bits (little-endian).
    const rawEntries = duckdb.vector_get_data(lists, rows * 16);
    const entries = new Uint32Array(rawEntries.buffer, rawEntries.byteOffset, rows * 4);
    const size = duckdb.list_vector_get_size(lists);
    const raw = duckdb.vector_get_data(duckdb.list_vector_get_child(lists), size * 8);
    const events = new Float64Array(raw.buffer, raw.byteOffset, size);
    const multi = duckdb.vector_get_data(duckdb.data_chunk_get_vector(input, 1), rows);
    batch.clear();
    for (let i = 0; i < rows; i++) {
      const from = entries[4 * i]!;
      const to = from + entries[4 * i + 2]!;
      sortTicketEvents(events, from, to);
      foldTicketEvents(events, from, to, run.rule, multi[i] !== 0, batch);
    }
    computeSlaBatch(batch, run.ctx, results);
    writeOutput(output, batch, results, scratch);
  });
  return fn;
}

/** Writes a batch into the function's STRUCT vector, a whole column (and its NULL mask) per copy. */
function writeOutput(output: duckdb.Vector, batch: LifecycleBatch, results: SlaResults, scratch: OutputScratch): void {
  const rows = batch.n;
  FIELDS.forEach(([, , kind, column], f) => {
    const child = duckdb.struct_vector_get_child(output, f);
    const values = column(batch, results);
    if (kind === 'code') {
      duckdb.copy_data_to_vector(child, 0, values.buffer as ArrayBuffer, values.byteOffset, rows * values.BYTES_PER_ELEMENT);
      return;
    }
    const validity = scratch.validity(rows);
    for (let i = 0; i < rows; i++) if (values[i] === values[i]) validity[i >> 3] = validity[i >> 3]! | (1 << (i & 7));
    if (kind === 'seconds') {
      duckdb.copy_data_to_vector(child, 0, values.buffer as ArrayBuffer, values.byteOffset, rows * 8);
    } else {
      // TIMESTAMPTZ is int64 µs: written as two 32-bit halves (exact while |µs| < 2^53, past 2200).
      const words = scratch.words;
      for (let i = 0; i < rows; i++) {
        const us = values[i]! * 1000;
        const high = us === us ? Math.floor(us / 4294967296) : 0;
        words[2 * i] = us === us ? (us - high * 4294967296) | 0 : 0;
        words[2 * i + 1] = high;
      }
      duckdb.copy_data_to_vector(child, 0, words.buffer as ArrayBuffer, 0, rows * 8);
    }
    duckdb.vector_ensure_validity_writable(child);
    duckdb.copy_data_to_vector_validity(child, 0, validity.buffer as ArrayBuffer, validity.byteOffset, validity.byteLength);
  });
  const history = duckdb.struct_vector_get_child(output, FIELDS.length);
  const validity = scratch.validity(rows);
  for (let i = 0; i < rows; i++) {
    const json = batch.severityHistory[i];
    if (json === null || json === undefined) continue;
    duckdb.vector_assign_string_element(history, i, json);
    validity[i >> 3] = validity[i >> 3]! | (1 << (i & 7));
  }
  duckdb.vector_ensure_validity_writable(history);
  duckdb.copy_data_to_vector_validity(history, 0, validity.buffer as ArrayBuffer, validity.byteOffset, validity.byteLength);
}

/** Buffers reused from chunk to chunk. */
class OutputScratch {
  readonly words: Int32Array;
  private readonly mask: Uint8Array;

  constructor(capacity: number) {
    this.words = new Int32Array(2 * capacity);
    this.mask = new Uint8Array(Math.ceil(capacity / 64) * 8);
  }

  /** A cleared NULL mask (bit set = valid) for `rows` rows, whole 64-bit words as DuckDB reads them. */
  validity(rows: number): Uint8Array {
    const mask = this.mask.subarray(0, Math.ceil(rows / 64) * 8);
    mask.fill(0);
    return mask;
  }
}
