import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Database } from '../db/openDatabase.js';
import { AppError } from './errors.js';
import { createEventsRoutes } from './routes/events.js';

/** Structured log lines: an event name and fields. Tests pass `quietLogger`. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

/** One JSON object a line: {"time","level","event",…fields}. */
export function createJsonLogger(write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) =>
    write(`${JSON.stringify({ time: now().toISOString(), level, event, ...fields })}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface AppConfig {
  /** Largest request body read, in bytes; larger bodies are answered 413 without being buffered. */
  maxBodyBytes: number;
}

export interface AppOptions {
  db: Database;
  logger?: Logger;
  config: AppConfig;
}

export type AppEnv = { Variables: RequestIdVariables };

/**
 * The Prazo HTTP app: request ids, one error envelope `{ "error": { "code", "message" } }`,
 * `/healthz`, and the route groups mounted with `app.route`. No listening server: `prazo serve`
 * hands `app.fetch` to @hono/node-server, tests call `app.request`.
 */
export function createApp({ db, logger = quietLogger, config }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/api/v1/events', createEventsRoutes({ db, logger, maxBodyBytes: config.maxBodyBytes }));

  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));

  app.onError((error, c) => {
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      const body = { code: error.code, message: error.message, ...(error.data ? { data: error.data } : {}) };
      return c.json({ error: body }, error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return c.json({ error: { code: `http_${status}`, message: error.message || 'request refused' } }, status);
    }
    const id = c.get('requestId');
    logger.error('request_failed', {
      request_id: id,
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return c.json({ error: { code: 'internal', message: `internal error (request id ${id})` } }, 500);
  });

  return app;
}
