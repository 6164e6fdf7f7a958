import { AccessError, type Caller, forbidden, type Role, roleAtLeast } from '../access/roles.js';
import { appendAudit } from '../db/appendAudit.js';
import type { Database } from '../db/openDatabase.js';
import { composeReportMail, getDeliveryMessageId, type ReportMail } from './composeReportMail.js';
import { getWeeklySummary } from './getWeeklySummary.js';
import { createMetricReader, type MetricReader } from './metricSource.js';
import { getReport } from './reportStore.js';
import { type Clock, type Logger, quietLogger } from './types.js';
import { inTransaction, withConnection } from '../db/withConnection.js';
import { normalizeEmail } from '../access/normalizeEmail.js';

/** The last error of a delivery drain() did not send because its address stopped being a recipient. */
export const RECIPIENT_REMOVED = 'recipient_removed';

/** What the outbox needs of a nodemailer transport. */
export interface MailTransport {
  sendMail(mail: ReportMail): Promise<unknown>;
}

export interface Backoff {
  /** Delay after the first failure; doubles after each one, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** ± this fraction of the delay, at random, so retries of many deliveries spread out. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 60_000, maxMs: 60 * 60_000, jitter: 0.2 };
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface OutboxOptions {
  db: Database;
  transport: MailTransport;
  from: string;
  company: string;
  maxAttempts?: number;
  backoff?: Backoff;
  clock?: Clock;
  /** Uniform in [0, 1), for the jitter. */
  random?: () => number;
  logger?: Logger;
  readMetric?: MetricReader;
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface Delivery {
  reportId: number;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  messageId: string;
}

export interface DrainResult {
  sent: number;
  retrying: number;
  failed: number;
}

export interface Outbox {
  /** One pending delivery per active recipient (none twice for the same report); returns how many were added. */
  enqueue(reportId: number): Promise<number>;
  /** Sends every delivery due now; concurrent calls share one run. */
  drain(): Promise<DrainResult>;
  listDeliveries(reportId?: number): Promise<Delivery[]>;
}

/** The wait before attempt `attempts + 1`: exponential, capped, with jitter. */
export function getBackoffDelay(attempts: number, backoff: Backoff, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random()));
}

/** An SMTP 5xx answer will not change on retry; connection errors and 4xx will. */
const isPermanent = (error: unknown) => {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
};

const ISO = (col: string) => `strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** The deliveries (of one report, or all), newest report first: for the Relatórios page. */
export async function listDeliveries(db: Database, reportId?: number): Promise<Delivery[]> {
  return selectDeliveries(db, '$report::BIGINT IS NULL OR report_id = $report::BIGINT', 'report_id DESC, recipient', { report: reportId ?? null });
}

async function selectDeliveries(db: Database, where: string, orderBy: string, params: Record<string, string | number | null>): Promise<Delivery[]> {
  const c = await db.connect();
  try {
    const rows = (await c.runAndReadAll(
      `SELECT report_id::INTEGER AS report_id, recipient, status, attempts, ${ISO('next_attempt_at')} AS next_attempt_at, last_error,
         ${ISO('sent_at')} AS sent_at, message_id FROM deliveries WHERE ${where} ORDER BY ${orderBy}`,
      params,
    )).getRowObjectsJS();
    return rows.map((r) => ({
      reportId: Number(r.report_id), recipient: String(r.recipient), status: r.status as DeliveryStatus, attempts: Number(r.attempts),
      nextAttemptAt: String(r.next_attempt_at), lastError: (r.last_error as string | null) ?? null, sentAt: (r.sent_at as string | null) ?? null,
      messageId: String(r.message_id),
    }));
  } finally {
    c.closeSync();
  }
}

/** Who may put a failed delivery back in the queue: whoever manages the recipients (leadership and admin). */
export const mayRetryDelivery = (role: Role) => roleAtLeast(role, 'leadership');

/**
 * Puts one failed delivery, keyed by (report, recipient), back in the queue: pending, no attempts,
 * due at `now`, last error cleared, the same Message-ID (a copy that did arrive after all is
 * recognisable). Anything but 'failed' is left alone: 409 delivery_not_failed (sent ones are
 * never sent twice; pending and sending ones are already queued), and 409 recipient_removed when
 * the address stopped receiving reports since. Unknown: 404 unknown_delivery. Leadership and
 * admin only; audited as report.delivery_retry (the recipient as target, never the error text).
 */
export async function retryDelivery(db: Database, caller: Caller, key: { reportId: number; recipient: string }, now = Date.now()): Promise<Delivery> {
  if (!mayRetryDelivery(caller.role)) throw forbidden('só liderança e administradores tentam de novo uma entrega que falhou');
  const recipient = normalizeEmail(key.recipient);
  const unknown = new AccessError(404, 'unknown_delivery', `nenhuma entrega do relatório ${key.reportId} para "${recipient}"`);
  if (!Number.isSafeInteger(key.reportId) || key.reportId < 1) throw unknown;
  const params = { report: key.reportId, recipient };
  await withConnection(db, (c) =>
    inTransaction(c, async () => {
      const [row] = (await c.runAndReadAll(
        // Removed, or gone altogether: drain() would not send it either.
        `SELECT d.status, d.attempts, r.email IS NULL OR r.removed_at IS NOT NULL AS removed
         FROM deliveries d LEFT JOIN recipients r ON r.email = d.recipient WHERE d.report_id = $report AND d.recipient = $recipient`,
        params,
      )).getRowObjectsJS();
      if (!row) throw unknown;
      if (row.status !== 'failed') {
        throw new AccessError(409, 'delivery_not_failed', `a entrega do relatório ${key.reportId} para "${recipient}" está ${String(row.status)}, não failed: nada a tentar de novo`);
      }
      if (row.removed === true) throw new AccessError(409, 'recipient_removed', `"${recipient}" não é mais destinatário dos relatórios: a entrega não é tentada de novo`);
      await c.run(
        `UPDATE deliveries SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = $now::TIMESTAMPTZ
         WHERE report_id = $report AND recipient = $recipient AND status = 'failed'`,
        { ...params, now: new Date(now).toISOString() },
      );
      await appendAudit(c, caller, { action: 'report.delivery_retry', target: recipient, detail: { report_id: key.reportId, attempts: Number(row.attempts) } });
    }),
  );
  return (await listDeliveries(db, key.reportId)).find((d) => d.recipient === recipient)!;
}

/**
 * The delivery outbox (DESIGN.md §3). Each (report, recipient) is a row; `drain` sends the due
 * ones, one SMTP transaction each, retrying failures with exponential backoff and jitter until
 * maxAttempts, then marks them failed with the last error. A due delivery whose recipient was
 * removed since it was queued is not sent: it is marked failed (counted as failed) with the reason.
 *
 * Guarantee: at-least-once, with the duplicate recognisable. Before the SMTP send the row is
 * committed as 'sending' with its attempt counted; after the server accepts, it is committed as
 * 'sent'. A 'sent' row is never sent again. If the process dies between the server's acceptance
 * and the 'sent' commit, the row is still 'sending' at the next start, and it is sent again with
 * the same Message-ID (fixed per report and recipient), which mail systems use to drop the
 * duplicate. We chose this over at-most-once because a lost weekly report is worse than a second
 * copy that carries the same Message-ID.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { db, transport, from, company, clock = Date.now, random = Math.random, logger = quietLogger } = options;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const readMetric = options.readMetric ?? createMetricReader(db);
  let running: Promise<DrainResult> | undefined;

  async function exec(sql: string, params: Record<string, string | number | null>): Promise<void> {
    const c = await db.connect();
    try {
      await c.run(sql, params);
    } finally {
      c.closeSync();
    }
  }

  async function enqueue(reportId: number): Promise<number> {
    const c = await db.connect();
    try {
      const recipients = (await c.runAndReadAll('SELECT email FROM recipients WHERE removed_at IS NULL ORDER BY email')).getRows().map((r) => String(r[0]));
      let added = 0;
      for (const recipient of recipients) {
        const rows = (await c.runAndReadAll(
          `INSERT INTO deliveries (report_id, recipient, status, next_attempt_at, message_id, created_at)
           VALUES ($report, $recipient, 'pending', $now::TIMESTAMPTZ, $messageId, $now::TIMESTAMPTZ)
           ON CONFLICT (report_id, recipient) DO NOTHING RETURNING recipient`,
          { report: reportId, recipient, now: new Date(clock()).toISOString(), messageId: getDeliveryMessageId(reportId, recipient, from) },
        )).getRows();
        added += rows.length;
      }
      logger.info('deliveries_enqueued', { report_id: reportId, added });
      return added;
    } finally {
      c.closeSync();
    }
  }

  /** Only the due rows are read: the drain runs every 30 s and the table keeps every delivery ever made. */
  const dueDeliveries = (now: number) =>
    selectDeliveries(db, "status IN ('pending', 'sending') AND next_attempt_at <= $now::TIMESTAMPTZ", 'next_attempt_at, report_id, recipient', {
      now: new Date(now).toISOString(),
    });

  /**
   * A due delivery whose address is no longer an active recipient (removed since it was queued, or
   * gone) is not sent: failed, attempts unchanged, its last error the code RECIPIENT_REMOVED (the
   * Relatórios page says it in the reader's language). False when the recipient is active.
   */
  async function cancelIfRecipientRemoved(d: Delivery): Promise<boolean> {
    const c = await db.connect();
    try {
      const cancelled = (await c.runAndReadAll(
        `UPDATE deliveries SET status = 'failed', last_error = $reason, next_attempt_at = $now::TIMESTAMPTZ
         WHERE report_id = $report AND recipient = $recipient AND status IN ('pending', 'sending')
           AND recipient NOT IN (SELECT email FROM recipients WHERE removed_at IS NULL)
         RETURNING recipient`,
        { report: d.reportId, recipient: d.recipient, reason: RECIPIENT_REMOVED, now: new Date(clock()).toISOString() },
      )).getRows();
      return cancelled.length > 0;
    } finally {
      c.closeSync();
    }
  }

  async function deliver(d: Delivery, mails: Map<number, Promise<(to: string) => ReportMail>>): Promise<'sent' | 'retrying' | 'failed'> {
    const key = { report: d.reportId, recipient: d.recipient };
    // Checked per delivery, just before its send: a recipient removed while earlier ones were being sent is skipped too.
    if (await cancelIfRecipientRemoved(d)) {
      logger.warn('delivery_cancelled', { ...key, reason: 'recipient_removed' });
      return 'failed';
    }
    if (d.status === 'sending') logger.warn('delivery_resumed', { ...key, message_id: d.messageId, note: 'interrupted after the send began; sent again with the same Message-ID' });
    const attempts = d.attempts + 1;
    try {
      if (!mails.has(d.reportId)) mails.set(d.reportId, prepareMail(d.reportId));
      const mail = (await mails.get(d.reportId)!)(d.recipient);
      await exec(`UPDATE deliveries SET status = 'sending', attempts = $attempts WHERE report_id = $report AND recipient = $recipient`, { ...key, attempts });
      await transport.sendMail({ ...mail, messageId: d.messageId });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const final = attempts >= maxAttempts || isPermanent(error);
      const next = final ? clock() : clock() + getBackoffDelay(attempts, backoff, random);
      await exec(
        `UPDATE deliveries SET status = $status, attempts = $attempts, last_error = $error, next_attempt_at = $next::TIMESTAMPTZ
         WHERE report_id = $report AND recipient = $recipient`,
        { ...key, status: final ? 'failed' : 'pending', attempts, error: message.slice(0, 1000), next: new Date(next).toISOString() },
      );
      logger[final ? 'error' : 'warn'](final ? 'delivery_failed' : 'delivery_retry', { ...key, attempts, error: message, next_attempt_at: new Date(next).toISOString() });
      return final ? 'failed' : 'retrying';
    }
    await exec(`UPDATE deliveries SET status = 'sent', sent_at = $now::TIMESTAMPTZ, last_error = NULL WHERE report_id = $report AND recipient = $recipient`, {
      ...key,
      now: new Date(clock()).toISOString(),
    });
    logger.info('delivery_sent', { ...key, attempts, message_id: d.messageId });
    return 'sent';
  }

  async function prepareMail(reportId: number): Promise<(to: string) => ReportMail> {
    const report = await getReport(db, reportId);
    if (!report) throw new Error(`report ${reportId} not found`);
    const summary = await getWeeklySummary(readMetric, report);
    return (to) => composeReportMail(report, summary, to, from, company);
  }

  async function drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, retrying: 0, failed: 0 };
    const mails = new Map<number, Promise<(to: string) => ReportMail>>();
    for (const d of await dueDeliveries(clock())) {
      const outcome = await deliver(d, mails);
      result[outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'retrying']++;
    }
    return result;
  }

  return {
    enqueue,
    listDeliveries: (reportId) => listDeliveries(db, reportId),
    drain() {
      running ??= drainOnce().finally(() => (running = undefined));
      return running;
    },
  };
}
