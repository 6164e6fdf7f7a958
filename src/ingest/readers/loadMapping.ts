import { basename } from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ConfigFileError, loadConfigFile, parseJsonWithSchema } from '../../config/configFile.js';
import { SEVERITIES } from '../../policy/severities.js';
import { CATEGORIES, CLOSE_REASONS, KNOWN_FIELDS, STATUS_VALUES } from '../eventSchema.js';
import { normalizeToken } from '../normalizeToken.js';
import { compileTimeFormat } from './TimeReader.js';

// ── The mapping file ────────────────────────────────────────────────────────────────────────────

const column = z.string({ error: 'expected a column name' }).trim().min(1, { error: 'expected a column name' });
const zone = z.string().refine((name) => isZone(name), { error: 'expected an IANA time zone like "America/Sao_Paulo"' });
const valueMap = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.record(z.string(), z.enum(values, { error: (i) => `expected one of ${values.join(', ')} (got ${JSON.stringify(i.input)})` })).default({});
export const MAPPED_KINDS = ['status', 'severity', 'category'] as const;
export const CANONICAL = { status: STATUS_VALUES, severity: SEVERITIES, category: CATEGORIES };

const mappingSchema = z.strictObject({
  /** The source its events belong to unless --source says otherwise (default: the file's name). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected 1–64 letters, digits, ".", "_" or "-"' }).optional(),
  description: z.string().optional(),
  delimiter: z.string().length(1, { error: 'expected one character, like "," or ";"' }).default(','),
  /** Texts that mean "no value" besides the empty field (ServiceNow writes "?"). */
  empty: z.array(z.string()).default([]),
  timezone: zone.optional(),
  timeFormat: z
    .string()
    .default('ISO')
    .refine((f) => compileTimeFormat(f) !== undefined, { error: 'expected "ISO" or a pattern like "DD-MM-YYYY HH:mm" (tokens YYYY MM DD HH mm, optional ss SSS)' }),
  columns: z.strictObject({
    ticket: column,
    at: column,
    status: column,
    openedAt: column.optional(),
    severity: column.optional(),
    client: column.optional(),
    requester: column.optional(),
    channel: column.optional(),
    analyst: column.optional(),
    category: column.optional(),
  }),
  id: z
    .strictObject({ column: column.optional(), columns: z.array(column).min(1, { error: 'expected at least one column' }).optional() })
    .refine((id) => (id.column === undefined) !== (id.columns === undefined), { error: 'expected {"column": …} or {"columns": […]}' }),
  order: z.array(column).default([]),
  values: z
    .strictObject({ status: valueMap(STATUS_VALUES), severity: valueMap(SEVERITIES), category: valueMap(CATEGORIES) })
    .prefault({}),
  passThrough: z.array(z.enum(MAPPED_KINDS, { error: `expected ${MAPPED_KINDS.join(', ')}` })).default([]),
  defaults: z.strictObject({ client: z.string().min(1).optional(), channel: z.string().min(1).optional(), severity: z.enum(SEVERITIES).optional() }).prefault({}),
  closedReason: z
    .strictObject({ column, auto: z.array(z.string()).default([]), approved: z.array(z.string()).default([]), otherwise: z.enum(CLOSE_REASONS).optional() })
    .optional(),
  extra: z
    .union([z.array(column), z.record(z.string(), column)], { error: 'expected a list of columns or {"name": "column"}' })
    .transform((extra) => (Array.isArray(extra) ? Object.fromEntries(extra.map((c) => [c, c])) : extra))
    .default({}),
});

export type ColumnMapping = z.output<typeof mappingSchema>;

/** Cross-field rules zod's shape cannot say; each as `path: message`. */
function checkMapping(m: ColumnMapping): string[] {
  const errors: string[] = [];
  if (!m.columns.severity && !m.defaults.severity) errors.push('columns.severity: ticket.opened needs a severity: name its column or set defaults.severity');
  if (!m.columns.client && !m.defaults.client) errors.push('columns.client: ticket.opened needs a client: name its column or set defaults.client');
  for (const name of Object.keys(m.extra)) {
    if (KNOWN_FIELDS.has(name)) errors.push(`extra.${name}: "${name}" is a canonical field; give it another name, e.g. {"source_${name}": "${m.extra[name]}"}`);
  }
  for (const kind of MAPPED_KINDS) {
    const seen = new Map<string, string>();
    for (const [from, to] of Object.entries(m.values[kind])) {
      const other = seen.get(normalizeToken(from));
      if (other !== undefined && m.values[kind][other] !== to) errors.push(`values.${kind}.${from}: same value as "${other}" (case and accents are ignored) but mapped differently`);
      seen.set(normalizeToken(from), from);
    }
  }
  return errors;
}

export interface MappingResult {
  value?: Readonly<ColumnMapping>;
  /** Every problem, each as `path: message`. */
  errors: string[];
}

/** Validates a column mapping already read as text; reports every problem instead of the first. */
export function parseMapping(text: string): MappingResult {
  const { data, errors } = parseJsonWithSchema(text, mappingSchema);
  if (!data) return { errors };
  const problems = checkMapping(data);
  return problems.length > 0 ? { errors: problems } : { value: Object.freeze(data), errors: [] };
}

export class MappingError extends ConfigFileError {
  constructor(path: string, problems: string[]) {
    super('mapping', path, problems);
    this.name = 'MappingError';
  }
}

/** Reads and validates a mapping file. Throws MappingError listing every problem. */
export function loadMapping(path: string): Readonly<ColumnMapping> {
  return loadConfigFile(path, parseMapping, (file, problems) => new MappingError(file, problems));
}

/**
 * The source a mapped import writes to by default: the mapping's `name`, else its file name
 * without `.json` (and a `.mapping` before it): `zammad.mapping.json` → `zammad`.
 */
export function getMappingSourceName(path: string): string {
  return loadMapping(path).name ?? basename(path).replace(/(\.mapping)?\.json$/i, '');
}

export const isZone = (name: string) => IANAZone.isValidZone(name);
