import type { Database } from '../db/openDatabase.js';

/** The end of each database's queue of event writes. */
const queues = new WeakMap<Database, Promise<void>>();

/**
 * Runs `work` (one transaction that inserts into events) when no other such transaction of this
 * database is running, in the order asked. events has no key (migration 009): a batch looks up
 * which of its ids are stored, then inserts the others, and that is only sound while nothing else
 * inserts events between the two. DuckDB lets one process hold a database file, so a lock in the
 * process is a lock on the file.
 */
export async function withEventWriteLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(db) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  queues.set(db, done);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (queues.get(db) === done) queues.delete(db);
  }
}
