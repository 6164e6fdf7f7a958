import { BOOLEAN, DOUBLE, DuckDBScalarFunction, INTEGER, LIST, STRUCT, UTINYINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
// The raw C API that @duckdb/node-api is built on (same package version, installed with it): it
// lets the function move whole columns in and out of DuckDB's vectors with one copy each, where
// node-api's per-value accessors cost more than the SLA computation itself at a million tickets.
import duckdb from '@duckdb/node-bindings';
import { computeSlaBatch, SlaResults, type SlaContext } from './computeSlaBatch.js';
import { foldTicketEvents, sortTicketEvents, type FirstResponseRule } from './foldTicketEvents.js';
import { LifecycleBatch } from './LifecycleBatch.js';

type NumberColumn = Float64Array | Int32Array | Uint8Array;

/** The fields the function returns, in order: name, type, and the column of a batch they come from. */
const NUMBER_FIELDS: readonly [string, DuckDBType, (b: LifecycleBatch, r: SlaResults) => NumberColumn][] = [
  ['severity', UTINYINT, (b) => new Uint8Array(b.severity.buffer, 0, b.n)], // -1 (unknown) reads as 255
  ['status', UTINYINT, (b) => b.status],
  ['close_reason', UTINYINT, (b) => b.closeReason],
  ['reopen_count', INTEGER, (b) => b.reopenCount],
  ['state', UTINYINT, (_, r) => r.state],
  ['flags', INTEGER, (_, r) => r.flags],
  ['first_event_ms', DOUBLE, (b) => b.firstEvent],
  ['last_event_ms', DOUBLE, (b) => b.lastEvent],
  ['opened_ms', DOUBLE, (b) => b.opened],
  ['first_response_ms', DOUBLE, (b) => b.firstResponse],
  ['resolved_ms', DOUBLE, (b) => b.resolved],
  ['closed_ms', DOUBLE, (b) => b.closed],
  ['response_deadline_ms', DOUBLE, (_, r) => r.responseDeadline],
  ['solution_deadline_ms', DOUBLE, (_, r) => r.solutionDeadline],
  ['auto_close_due_ms', DOUBLE, (_, r) => r.autoCloseDue],
  ['response_target', DOUBLE, (_, r) => r.responseTarget],
  ['solution_target', DOUBLE, (_, r) => r.solutionTarget],
  ['response_seconds', DOUBLE, (_, r) => r.responseSeconds],
  ['solution_seconds', DOUBLE, (_, r) => r.solutionSeconds],
  ['paused_seconds', DOUBLE, (_, r) => r.pausedSeconds],
  ['consumed_seconds', DOUBLE, (_, r) => r.consumedSeconds],
];

/**
 * The STRUCT the function returns: NUMBER_FIELDS (absent numbers are NaN, codes as in
 * eventKinds.ts), then severity_history (VARCHAR JSON, NULL when the severity never changed).
 */
export const TICKET_SLA_STRUCT = STRUCT({
  ...Object.fromEntries(NUMBER_FIELDS.map(([name, type]) => [name, type])),
  severity_history: VARCHAR,
});

/**
 * A DuckDB scalar function `name(events DOUBLE[], multi_batch BOOLEAN)` that folds each ticket's
 * packed events (eventKinds.ts) and computes its SLA numbers. DuckDB hands it a chunk of tickets
 * at a time (2,048), so the business-time batch functions run once per calendar per chunk, and the
 * per-ticket aggregation, this computation and the write of ticket_sla stay one streaming query.
 * Volatile, so DuckDB calls it exactly once per row however many fields are read from its result.
 */
export function createTicketSlaFunction(name: string, ctx: SlaContext, rule: FirstResponseRule): DuckDBScalarFunction {
  let batch = new LifecycleBatch(2048);
  let results = new SlaResults(2048);

  const fn = new DuckDBScalarFunction();
  fn.setName(name);
  fn.setReturnType(TICKET_SLA_STRUCT);
  fn.addParameter(LIST(DOUBLE));
  fn.addParameter(BOOLEAN);
  fn.setVolatile();
  duckdb.scalar_function_set_function(fn.scalar_function, (_info, input, output) => {
    const rows = duckdb.data_chunk_get_size(input);
    if (rows > batch.capacity) {
      batch = new LifecycleBatch(rows);
      results = new SlaResults(rows);
    }
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
      foldTicketEvents(events, from, to, rule, multi[i] !== 0, batch);
    }
    computeSlaBatch(batch, ctx, results);
    writeOutput(output, batch, results);
  });
  return fn;
}

function writeOutput(output: duckdb.Vector, batch: LifecycleBatch, results: SlaResults): void {
  const rows = batch.n;
  NUMBER_FIELDS.forEach(([, , column], f) => {
    const values = column(batch, results);
    duckdb.copy_data_to_vector(duckdb.struct_vector_get_child(output, f), 0, values.buffer as ArrayBuffer, values.byteOffset, rows * values.BYTES_PER_ELEMENT);
  });
  const history = duckdb.struct_vector_get_child(output, NUMBER_FIELDS.length);
  const validity = new Uint8Array(Math.ceil(rows / 64) * 8);
  for (let i = 0; i < rows; i++) {
    const json = batch.severityHistory[i];
    if (json === null || json === undefined) continue;
    duckdb.vector_assign_string_element(history, i, json);
    validity[i >> 3]! |= 1 << (i & 7);
  }
  duckdb.vector_ensure_validity_writable(history);
  duckdb.copy_data_to_vector_validity(history, 0, validity.buffer, 0, validity.byteLength);
}
