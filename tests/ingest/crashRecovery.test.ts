import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { openDatabase } from '../../src/db/openDatabase.js';
import { NDJSON_BATCH_LINES } from '../../src/ingest/writeNdjsonSetwise.js';
import { query, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Two and a half batches (a multiple of 4: four events a ticket). */
const N = Math.ceil((NDJSON_BATCH_LINES * 2.5) / 4) * 4;

async function writeEvents(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < N; i++) {
    const ticket = `T-${Math.floor(i / 4)}`;
    const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const line =
      i % 4 === 0
        ? { id: `e-${i}`, ticket, at, type: 'ticket.opened', severity: 'media', client: `C-${i % 7}` }
        : { id: `e-${i}`, ticket, at, type: 'ticket.status_changed', status: 'em_atendimento' };
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function runIngest(file: string, db: string, onStderr?: (text: string, kill: () => void) => void) {
  const child = spawn(process.execPath, ['bin/prazo.js', 'ingest', file, '--db', db], {
    cwd: ROOT,
    env: { ...process.env, PRAZO_PROGRESS_INTERVAL_MS: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr })),
  );
}

test('an import killed with SIGKILL midway, then repeated, ends with exactly the file\'s events', async () => {
  const dir = tempDir();
  const file = join(dir, 'big.ndjson');
  const dbPath = join(dir, 'prazo.duckdb');
  await writeEvents(file);

  // Kill as soon as the first batch has been committed (its progress line says how many are new).
  const killed = await runIngest(file, dbPath, (text, kill) => {
    if (/[1-9][\d.]* novos/.test(text)) kill();
  });
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toBe('');

  let db = await openDatabase(dbPath);
  const [{ n: committed }] = (await query(db, 'SELECT count(*)::INTEGER AS n FROM events')) as [{ n: number }];
  db.close();
  // Whole batches or nothing: the batch in flight was rolled back.
  expect(committed).toBeGreaterThan(0);
  expect(committed).toBeLessThan(N);
  expect(committed % NDJSON_BATCH_LINES).toBe(0);

  const again = await runIngest(file, dbPath);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toEqual({ accepted: N - committed, duplicates: committed, rejected: 0, tickets: N / 4 });
  expect(again.stderr).toContain('1 earlier import(s) had been interrupted');

  db = await openDatabase(dbPath);
  try {
    expect(await query(db, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM events')).toEqual([{ n: N, ids: N }]);
    expect(await query(db, 'SELECT status FROM ingest_runs ORDER BY id')).toEqual([{ status: 'interrupted' }, { status: 'done' }]);
  } finally {
    db.close();
  }
}, 120_000);
