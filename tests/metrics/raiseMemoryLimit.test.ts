import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { parseDuckDbSize, raiseMemoryLimit } from '../../src/metrics/sla/raiseMemoryLimit.js';

async function connect(limit: string) {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: limit });
  const connection = await instance.connect();
  const shown = async () => String((await connection.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]![0]);
  return { instance, connection, shown };
}

describe('raiseMemoryLimit', () => {
  it('parses sizes as DuckDB shows them', () => {
    expect(parseDuckDbSize('1.5 GiB')).toBe(Math.round(1.54 * 2 ** 30));
    expect(parseDuckDbSize('0 bytes')).toBe(0);
    expect(parseDuckDbSize('512 MB')).toBe(512e6);
    expect(parseDuckDbSize('lots')).toBeUndefined();
  });

  it('raises a lower limit and puts it back, the same after many rounds', async () => {
    const { instance, connection, shown } = await connect('384MB');
    try {
      const before = await shown();
      for (let round = 0; round < 3; round++) {
        const restore = await raiseMemoryLimit(connection, 768 * 2 ** 20);
        expect(await shown()).toBe('768.0 MiB');
        await restore();
        expect(await shown()).toBe(before);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('leaves a higher limit alone', async () => {
    const { instance, connection, shown } = await connect('2GB');
    try {
      const before = await shown();
      const restore = await raiseMemoryLimit(connection, 768 * 2 ** 20);
      expect(await shown()).toBe(before);
      await restore();
      expect(await shown()).toBe(before);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
