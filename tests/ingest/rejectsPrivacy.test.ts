import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { ingestFiles } from '../../src/ingest/ingestFile.js';
import { freshDatabase, query, tempDir } from './helpers.js';

const MARKER = 'COMENTARIO-SECRETO-4471';
const lines = [
  // A rating Prazo does not know: rejected, but its comment must not be kept in the rejects.
  JSON.stringify({ id: 'r1', ticket: 'T-1', at: '2026-03-05T12:00:00Z', type: 'survey.answered', rating: 'pessimo', comment: `${MARKER} horrível` }),
  // Not even JSON, but clearly a survey line with its comment.
  `{"id":"r2","ticket":"T-2","type":"survey.answered","comment":"${MARKER} sem fim`,
  // An ordinary bad event keeps its line as sent.
  JSON.stringify({ id: 'r3', ticket: 'T-3', at: '2026-03-05T12:00:00Z', type: 'ticket.opened', severity: 'gravissima', client: 'Acme' }),
];

let db: Database;
beforeAll(async () => {
  db = await freshDatabase();
  const file = join(tempDir(), 'bad.ndjson');
  writeFileSync(file, lines.join('\n'));
  expect(await ingestFiles(db, [file])).toMatchObject({ accepted: 0, rejected: 3 });
});
afterAll(() => db.close());

test('rejected survey lines keep their position and reason but never the comment or rating', async () => {
  const rows = await query(db, 'SELECT position, reason, raw FROM rejects ORDER BY position');
  expect(rows.map((r) => [Number(r.position), r.reason])).toEqual([
    [1, 'rating_out_of_range'],
    [2, 'invalid_json'],
    [3, 'unknown_severity'],
  ]);
  for (const row of rows.slice(0, 2)) {
    expect(String(row.raw)).not.toContain(MARKER);
    expect(String(row.raw)).not.toContain('pessimo');
  }
  expect(JSON.parse(String(rows[0]!.raw))).toEqual({ id: 'r1', ticket: 'T-1', at: '2026-03-05T12:00:00Z', type: 'survey.answered' });
  expect(rows[2]!.raw).toBe(lines[2]);
});
