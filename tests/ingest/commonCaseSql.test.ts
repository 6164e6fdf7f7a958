import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isoInstantOk, trimmedText } from '../../src/ingest/commonCaseSql.js';
import { fastInstant } from '../../src/ingest/validateEventFast.js';

// The set-wise readers vouch for a row in SQL only where JavaScript would read it the same way
// (a row SQL does not vouch for goes through JavaScript): these checks must never say yes where
// the JavaScript parser says no or reads another value.

let instance: DuckDBInstance;
let c: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
});

afterAll(() => {
  c.closeSync();
  instance.closeSync();
});

/** `texts` as the temporary table texts (t). */
async function loadTexts(texts: string[]): Promise<void> {
  await c.run('CREATE OR REPLACE TEMP TABLE texts (t VARCHAR)');
  const appender = await c.createAppender('texts', 'main', 'temp');
  for (const t of texts) {
    appender.appendVarchar(t);
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * Each text with SQL's verdict and, when it vouches, the instant it reads (epoch ms). `quoted`: as
 * the NDJSON reader asks, of the JSON string with its quotes.
 */
async function instantsInSql(texts: string[], quoted = false): Promise<Map<string, number | null>> {
  await loadTexts(texts);
  const ok = quoted ? isoInstantOk(`('"' || t || '"')`, 'TRY_CAST(t AS TIMESTAMPTZ)', { quoted: true }) : isoInstantOk('t');
  const rows = (await c.runAndReadAll(`SELECT t, CASE WHEN ${ok} THEN epoch_ms(TRY_CAST(t AS TIMESTAMPTZ))::DOUBLE END FROM texts`)).getRows();
  return new Map(rows.map(([t, ms]) => [String(t), ms === null ? null : Number(ms)]));
}

describe('isoInstantOk', () => {
  test('agrees with the JavaScript parser on every hour and minute from 00:00 to 99:99', async () => {
    const texts: string[] = [];
    const two = (n: number) => String(n).padStart(2, '0');
    for (let h = 0; h < 100; h++) {
      for (let m = 0; m < 100; m++) {
        for (const s of [0, 1, 59, 60, 61, 99]) texts.push(`2026-03-02T${two(h)}:${two(m)}:${two(s)}Z`, `2026-03-02T${two(h)}:${two(m)}:${two(s)}.250Z`);
      }
    }
    const sql = await instantsInSql(texts);
    let vouched = 0;
    for (const t of texts) {
      const js = fastInstant(t);
      expect({ t, ms: sql.get(t) }).toEqual({ t, ms: js ?? null });
      if (js !== undefined) vouched++;
    }
    // 24 × 60 × 3 valid seconds (0, 1, 59), twice: most of the grid is refused, the rest read alike.
    expect(vouched).toBe(24 * 60 * 3 * 2);
  });

  test('agrees with the JavaScript parser when any one character is another: every ASCII character and a few digits of other scripts', async () => {
    const others = [...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)), '٣', '０', '²', 'é', '\u00a0', '\u2028'];
    const texts: string[] = [];
    for (const base of ['2026-03-02T11:05:09Z', '2026-03-02T11:05:09.250Z']) {
      for (let i = 0; i < base.length; i++) for (const other of others) texts.push(base.slice(0, i) + other + base.slice(i + 1));
      // One character more or fewer anywhere.
      for (let i = 0; i <= base.length; i++) texts.push(base.slice(0, i) + '1' + base.slice(i), base.slice(0, i) + base.slice(i + 1));
    }
    const sql = await instantsInSql(texts);
    const disagree = texts.filter((t) => sql.get(t) !== (fastInstant(t) ?? null));
    expect(disagree).toEqual([]);
    const quoted = await instantsInSql(texts, true);
    expect(texts.filter((t) => quoted.get(t) !== (fastInstant(t) ?? null))).toEqual([]);
    // The sweep reaches texts both read, not only refusals.
    expect(texts.filter((t) => sql.get(t) !== null).length).toBeGreaterThan(200);
  });

  test('days, years and forms around the edges', async () => {
    const texts = [
      '2024-02-29T10:00:00Z',
      '2025-02-29T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-00-10T10:00:00Z',
      '2026-13-10T10:00:00Z',
      '2026-03-00T10:00:00Z',
      '0999-03-02T10:00:00Z',
      '1000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      ' 026-03-02T11:05:00Z',
      '-026-03-02T11:05:00Z',
      '2026-03-02T24:00:00Z',
      '2026-03-02T24:00:00.000Z',
      '2026-03-02 11:05:00Z',
      '2026-03-02T11:05:00+00:00',
      '2026-03-02T11:05:00.5Z',
      '2026-03-02t11:05:00Z',
      '2026-03-02T11:05Z',
    ];
    const sql = await instantsInSql(texts);
    for (const t of texts) expect({ t, ms: sql.get(t) }).toEqual({ t, ms: fastInstant(t) ?? null });
    expect(sql.get('2026-03-02T24:00:00Z')).toBeNull();
    expect(sql.get('2024-02-29T10:00:00Z')).toBe(Date.UTC(2024, 1, 29, 10));
  });
});

describe('trimmedText', () => {
  test('vouches only for text String.prototype.trim leaves as is, and for every printable ASCII end', async () => {
    const texts: string[] = [];
    // Every character of the first planes at either end, around a plain middle, and alone.
    for (let code = 0; code < 0x3100; code++) {
      const ch = String.fromCharCode(code);
      if (code >= 0xd800 && code < 0xe000) continue;
      texts.push(`${ch}abc`, `abc${ch}`, ch);
    }
    texts.push('\u{1F600}x', 'x\u{1F600}', 'a b', '');
    await loadTexts(texts);
    // Unquoted (a Parquet text), and quoted as the NDJSON path reads a JSON string: quotes included,
    // only for texts JSON writes without escapes (a line with a backslash is never vouched for).
    const rows = (
      await c.runAndReadAll(
        `SELECT t, coalesce(${trimmedText('t')}, false), CASE WHEN NOT regexp_matches(t, '["\\\\\\x00-\\x1f]') THEN coalesce(${trimmedText(`('"' || t || '"')`, true)}, false) END FROM texts`,
      )
    ).getRows();
    expect(rows).toHaveLength(texts.length);
    let quotedChecked = 0;
    for (const [t, ok, quotedOk] of rows) {
      const text = String(t);
      if (ok) expect({ text, trimmed: text.length > 0 && text.trim() === text }).toEqual({ text, trimmed: true });
      const printableEnds = /^[!-~](.*[!-~])?$/s.test(text);
      if (printableEnds) expect({ text, ok }).toEqual({ text, ok: true });
      if (quotedOk !== null) {
        quotedChecked++;
        expect({ text, quotedOk }).toEqual({ text, quotedOk: ok });
      }
    }
    // The empty text among them: "" is no text, though its quotes are printable.
    expect(rows.find(([t]) => t === '')).toEqual(['', false, false]);
    expect(quotedChecked).toBeGreaterThan(texts.length * 0.9);
  });
});
