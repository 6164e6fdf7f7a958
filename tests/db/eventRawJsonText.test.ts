import { join } from 'node:path';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { expect, test } from 'vitest';
import { applyMigrations } from '../../src/db/openDatabase.js';
import { tempDir } from '../ingest/helpers.js';
import { migratedUpTo } from './helpers.js';

// Migration 010: event_raw() writes an event's texts with json_text, which must write a text
// exactly as JSON.stringify does (the JavaScript path stores what JSON.stringify gives).

test('json_text writes every character, and backslashes before u000B, as JSON.stringify does', async () => {
  const { instance, c } = await migratedUpTo(join(tempDir(), 'j.duckdb'), 99);
  try {
    const texts: string[] = [];
    for (let cp = 0; cp < 0x3000; cp++) texts.push(`a${String.fromCodePoint(cp)}b`);
    texts.push('\u2028', '\ufeff', '\uffff', '😀', String.fromCodePoint(0x10ffff), '');
    // A text that holds what looks like an escape must keep it as text.
    const bits = ['\\', '"', 'u000B', '\u000b', '\u001f', 'x', '\\u001F', '\n', '\u0000'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % bits.length;
    for (let n = 0; n < 5000; n++) texts.push(Array.from({ length: 1 + (n % 8) }, () => bits[next()]).join(''));
    // Compared with the texts sent, not as read back: the client drops a text's leading U+FEFF.
    const sql = 'SELECT json_text(s) FROM unnest($l) WITH ORDINALITY t(s, i) ORDER BY i';
    const written = (await c.runAndReadAll(sql, { l: listValue(texts) }, { l: LIST(VARCHAR) })).getRows().map(([j]) => j);
    expect(written).toHaveLength(texts.length);
    expect(texts.map((s, i) => [s, written[i]]).filter(([s, j]) => JSON.stringify(s) !== j)).toEqual([]);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
});

test('migration 010 leaves every event stored without its text reading as before', async () => {
  const { instance, c } = await migratedUpTo(join(tempDir(), 'old.duckdb'), 9);
  try {
    // What the imports before 010 left without text: texts JSON writes without escapes.
    const texts = ['Açaí Ltda', 'a/b', 'x\u007fy', '😀 emoji', 'Ünïcödé \u2028'];
    for (const [i, client] of texts.entries()) {
      await c.run(
        `INSERT INTO events (source, id, ticket, occurred_at, type, severity, client, raw, run_id, raw_keys)
         VALUES ('s', $id, 'T-1', '2026-03-02T11:00:00.250Z', 'ticket.opened', 'alta', $client, NULL, 1, 'id"ticket"at"type"severity"client"channel')`,
        { id: `e-${i}`, client },
      );
    }
    const read = async () => (await c.runAndReadAll('SELECT raw FROM events_as_sent ORDER BY id')).getRows().map(([raw]) => String(raw));
    const before = await read();
    expect(before[0]).toBe('{"id":"e-0","ticket":"T-1","at":"2026-03-02T11:00:00.250Z","type":"ticket.opened","severity":"alta","client":"Açaí Ltda","channel":null}');
    expect(await applyMigrations(c)).toEqual(['010_event_raw_json_text.sql', '011_events_id_uncompressed.sql']);
    expect(await read()).toEqual(before);
    expect(before.map((raw) => (JSON.parse(raw) as { client: string }).client)).toEqual(texts);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
});
