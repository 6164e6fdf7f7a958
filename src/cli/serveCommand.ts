import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Database } from '../db/openDatabase.js';
import { markInterruptedRuns } from '../ingest/ingestFile.js';
import { createApp, createJsonLogger, DEFAULT_MAX_BODY_BYTES, type Logger } from '../server/createApp.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions, policyOption, reportConfigOption } from './options.js';
import { startRecomputeLoop, type RecomputeLoop } from '../metrics/startRecomputeLoop.js';
import { createHttpMetrics } from '../server/observability/createHttpMetrics.js';
import type { ReportConfig } from '../reports/parseReportConfig.js';
import type { Policy } from '../policy/policySchema.js';
import { type RunningReportService, startReportService } from '../reports/startReportService.js';

const isOn = (value: string | undefined) => /^(1|on|true|yes|sim)$/i.test(value ?? '');

export const SERVE_HELP = `prazo serve [--port 3000] [--host 127.0.0.1] [--db PATH]

  Runs the HTTP server; this process holds the DuckDB file until it stops (other commands that
  need the file fail with a message naming this process). Prints one JSON line on stdout when
  listening: {"event":"listening","url","host","port","pid","db"}; logs JSON lines on stderr.
  SIGTERM or SIGINT stop it gracefully: no new connections, running requests finish, the
  database is closed, exit 0.

  --port N     TCP port (0 picks a free one; default 3000)
  --host ADDR  address to bind (default 127.0.0.1; 0.0.0.0 to listen on every interface)
  --db PATH    DuckDB file (or PRAZO_DB; default data/prazo.duckdb)
  --policy FILE      the SLA policy (or PRAZO_POLICY; default config/policy.json)
  --secure-cookies   mark the session cookie Secure even without TLS seen (or PRAZO_SECURE_COOKIES=1)
  --trust-proxy      behind a reverse proxy: take the client address and scheme from X-Forwarded-*
                     (or PRAZO_TRUST_PROXY=1); without it login limits count the proxy's address

  The weekly PDF report runs on the policy's reports.schedule (default Monday 07:00
  America/Sao_Paulo; a run missed while the server was down is caught up at start) and is mailed
  to the recipients (prazo recipients add) through PRAZO_SMTP_URL; without it reports are only
  archived (PRAZO_REPORTS_DIR, default: a reports folder beside the database).

  Every minute the tickets that got events and every ticket not yet closed are recomputed, so
  the dashboards and the at-risk queue follow the clock.

  POST /api/v1/events   events as NDJSON or a JSON array, with a source token (prazo token create)
  GET  /healthz         {"ok":true,"db":"ok","version"}
  GET  /metrics         Prometheus text; from loopback without a proxy (no X-Forwarded-For), or an admin
  GET  /api/v1/…        metrics (JSON, ?format=csv|arrow), tickets, follow-ups; /api/v1/openapi.json
  GET  /, /sla, /em-risco, /categorias, /satisfacao, /relatorios, /admin   pages (sign in at /login)`;

/** How long running requests may take to finish after a stop signal before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Where stop signals come from; `process` in the CLI. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ServeIo {
  out: (json: unknown) => void;
  stderr: (text: string) => void;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`--port: expected a number from 0 to 65535 (got "${text}")`);
  return port;
}

/** Listens on host:port; rejects on a bind error (port in use, bad address). */
function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The first of `signals` to arrive; the listeners are removed either way. */
function nextSignal(source: SignalSource, signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [s, h] of handlers) source.off(s, h);
        resolve(signal);
      };
      source.once(signal, handler);
      return [signal, handler] as const;
    });
  });
}

/**
 * Stops accepting connections, lets running requests finish (idle keep-alive connections are
 * closed at once), and cuts what is left after the grace period or at a second signal.
 */
async function stopServer(server: Server, logger: Logger, signals: SignalSource): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // close() ends the connections idle now; a keep-alive connection whose request finishes later
  // would otherwise stay open until its client or the keep-alive timeout ends it.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const force = (why: string) => {
    logger.warn('connections_cut', { why });
    server.closeAllConnections();
  };
  const timer = setTimeout(() => force(`still open after ${SHUTDOWN_GRACE_MS} ms`), SHUTDOWN_GRACE_MS);
  const again = () => force('second stop signal');
  signals.once('SIGINT', again);
  signals.once('SIGTERM', again);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
    clearInterval(sweep);
    signals.off('SIGINT', again);
    signals.off('SIGTERM', again);
  }
}

/** serve's own options (besides --policy and --db); `prazo start` takes them too and passes them on. */
export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'secure-cookies': { type: 'boolean' },
  'trust-proxy': { type: 'boolean' },
} as const;

export interface ServeSettings {
  port: number;
  host: string;
  policy: Readonly<Policy>;
  reportConfig: Readonly<ReportConfig>;
  secureCookies: boolean;
  trustProxy: boolean;
}

/** What serve will run with, from its options and the environment: a bad one is a one-line CliError before anything is opened. */
export function parseServeSettings(values: Record<string, unknown>, policy: Readonly<Policy> = policyOption(values), env: NodeJS.ProcessEnv = process.env): ServeSettings {
  return {
    port: parsePort((values.port as string | undefined) ?? '3000'),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    policy,
    reportConfig: reportConfigOption(values, policy, env),
    secureCookies: values['secure-cookies'] === true || isOn(env.PRAZO_SECURE_COOKIES),
    trustProxy: values['trust-proxy'] === true || isOn(env.PRAZO_TRUST_PROXY),
  };
}

/** `prazo serve`: resolves once the server has stopped and the database is closed. */
export async function runServeCommand(argv: string[], io: ServeIo, signals: SignalSource = process): Promise<void> {
  const { values } = parseOptions(argv, SERVE_OPTIONS);
  const { port, host, policy, reportConfig, secureCookies, trustProxy } = parseServeSettings(values);
  const logger = createJsonLogger(io.stderr);
  const db: Database = await openForCli(values.db);
  const httpMetrics = createHttpMetrics();
  let recompute: RecomputeLoop | undefined;
  let reports: RunningReportService | undefined;
  try {
    const interrupted = await markInterruptedRuns(db);
    if (interrupted > 0) logger.warn('interrupted_runs', { count: interrupted });
    const app = createApp({ db, logger, policy, metrics: httpMetrics, reports: reportConfig, config: { maxBodyBytes: DEFAULT_MAX_BODY_BYTES, secureCookies, trustProxy } });
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    let address: AddressInfo;
    try {
      address = await listen(server, port, host);
    } catch (error) {
      throw new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, 1);
    }
    // Dashboards stay current: events that arrived and the live clock of open tickets.
    recompute = startRecomputeLoop({ db, policy, logger, onRecompute: (r) => httpMetrics.observeRecompute(r.seconds, r.tickets) });
    await recompute.runOnce();
    // The weekly report's schedule (catching up a missed run now), its browser and the outbox.
    reports = startReportService({ db, policy, config: reportConfig, logger });
    const stopped = nextSignal(signals, ['SIGTERM', 'SIGINT']);
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${urlHost}:${address.port}`;
    io.out({ event: 'listening', url, host: address.address, port: address.port, pid: process.pid, db: db.path });
    // stderr carries JSON log lines; a person at a terminal also gets the address in words.
    if (process.stderr.isTTY) io.stderr(`\nPrazo no ar em ${url}  (Ctrl+C para parar)\n\n`);
    const signal = await stopped;
    logger.info('stopping', { signal });
    await stopServer(server, logger, signals);
    await reports.stop();
    await recompute.stop();
    logger.info('stopped', { signal });
  } finally {
    await reports?.stop();
    await recompute?.stop();
    db.close();
  }
}
