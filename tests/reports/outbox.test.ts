import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/openDatabase.js';
import { createOutbox, DEFAULT_BACKOFF, getBackoffDelay, type OutboxOptions, RECIPIENT_REMOVED, retryDelivery } from '../../src/reports/createOutbox.js';
import { removeRecipient } from '../../src/reports/recipients.js';
import { ADMIN, seedOutboxDb } from './outboxFixture.js';
import { getClosedPort, startTestSmtp, type TestSmtp } from './smtpHelpers.js';

const FROM = 'Prazo <relatorios@prazo.test>';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup() {
  const seeded = await seedOutboxDb();
  await removeRecipient(seeded.db, ADMIN, 'saiu@exemplo.com.br');
  cleanups.push(() => seeded.cleanup(), () => seeded.db.close());
  return seeded;
}

function transportTo(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
}

async function smtp(port?: number): Promise<TestSmtp> {
  const server = await startTestSmtp(port);
  cleanups.push(() => server.close());
  return server;
}

const base = (db: OutboxOptions['db'], port: number, clock: () => number): OutboxOptions => ({
  db, transport: transportTo(port), from: FROM, company: 'Prazo Suporte', clock, random: () => 0.5,
  backoff: { baseMs: 60_000, maxMs: 3_600_000, jitter: 0.2 }, maxAttempts: 4,
});

describe('outbox', () => {
  test('each active recipient receives the report once, the PDF byte-identical to the archive', async () => {
    const { db, report } = await setup();
    const server = await smtp();
    const outbox = createOutbox(base(db, server.port, () => T0));
    expect(await outbox.enqueue(report.id)).toBe(2);
    expect(await outbox.enqueue(report.id)).toBe(0);
    expect(await outbox.drain()).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });

    expect(server.received.map((m) => m.to).sort()).toEqual([['diretora@exemplo.com.br'], ['gerente@exemplo.com.br']]);
    const archived = readFileSync(report.path);
    const deliveries = await outbox.listDeliveries(report.id);
    for (const mail of server.received) {
      const [attachment] = mail.parsed.attachments;
      expect(attachment!.filename).toBe('weekly-2026-W47.pdf');
      expect(attachment!.contentType).toBe('application/pdf');
      expect(Buffer.compare(attachment!.content, archived)).toBe(0);
      expect(mail.parsed.subject).toBe('Relatório semanal de SLA — 2026-W47 (16/11/2026 a 22/11/2026)');
      expect(mail.parsed.text).toContain('Segue em anexo o relatório semanal de SLA de Prazo Suporte');
      expect(mail.parsed.text).toContain('Violações de SLA: 0');
      expect(deliveries.find((d) => d.recipient === mail.to[0])!.messageId).toBe(mail.parsed.messageId);
    }
    expect(deliveries.map((d) => [d.recipient, d.status, d.attempts])).toEqual([
      ['diretora@exemplo.com.br', 'sent', 1],
      ['gerente@exemplo.com.br', 'sent', 1],
    ]);
  });

  test('SMTP refusing connections, then answering 451, then up: retried with backoff, each sent once', async () => {
    const { db, report } = await setup();
    const port = await getClosedPort();
    let now = T0;
    const outbox = createOutbox(base(db, port, () => now));
    await outbox.enqueue(report.id);

    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 2, failed: 0 });
    let rows = await outbox.listDeliveries(report.id);
    expect(rows.every((d) => d.status === 'pending' && d.attempts === 1 && /ECONNREFUSED/.test(d.lastError ?? ''))).toBe(true);
    expect(Date.parse(rows[0]!.nextAttemptAt) - T0).toBe(60_000); // base delay, jitter centred by random() = 0.5

    const server = await smtp(port);
    server.refuseNext(2, 451);
    now += 30_000; // not due yet
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    now += 30_000;
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 2, failed: 0 });
    rows = await outbox.listDeliveries(report.id);
    expect(rows.every((d) => d.attempts === 2 && /451/.test(d.lastError ?? ''))).toBe(true);
    expect(Date.parse(rows[0]!.nextAttemptAt) - now).toBe(120_000); // doubled

    now += 120_000;
    expect(await outbox.drain()).toEqual({ sent: 2, retrying: 0, failed: 0 });
    now += 3_600_000;
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(server.received).toHaveLength(2);
    expect(new Set(server.received.map((m) => m.to[0])).size).toBe(2);
    rows = await outbox.listDeliveries(report.id);
    expect(rows.map((d) => [d.status, d.attempts, d.lastError])).toEqual([['sent', 3, null], ['sent', 3, null]]);
  });

  test('gives up after maxAttempts and keeps the last error; a 5xx fails at once', async () => {
    const { db, report } = await setup();
    const server = await smtp();
    let now = T0;
    const outbox = createOutbox({ ...base(db, server.port, () => now), maxAttempts: 3 });
    await outbox.enqueue(report.id);
    server.refuseNext(1, 550); // the first delivery (diretora@) is refused for good
    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    const failed = (await outbox.listDeliveries(report.id)).find((d) => d.status === 'failed')!;
    expect(failed).toMatchObject({ recipient: 'diretora@exemplo.com.br', attempts: 1 });
    expect(failed.lastError).toMatch(/550/);

    const down = createOutbox({ ...base(db, await getClosedPort(), () => now), maxAttempts: 3 });
    await db.connect().then(async (c) => {
      await c.run("UPDATE deliveries SET status = 'pending', attempts = 0, last_error = NULL");
      c.closeSync();
    });
    for (let i = 0; i < 5; i++) {
      await down.drain();
      now += 10 * 3_600_000;
    }
    const rows = await down.listDeliveries(report.id);
    expect(rows.map((d) => [d.status, d.attempts])).toEqual([['failed', 3], ['failed', 3]]);
    expect(rows[0]!.lastError).toMatch(/ECONNREFUSED/);
  });

  test('killed between the SMTP acceptance and recording it: sent again with the same Message-ID (at-least-once)', async () => {
    const { db, report, dbPath } = await setup();
    const server = await smtp();
    await createOutbox(base(db, server.port, () => T0)).enqueue(report.id);
    db.close();

    // Asynchronous: the SMTP server answering the child runs in this process.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'outboxCrashChild.ts'), dbPath, String(server.port)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(server.received).toHaveLength(1);
    const firstId = server.received[0]!.parsed.messageId;

    const reopened = await openDatabase(dbPath);
    cleanups.push(() => reopened.close());
    const outbox = createOutbox(base(reopened, server.port, () => T0 + 60_000));
    const before = await outbox.listDeliveries(report.id);
    expect(before.map((d) => [d.recipient, d.status, d.attempts])).toEqual([
      ['diretora@exemplo.com.br', 'sending', 1],
      ['gerente@exemplo.com.br', 'pending', 0],
    ]);
    expect(await outbox.drain()).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });

    const toDiretora = server.received.filter((m) => m.to[0] === 'diretora@exemplo.com.br');
    expect(toDiretora).toHaveLength(2);
    expect(toDiretora.map((m) => m.parsed.messageId)).toEqual([firstId, firstId]);
    expect(server.received.filter((m) => m.to[0] === 'gerente@exemplo.com.br')).toHaveLength(1);
    expect(new Set(server.received.map((m) => m.parsed.messageId)).size).toBe(2);
    expect((await outbox.listDeliveries(report.id)).map((d) => [d.status, d.attempts])).toEqual([['sent', 2], ['sent', 1]]);
  });

  test('retryDelivery puts only a failed delivery back: full attempts again, due now, same Message-ID; anything else is refused', async () => {
    const { db, report } = await setup();
    const server = await smtp();
    let now = T0;
    const outbox = createOutbox({ ...base(db, server.port, () => now), maxAttempts: 3 });
    await outbox.enqueue(report.id);
    server.refuseNext(1, 550);
    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    const [failed, sent] = await outbox.listDeliveries(report.id);
    expect([failed!.status, sent!.status]).toEqual(['failed', 'sent']);
    const key = (d: typeof failed) => ({ reportId: report.id, recipient: d!.recipient });
    const refusal = (call: Promise<unknown>) => call.then(() => 'accepted', (e: { status: number; code: string }) => `${e.status} ${e.code}`);

    for (const role of ['analyst', 'lead'] as const) {
      expect(await refusal(retryDelivery(db, { role, actor: role }, key(failed), now))).toBe('403 forbidden');
    }
    expect(await refusal(retryDelivery(db, ADMIN, key(sent), now))).toBe('409 delivery_not_failed');
    expect(await refusal(retryDelivery(db, ADMIN, { reportId: report.id + 1, recipient: failed!.recipient }, now))).toBe('404 unknown_delivery');
    expect(await outbox.listDeliveries(report.id)).toEqual([failed, sent]);

    now += 60_000;
    const retried = await retryDelivery(db, ADMIN, { reportId: report.id, recipient: ' Diretora@Exemplo.com.br ' }, now);
    expect(retried).toEqual({ ...failed, status: 'pending', attempts: 0, lastError: null, nextAttemptAt: new Date(now).toISOString() });
    expect(await refusal(retryDelivery(db, ADMIN, key(failed), now))).toBe('409 delivery_not_failed'); // already queued

    // The count starts over: two 451s and the third attempt succeeds (without the reset, the second 451 would be the last).
    server.refuseNext(2, 451);
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    now += 3_600_000;
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    await db.connect().then(async (c) => {
      await c.run(`UPDATE deliveries SET status = 'sending' WHERE recipient = 'diretora@exemplo.com.br'`);
      c.closeSync();
    });
    expect(await refusal(retryDelivery(db, ADMIN, key(failed), now))).toBe('409 delivery_not_failed'); // sending: in the outbox's hands
    now += 3_600_000;
    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(server.received.map((m) => [m.to[0], m.parsed.messageId])).toEqual([
      ['gerente@exemplo.com.br', sent!.messageId],
      ['diretora@exemplo.com.br', failed!.messageId],
    ]);
    expect((await outbox.listDeliveries(report.id)).map((d) => [d.status, d.attempts])).toEqual([['sent', 3], ['sent', 1]]);
  });

  test('a delivery queued before its recipient was removed is not sent: failed, with the reason, and not retryable', async () => {
    const { db, report } = await setup();
    const server = await smtp();
    const outbox = createOutbox(base(db, server.port, () => T0));
    expect(await outbox.enqueue(report.id)).toBe(2);
    expect(await removeRecipient(db, ADMIN, 'gerente@exemplo.com.br')).toBe(true);

    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(server.received.map((m) => m.to)).toEqual([['diretora@exemplo.com.br']]);
    const reason = RECIPIENT_REMOVED;
    expect((await outbox.listDeliveries(report.id)).map((d) => [d.recipient, d.status, d.attempts, d.lastError, d.sentAt])).toEqual([
      ['diretora@exemplo.com.br', 'sent', 1, null, expect.any(String)],
      ['gerente@exemplo.com.br', 'failed', 0, reason, null],
    ]);
    const refusal = await retryDelivery(db, ADMIN, { reportId: report.id, recipient: 'gerente@exemplo.com.br' }, T0).catch((e: { status: number; code: string }) => `${e.status} ${e.code}`);
    expect(refusal).toBe('409 recipient_removed');
  });

  test('a recipient removed while the drain is sending to others is skipped too, even a delivery interrupted mid-send', async () => {
    const { db, report } = await setup();
    const server = await smtp();
    const smtpTransport = transportTo(server.port);
    let removed = false;
    // The real SMTP transport; the first send also removes gerente@, whose delivery is due after diretora@'s.
    const transport = {
      async sendMail(mail: Parameters<typeof smtpTransport.sendMail>[0]) {
        if (!removed) removed = await removeRecipient(db, ADMIN, 'gerente@exemplo.com.br');
        return smtpTransport.sendMail(mail);
      },
    };
    const outbox = createOutbox({ ...base(db, server.port, () => T0), transport });
    await outbox.enqueue(report.id);
    await db.connect().then(async (c) => {
      await c.run(`UPDATE deliveries SET status = 'sending', attempts = 1 WHERE recipient = 'gerente@exemplo.com.br'`);
      c.closeSync();
    });

    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    expect(removed).toBe(true);
    expect(server.received.map((m) => m.to)).toEqual([['diretora@exemplo.com.br']]);
    const gerente = (await outbox.listDeliveries(report.id)).find((d) => d.recipient === 'gerente@exemplo.com.br')!;
    expect(gerente).toMatchObject({ status: 'failed', attempts: 1, lastError: RECIPIENT_REMOVED, sentAt: null });
  });

  test.each([
    [1, 0, 48_000],
    [1, 0.999999, 72_000],
    [2, 0.5, 120_000],
    [5, 0.5, 960_000],
    [12, 0.5, 3_600_000],
  ])('backoff after attempt %i with random %d is %i ms', (attempts, r, expected) => {
    expect(getBackoffDelay(attempts, DEFAULT_BACKOFF, () => r)).toBe(expected);
  });
});
