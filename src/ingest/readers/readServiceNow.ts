import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeToken } from '../normalizeToken.js';
import type { RawRecord } from '../types.js';
import type { ReaderOptions } from './index.js';
import { type ColumnMapping, loadMapping, readWithMapping } from './readMapped.js';

export const SERVICENOW_MAPPING_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../config/mappings/servicenow.json');

/**
 * Zone-less ServiceNow times are read here unless --timezone (or the mapping's `timezone`) says
 * otherwise: Prazo's support calendar is São Paulo's, and so is the public sample's origin.
 */
export const SERVICENOW_DEFAULT_TIMEZONE = 'America/Sao_Paulo';

/**
 * Format "servicenow": the incident audit log (incident_event_log), read by the mapped reader
 * through config/mappings/servicenow.json (or --mapping FILE in its place). ServiceNow-specific:
 * `settings.pausingStates` (e.g. ["Awaiting User Info", "Awaiting Vendor"]) replaces the set of
 * states that pause the clock, and times default to America/Sao_Paulo.
 */
export async function* readServiceNow(path: string, options: ReaderOptions): AsyncGenerator<RawRecord[]> {
  const file = resolve(options.mapping ?? SERVICENOW_MAPPING_PATH);
  let mapping = loadMapping(file);
  const pausing = options.settings?.pausingStates;
  if (pausing !== undefined) mapping = withPausingStates(mapping, parsePausingStates(pausing));
  const timezone = options.timezone ?? mapping.timezone ?? SERVICENOW_DEFAULT_TIMEZONE;
  yield* readWithMapping(path, mapping, { ...options, timezone }, file);
}

function parsePausingStates(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s.trim() !== '')) {
    throw new Error(`settings.pausingStates: expected a list of ServiceNow states like ["Awaiting User Info"] (got ${JSON.stringify(value)})`);
  }
  return value as string[];
}

/**
 * The mapping with exactly `states` mapped to aguardando_cliente: a state the mapping sends there
 * but the list leaves out becomes em_atendimento (waiting on someone other than the customer).
 */
export function withPausingStates(mapping: Readonly<ColumnMapping>, states: string[]): Readonly<ColumnMapping> {
  const pausing = new Set(states.map(normalizeToken));
  const status: Record<string, (typeof mapping.values.status)[string]> = {};
  for (const [state, mapped] of Object.entries(mapping.values.status)) {
    if (pausing.has(normalizeToken(state))) status[state] = 'aguardando_cliente';
    else status[state] = mapped === 'aguardando_cliente' ? 'em_atendimento' : mapped;
  }
  const known = new Set(Object.keys(status).map(normalizeToken));
  for (const state of states) if (!known.has(normalizeToken(state))) status[state] = 'aguardando_cliente';
  return Object.freeze({ ...mapping, values: { ...mapping.values, status } });
}
