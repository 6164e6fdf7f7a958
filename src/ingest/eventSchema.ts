import { z } from 'zod';
import { SEVERITIES } from '../policy/severities.js';
import { normalizeToken } from './normalizeToken.js';

export const EVENT_TYPES = [
  'ticket.opened',
  'ticket.status_changed',
  'ticket.replied',
  'ticket.severity_changed',
  'ticket.assigned',
  'ticket.categorized',
  'ticket.approval',
  'survey.answered',
  'quick_service.proposed',
  'quick_service.accepted',
  'quick_service.declined',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const STATUS_VALUES = ['novo', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado'] as const;
export const CLOSE_REASONS = ['approved', 'auto', 'manual'] as const;
export const CATEGORIES = [
  'analise_de_ambiente',
  'cortesia',
  'duvida_explicita',
  'duvida_tacita',
  'erro',
  'exigencia_legal',
  'falta_de_retorno',
  'incidente',
  'outras_ferramentas',
  'servicos',
  'sistemas_terceiros',
  'sugestao',
] as const;
export const RATINGS = ['satisfeito', 'neutro', 'insatisfeito'] as const;

/** Spellings of other tools and languages that mean one of Prazo's values. */
const ALIASES: Record<string, string> = {
  analista: 'analyst',
  agent: 'analyst',
  cliente: 'customer',
  requester: 'customer',
  yes: 'sim',
  no: 'nao',
  aprovado: 'approved',
  automatico: 'auto',
};

/** An enum that accepts accents, case and known aliases: `Média`, `MEDIA` → `media`. */
function token<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? (ALIASES[normalizeToken(v)] ?? normalizeToken(v)) : v),
    // The value as sent is quoted by validateEvent (issue.input here is already normalised).
    z.enum(values, { error: () => `expected one of ${values.join(', ')}` }),
  );
}

const text = z.string().trim().min(1, { error: 'expected a non-empty text' });
const gutScore = z.coerce.number().int().min(1).max(5);

/** The fields each event type may carry beyond id, ticket, at and type (DESIGN.md §2). */
export const TYPE_FIELDS = {
  'ticket.opened': z.object({
    severity: token(SEVERITIES),
    client: text,
    requester: text.optional(),
    channel: text.optional(),
    gut: z.object({ g: gutScore, u: gutScore, t: gutScore }, { error: 'expected {g, u, t}, each 1–5' }).optional(),
  }),
  'ticket.status_changed': z.object({
    status: token(STATUS_VALUES),
    reason: token(CLOSE_REASONS).optional(),
  }),
  'ticket.replied': z.object({ by: token(['analyst', 'customer']), actor: text.optional() }),
  'ticket.severity_changed': z.object({ severity: token(SEVERITIES) }),
  'ticket.assigned': z.object({ analyst: text }),
  'ticket.categorized': z.object({ category: token(CATEGORIES) }),
  'ticket.approval': z.object({ answer: token(['sim', 'nao']) }),
  'survey.answered': z
    .object({
      rating: token(RATINGS).optional(),
      score: z.coerce.number().int().min(1, { error: 'expected a score from 1 to 5' }).max(5, { error: 'expected a score from 1 to 5' }).optional(),
      comment: z.string().optional(),
    })
    .refine((s) => s.rating !== undefined || s.score !== undefined, { error: 'expected a rating or a score', path: ['rating'] }),
  'quick_service.proposed': z.object({ hours: z.coerce.number().positive().optional(), hourly_rate: z.coerce.number().nonnegative().optional() }),
  'quick_service.accepted': z.object({ hours: z.coerce.number().positive().optional(), hourly_rate: z.coerce.number().nonnegative().optional() }),
  'quick_service.declined': z.object({ hours: z.coerce.number().positive().optional(), hourly_rate: z.coerce.number().nonnegative().optional() }),
} satisfies Record<EventType, z.ZodType>;

/** Fields Prazo understands; anything else in an event is kept in `extra`. */
export const KNOWN_FIELDS = new Set([
  'id',
  'ticket',
  'at',
  'type',
  'severity',
  'client',
  'requester',
  'channel',
  'gut',
  'status',
  'reason',
  'by',
  'actor',
  'analyst',
  'category',
  'answer',
  'rating',
  'score',
  'comment',
  'hours',
  'hourly_rate',
]);

/** Which reject code a problem in a field gets. */
export const FIELD_REASONS: Record<string, string> = {
  severity: 'unknown_severity',
  status: 'unknown_status',
  category: 'unknown_category',
  rating: 'rating_out_of_range',
  score: 'rating_out_of_range',
};
