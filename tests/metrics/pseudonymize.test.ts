import { existsSync, readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, test } from 'vitest';
import {
  DEVELOPMENT_PSEUDONYM_KEY,
  preparePseudonymKey,
  pseudonymize,
  pseudonymParams,
  pseudonymSql,
  resolvePseudonymKey,
} from '../../src/metrics/pseudonymize.js';
import { recomputeTickets } from '../../src/metrics/recomputeTickets.js';
import { freshDatabase } from '../ingest/helpers.js';
import { at, ingestFixture, policy } from './helpers.js';

describe('pseudonyms', () => {
  test.each([
    ['short key', 'k'],
    ['a 64-byte key', 'x'.repeat(64)],
    ['a key longer than a block (hashed first, as HMAC does)', 'chave-secreta-'.repeat(10)],
  ])('the SQL pseudonym equals node:crypto HMAC-SHA256, first 128 bits (%s)', async (_, key) => {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      const values = ['ana@acme.com.br', 'JOÃO da Silva', ''];
      const reader = await c.runAndReadAll(
        `SELECT ${pseudonymSql('v')} AS p FROM (SELECT unnest([$a, $b, $c]) AS v)`,
        { a: values[0]!, b: values[1]!, c: values[2]!, ...pseudonymParams(preparePseudonymKey(key)) },
      );
      expect(reader.getRows().map((r) => String(r[0]))).toEqual(values.map((v) => pseudonymize(key, v)));
    } finally {
      c.closeSync();
    }
  });

  test('the key comes from the config, else the environment, else the development default with one warning', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(resolvePseudonymKey({ key: 'from-config', env: { PRAZO_PSEUDONYM_KEY: 'from-env' }, warn })).toEqual(preparePseudonymKey('from-config'));
    expect(resolvePseudonymKey({ env: { PRAZO_PSEUDONYM_KEY: 'from-env' }, warn })).toEqual(preparePseudonymKey('from-env'));
    expect(warnings).toEqual([]);
    const fallback = resolvePseudonymKey({ env: {}, warn });
    expect(fallback).toEqual(preparePseudonymKey(DEVELOPMENT_PSEUDONYM_KEY, true));
    resolvePseudonymKey({ env: {}, warn });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/PRAZO_PSEUDONYM_KEY is not set/);
  });

  test('neither the key nor the prepared pads end up in the database file', async () => {
    const key = 'segredo-que-nao-pode-vazar-7f3a';
    const db = await freshDatabase();
    await ingestFixture(db, 'hand-worked.ndjson');
    await recomputeTickets(db, policy, { full: true, now: at('2026-06-02T15:00:00Z'), pseudonymKey: preparePseudonymKey(key) });
    db.close();
    const prepared = preparePseudonymKey(key);
    for (const file of [db.path, `${db.path}.wal`].filter((f) => existsSync(f))) {
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes).not.toContain(key);
      expect(bytes).not.toContain(prepared.ipadHex);
      expect(bytes).not.toContain(prepared.opadHex);
    }
  });
});
