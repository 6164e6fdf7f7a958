import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Database } from '../db/openDatabase.js';
import { AccessError } from '../access/roles.js';
import { createAuthMiddleware } from './auth/createAuthMiddleware.js';
import { createAuthRoutes } from './auth/createAuthRoutes.js';
import type { ReportConfig } from '../reports/parseReportConfig.js';
import { createSecurityHeaders } from './auth/createSecurityHeaders.js';
import { isApiRequest } from './auth/guards.js';
import { renderErrorPage } from './auth/renderAuthPages.js';
import { resolveLang } from './i18n/resolveLang.js';
import type { AuthVariables } from './auth/types.js';
import { AppError } from './errors.js';
import { createEventsRoutes } from './routes/events.js';
import { loadPolicy } from '../policy/loadPolicy.js';
import type { Policy } from '../policy/policySchema.js';
import { createHttpMetrics, type HttpMetrics } from './observability/createHttpMetrics.js';
import { createMetricsRoutes } from './observability/createMetricsRoutes.js';
import { createPageRoutes } from './pages/createPageRoutes.js';
import { createApiRoutes } from './routes/createApiRoutes.js';
import { createAssetRoutes } from './routes/createAssetRoutes.js';
import { createHealthRoutes } from './routes/createHealthRoutes.js';
import { createMetricReader } from './routes/createMetricReader.js';

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
/**
 * Largest body of any other request (the login and page forms; the longest field is a 4000-character
 * note): POST /api/v1/events has its own limit, maxBodyBytes.
 */
export const FORM_MAX_BODY_BYTES = 64 * 1024;
const EVENTS_PATH = /^\/api\/v1\/events(\/|$)/;

export interface AppConfig {
  /** Largest request body read, in bytes; larger bodies are answered 413 without being buffered. */
  maxBodyBytes: number;
  /** Session cookies always Secure (TLS ends at a proxy that sends no X-Forwarded-Proto). */
  secureCookies?: boolean;
  /** Client address from X-Forwarded-For, for the login rate limit (only behind a proxy that sets it). */
  trustProxy?: boolean;
}

export interface AppOptions {
  db: Database;
  logger?: Logger;
  config: AppConfig;
  /** The clock for sessions and login lockouts; tests inject one. */
  now?: () => Date;
  /** The support policy (explained tickets, the Admin page); config/policy.json (or PRAZO_POLICY) when absent. */
  policy?: Readonly<Policy>;
  /** The counters /metrics shows; pass one to record recompute times from outside the app. */
  metrics?: HttpMetrics;
  /** The report settings `prazo serve` runs its schedule and outbox with (Relatórios states them). */
  reports?: Readonly<ReportConfig>;
}

export type AppEnv = { Variables: RequestIdVariables & AuthVariables };

/**
 * The Prazo HTTP app: request ids, one error envelope `{ "error": { "code", "message" } }`,
 * `/healthz`, and the route groups mounted with `app.route`. No listening server: `prazo serve`
 * hands `app.fetch` to @hono/node-server, tests call `app.request`.
 */
export function createApp({ db, logger = quietLogger, config, now, policy = loadPolicy(), metrics = createHttpMetrics(), reports }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(metrics.middleware);
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

  const auth = { db, logger, now, secureCookies: config.secureCookies, trustProxy: config.trustProxy };
  app.use(createSecurityHeaders());
  // Before the auth middleware, which reads a form's _csrf: an anonymous POST /login must not buffer any size of body.
  const formLimit = bodyLimit({
    maxSize: FORM_MAX_BODY_BYTES,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `the form is larger than the limit of ${FORM_MAX_BODY_BYTES} bytes`);
    },
  });
  app.use((c, next) => (EVENTS_PATH.test(c.req.path) ? next() : formLimit(c, next)));
  app.use(createAuthMiddleware(auth));

  app.route('/healthz', createHealthRoutes({ db }));
  app.route('/', createAuthRoutes(auth));
  app.route('/api/v1/events', createEventsRoutes({ db, logger, maxBodyBytes: config.maxBodyBytes }));
  const pages = { db, policy, now: () => (now ? now().getTime() : Date.now()), readMetric: createMetricReader(db), ...(reports ? { reports } : {}) };
  app.route('/api/v1', createApiRoutes(pages));
  app.route('/metrics', createMetricsRoutes({ db, metrics }));
  app.route('/assets', createAssetRoutes());
  app.route('/', createPageRoutes(pages));

  // Pages get an HTML error page, the API (and non-browser callers) the JSON envelope.
  const answer = (c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string) =>
    isApiRequest(c) || !c.req.header('accept')?.includes('text/html')
      ? c.json({ error: { code, message } }, status)
      : c.html(renderErrorPage(resolveLang(c), status, code, message), status);

  app.notFound((c) => answer(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      if (error.data) return c.json({ error: { code: error.code, message: error.message, data: error.data } }, error.status);
      return answer(c, error.status, error.code, error.message);
    }
    if (error instanceof AccessError) return answer(c, error.status, error.code, error.message);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return answer(c, status, `http_${status}`, error.message || 'request refused');
    }
    const id = c.get('requestId');
    logger.error('request_failed', {
      request_id: id,
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return answer(c, 500, 'internal', `internal error (request id ${id})`);
  });

  return app;
}
