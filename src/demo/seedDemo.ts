import { performance } from 'node:perf_hooks';
import type { Database } from '../db/openDatabase.js';
import { EventWriter } from '../ingest/EventWriter.js';
import type { RawRecord } from '../ingest/types.js';
import type { PseudonymKey } from '../metrics/pseudonymize.js';
import { recomputeTickets } from '../metrics/recomputeTickets.js';
import { loadPolicy } from '../policy/loadPolicy.js';
import type { Policy } from '../policy/policySchema.js';
import { DEFAULT_DEMO_SEED, type DemoEvent, generateDemoData } from './generateDemoEvents.js';

/** The source demo events are stored under: (source, id) keeps them apart from real data. */
export const DEMO_SOURCE = 'demo';
const BATCH = 50_000;

export interface DemoProgress {
  phase: 'generate' | 'ingest' | 'recompute' | 'done';
  /** Events (generate, ingest) or tickets (recompute, done) handled so far, and of how many. */
  done: number;
  total: number;
}

export interface SeedOptions {
  now?: number | Date;
  seed?: number;
  tickets?: number;
  policy?: Readonly<Policy>;
  /** For the recompute; resolved from the environment when absent (see recomputeTickets). */
  pseudonymKey?: PseudonymKey;
  onProgress?: (progress: DemoProgress) => void;
}

export interface SeedResult {
  events: number;
  tickets: number;
  rejected: number;
  seconds: number;
}

/** True when no event is stored yet (the demo seeds only an empty database). */
export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll('SELECT count(*)::INTEGER FROM (SELECT 1 FROM events LIMIT 1)');
    return Number(reader.getRows()[0]![0]) === 0;
  } finally {
    c.closeSync();
  }
}

/**
 * Fills the database with the demo year: generates the events, stores them through the ingest
 * path (EventWriter, source "demo": validated, survey answers into the satisfaction zone) and
 * recomputes ticket_sla at `now`. Seeding twice adds nothing (ingest is idempotent on ids).
 */
export async function seedDemo(db: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now();
  const policy = options.policy ?? loadPolicy();
  const report = options.onProgress ?? (() => undefined);
  report({ phase: 'generate', done: 0, total: 0 });
  const data = generateDemoData({ seed: options.seed ?? DEFAULT_DEMO_SEED, now: options.now, tickets: options.tickets, policy });
  const total = data.events.length;
  report({ phase: 'generate', done: total, total });

  const counts = await writeDemoEvents(db, data.events, (done) => report({ phase: 'ingest', done, total }));
  report({ phase: 'recompute', done: 0, total: data.tickets });
  const recomputed = await recomputeTickets(db, policy, { full: true, now: data.now, pseudonymKey: options.pseudonymKey });
  report({ phase: 'done', done: recomputed.tickets, total: data.tickets });
  return { events: counts.accepted, tickets: recomputed.tickets, rejected: counts.rejected, seconds: (performance.now() - started) / 1000 };
}

/** One ingest run of the events, in batches; the next batch is validated while DuckDB commits one. */
async function writeDemoEvents(db: Database, events: DemoEvent[], onProgress: (done: number) => void) {
  const writer = await EventWriter.open(db, { source: DEMO_SOURCE, origin: 'demo', format: 'ndjson', sourceKind: 'demo' });
  let committing: Promise<void> | undefined;
  try {
    for (let start = 0; start < events.length; start += BATCH) {
      const records: RawRecord[] = [];
      for (let i = start; i < Math.min(events.length, start + BATCH); i++) {
        const event = events[i]!;
        records.push({ position: i + 1, raw: JSON.stringify(event), value: event });
      }
      const prepared = writer.prepare(records, { rawIsJson: true });
      await committing;
      const end = start + records.length;
      committing = writer.commit(prepared, 'demo').then(() => onProgress(end));
    }
    await committing;
  } catch (error) {
    await committing?.catch(() => undefined);
    await writer.finish(error as Error);
    throw error;
  }
  return writer.finish();
}
