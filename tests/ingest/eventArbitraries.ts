import fc from 'fast-check';
import { COMMON_CASE } from '../../src/ingest/commonCaseRules.js';
import { EVENT_TYPES, KNOWN_FIELDS } from '../../src/ingest/eventSchema.js';

// Random records for the fast-path tests: mostly canonical events, with spellings zod
// normalises, values it refuses, odd timestamps, unknown fields and fields of other types.

/** Values a field may carry: canonical ones, spellings zod normalises, and ones it refuses. */
const canonicalValues = Object.values(COMMON_CASE).flatMap((rules) =>
  Object.values(rules.fields).flatMap((rule) => (rule.kind === 'enum' ? [...rule.values] : [])),
);
export const anyText = fc.oneof(
  fc.constantFrom('Acme', 'ana@acme.com.br', 'bruno', 'email', 'x'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.constantFrom(' Acme', 'Acme ', '\u00a0Acme', 'Acme\u2028', '\ufeffx', '\t', ' ', 'Ágata', 'x\u0085', '\u200bx', 'a\ud800'),
);
const anyNumber = fc.oneof(
  fc.integer({ min: -2, max: 8 }),
  fc.double(),
  fc.constantFrom(0, -0, 0.5, 3.25, 1e21, Number.MAX_SAFE_INTEGER + 2, Infinity, -Infinity, NaN),
);
export const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...canonicalValues) },
  fc.constantFrom('Média', 'URGENTE', 'Em atendimento', 'em-atendimento', 'requester', 'agent', 'Sim', 'yes', 'aprovado', 'Dúvida Explícita', 'media '),
  anyText,
  anyNumber,
  fc.constantFrom(null, '', true, false, [], {}, ['media']),
  fc.constantFrom('1', '5', ' 3', '3.0', '0x3', '1e0'),
  fc.record({ g: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom('2', 2.5, null)), u: fc.integer({ min: 1, max: 5 }), t: fc.integer({ min: 1, max: 5 }) }, { requiredKeys: ['u', 't'] }),
  fc.record({ g: fc.integer({ min: 1, max: 5 }), u: fc.integer({ min: 1, max: 5 }), t: fc.integer({ min: 1, max: 5 }), x: fc.constant(1) }, { requiredKeys: ['g', 'u', 't'] }),
);

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Timestamps in the fast form with any digits (invalid days and hours included), and other forms. */
export const instant = fc.oneof(
  { weight: 4, arbitrary: fc.date({ min: new Date(Date.UTC(900, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()) },
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('.000Z', 'Z').replace(/\.\d{3}Z$/, 'Z')),
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.boolean())
    .map(([y, mo, d, h, mi, s, frac]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac ? '.123' : ''}Z`),
  fc.constantFrom('2026-03-02T08:35:00-03:00', '2026-03-02 10:00', '2026-03-02T10:00:00', '2026-03-02t10:00:00z', ' 2026-03-02T10:00:00Z', '2024-02-29T10:00:00Z', '2023-02-29T10:00:00Z', '2026-03-02T10:00:00.1234Z', 'ontem', ''),
  fc.oneof(fc.integer(), fc.constantFrom(NaN, Infinity, 1.5, 8.64e15, -8.64e15, 8.64e15 + 1, 1e300)),
  fc.date().map((d) => d),
  fc.constant(null),
);

const baseId = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('e-1', 'T-1001', 'abc') }, anyText, anyNumber, fc.constantFrom(null, undefined, '', 12));
const eventType = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...EVENT_TYPES) }, fc.constantFrom('Ticket.Opened', ' ticket.opened', 'ticket.exploded', 3, null));
const knownField = fc.constantFrom(...[...KNOWN_FIELDS].filter((f) => !['id', 'ticket', 'at', 'type'].includes(f)));

/** A record: id, ticket, at, type, some of its own fields, maybe other known and unknown fields. */
export const record = fc
  .tuple(
    baseId,
    baseId,
    instant,
    eventType,
    fc.array(fc.tuple(knownField, fieldValue), { maxLength: 5 }),
    fc.array(fc.tuple(fc.constantFrom('crm_id', 'priority', 'x', '__proto__', 'constructor', 'toString'), fieldValue), { maxLength: 2 }),
    fc.boolean(),
  )
  .map(([id, ticket, at, type, known, unknown, complete]) => {
    const out: Record<string, unknown> = { id, ticket, at, type };
    // Often fill the type's required fields with canonical values, so the common case is common.
    const rules = COMMON_CASE[type as keyof typeof COMMON_CASE];
    if (complete && rules) {
      for (const [field, rule] of Object.entries(rules.fields)) {
        if (!rules.required.includes(field) && !rules.oneOf?.includes(field)) continue;
        out[field] = rule.kind === 'enum' ? rule.values[0] : rule.kind === 'score' ? 4 : 'Acme';
      }
    }
    for (const [k, v] of known) out[k] = v;
    for (const [k, v] of unknown) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
    return out;
  });

