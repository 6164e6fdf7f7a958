import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { Database } from '../../db/openDatabase.js';

export const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `GET /healthz`: 200 {ok:true, db:"ok", version} when a query on the database answers, else 503 {ok:false, db:"error"}. */
export function createHealthRoutes({ db }: { db: Database }): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    try {
      const connection = await db.connect();
      try {
        await connection.run('SELECT 1');
      } finally {
        connection.closeSync();
      }
      return c.json({ ok: true, db: 'ok', version: VERSION });
    } catch {
      return c.json({ ok: false, db: 'error', version: VERSION }, 503);
    }
  });
  return app;
}
