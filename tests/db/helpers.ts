import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'src', 'db', 'migrations');

/** A database file with the migrations up to `last` applied, as a Prazo of that time left it. */
export async function migratedUpTo(path: string, last: number) {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)');
  for (const file of readdirSync(MIGRATIONS).filter((f) => /^\d{3}_.+\.sql$/.test(f) && Number(f.slice(0, 3)) <= last).sort()) {
    await c.run(readFileSync(join(MIGRATIONS, file), 'utf8'));
    await c.run('INSERT INTO schema_migrations (version, name) VALUES ($v, $f)', { v: Number(file.slice(0, 3)), f: file });
  }
  return { instance, c };
}
