import type { EventType } from './eventSchema.js';

/** One event as Prazo stores it: the canonical fields, typed, plus what it did not know. */
export interface CanonicalEvent {
  id: string;
  ticket: string;
  /** UTC epoch ms. */
  at: number;
  type: EventType;
  severity?: string;
  status?: string;
  reason?: string;
  by?: string;
  actor?: string;
  analyst?: string;
  category?: string;
  answer?: string;
  client?: string;
  requester?: string;
  channel?: string;
  gut?: { g: number; u: number; t: number };
  hours?: number;
  hourly_rate?: number;
  rating?: string;
  score?: number;
  comment?: string;
  /** Unknown fields, kept as sent. */
  extra: Record<string, unknown>;
}

/** One line or row read from a source, before validation. */
export interface RawRecord {
  /** Line or row number in its origin, from 1. */
  position: number;
  /** The text to keep if it is rejected (the line, or the row as JSON). */
  raw: string;
  /** The parsed value; absent when the reader could not parse it (then `error` says why). */
  value?: unknown;
  error?: { reason: string; message: string };
}

export type Validation = { ok: true; event: CanonicalEvent } | { ok: false; reason: string; message: string };

export interface IngestCounts {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Distinct tickets among the valid events read (new or duplicate). */
  tickets: number;
  /** Of the duplicates, those whose content differs from the copy kept (a file import reports it when any). */
  conflicts?: number;
}
