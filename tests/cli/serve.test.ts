import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { startTestSmtp } from '../reports/smtpHelpers.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

const event = (id: string) =>
  JSON.stringify({ id, ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.opened', severity: 'alta', client: 'Acme' });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prazo-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prazo token', () => {
  test('create prints the token once, list never shows it, revoke refuses it from then on', async () => {
    const db = join(dir, 'tokens.duckdb');
    const created = await run('token', 'create', '--source', 'zammad', '--db', db);
    expect(created.code).toBe(0);
    const token = created.json();
    expect(token).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), source: 'zammad', token: expect.stringMatching(/^prazo_[0-9a-f]{16}_/) });
    expect(created.stderr).toMatch(/store this token now/);

    const signed = await run('token', 'create', '--source', 'hook', '--hmac', '--db', db);
    expect(signed.json()).toMatchObject({ source: 'hook', hmac_secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(signed.stderr).toMatch(/store this token and hmac_secret now/);

    const listed = await run('token', 'list', '--db', db);
    const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual({ id: token.id, source: 'zammad', hmac: false, created_at: expect.stringMatching(/Z$/), revoked_at: null, last_used_at: null });
    expect(listed.stdout).not.toContain(token.token.slice(24));
    expect(listed.stdout).not.toContain(signed.json().hmac_secret);

    const revoked = await run('token', 'revoke', '--id', token.id, '--db', db);
    expect(revoked.json()).toEqual({ id: token.id, source: 'zammad', revoked_at: expect.stringMatching(/Z$/), already_revoked: false });
    expect((await run('token', 'revoke', '--id', token.id, '--db', db)).json()).toMatchObject({ already_revoked: true });
    const after = (await run('token', 'list', '--db', db)).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(after.find((row) => row.id === token.id).revoked_at).toBe(revoked.json().revoked_at);

    // Creating and revoking a token are admin changes: each is in the audit log, without the secret.
    const opened = await openDatabase(db);
    try {
      const c = await opened.connect();
      const audit = (await c.runAndReadAll("SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'token.%' ORDER BY id")).getRowObjectsJS();
      c.closeSync();
      expect(audit.map((r) => [r.actor, r.action, r.target])).toEqual([
        ['system:cli', 'token.create', token.id],
        ['system:cli', 'token.create', signed.json().id],
        ['system:cli', 'token.revoke', token.id],
      ]);
      expect(JSON.stringify(audit)).not.toContain(token.token.slice(24));
    } finally {
      opened.close();
    }
  });

  test.each([
    [['token', 'create'], /^prazo: --source is required/],
    [['token', 'create', '--source', 'two words'], /^prazo: --source: expected 1–64 letters/],
    [['token', 'revoke', '--id', 'feedfacefeedface'], /^prazo: --id: no token with id "feedfacefeedface"/],
    [['token', 'rotate'], /^prazo: unknown token subcommand "rotate"/],
  ])('%j exits 2 with a one-line reason', async (argv, message) => {
    const r = await run(...argv, '--db', join(dir, 'tokens-bad.duckdb'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});

describe('prazo serve', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });

  /** The first JSON line the server prints on stdout; `logs` collects its stderr. */
  function listening(child: ChildProcess, logs = { text: '' }): Promise<{ url: string; host: string; port: number; pid: number }> {
    return new Promise((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (chunk) => (logs.text += chunk));
      child.stdout!.on('data', (chunk) => {
        text += chunk;
        const nl = text.indexOf('\n');
        if (nl !== -1) resolve(JSON.parse(text.slice(0, nl)));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${logs.text}`)));
    });
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** A POST whose body is sent in two parts, with `between` run after the first part arrived. */
  function slowPost(url: string, token: string, parts: [string, string], between: () => Promise<void>) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(parts[0]);
      req.flushHeaders();
      void between().then(() => req.end(parts[1]), reject);
    });
  }

  test('ingests over loopback, holds the lock while running, and stops cleanly on SIGTERM', async () => {
    const db = join(dir, 'served.duckdb');
    const { token } = (await run('token', 'create', '--source', 'helpdesk', '--db', db)).json();

    // The weekly report's schedule is off here: its start-up catch-up has a test of its own below.
    server = spawn(process.execPath, ['bin/prazo.js', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PRAZO_REPORT_CRON: 'off' },
    });
    const logs = { text: '' };
    const info = await listening(server, logs);
    expect(info).toMatchObject({ host: '127.0.0.1', pid: server.pid, url: `http://127.0.0.1:${info.port}` });

    const health = await fetch(`${info.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, db: 'ok', version: expect.any(String) });

    const res = await fetch(`${info.url}/api/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
      body: `${event('s-1')}\nnot json\n`,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 1, rejects: [{ line: 2, reason: 'invalid_json' }] });

    // A second process cannot open the file: the message names the server's PID.
    const file = join(dir, 'more.ndjson');
    writeFileSync(file, `${event('s-9')}\n`);
    const blocked = await promisify(execFile)(process.execPath, ['bin/prazo.js', 'ingest', file, '--db', db]).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(blocked).toMatchObject({ code: 1, stdout: '' });
    expect((blocked as { stderr: string }).stderr).toMatch(new RegExp(`^prazo: the database .* is in use by another process \\(PID ${server.pid}\\b`));

    // SIGTERM while a request is half sent: it still completes, then the process exits 0.
    const child = server;
    const inFlight = await slowPost(info.url, token, [`${event('s-2')}\n`, `${event('s-3')}\n`], async () => {
      await sleep(300);
      child.kill('SIGTERM');
      await sleep(300);
    });
    expect(inFlight.status).toBe(202);
    expect(JSON.parse(inFlight.body)).toMatchObject({ accepted: 2, rejected: 0 });

    const started = Date.now();
    expect(await exited(server)).toEqual({ code: 0, signal: null });
    // Not held up by the client's idle keep-alive connection (Node's keep-alive timeout is 5 s).
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(fetch(`${info.url}/healthz`)).rejects.toThrow();
    const events = logs.text.trim().split('\n').map((line) => JSON.parse(line) as { event: string; status?: number });
    const stopping = events.findIndex((e) => e.event === 'stopping');
    expect(stopping).toBeGreaterThan(-1);
    expect(events.slice(stopping).map((e) => e.event), JSON.stringify(events.slice(stopping))).toEqual(['stopping', 'events_ingested', 'request', 'stopped']);

    // The lock is released: the file opens again and holds what was sent.
    const reopened = await openDatabase(db);
    try {
      const c = await reopened.connect();
      try {
        const rows = (await c.runAndReadAll("SELECT id FROM events WHERE source = 'helpdesk' ORDER BY id")).getRowObjectsJson();
        expect(rows).toEqual([{ id: 's-1' }, { id: 's-2' }, { id: 's-3' }]);
        const runs = (await c.runAndReadAll("SELECT DISTINCT status FROM ingest_runs")).getRowObjectsJson();
        expect(runs).toEqual([{ status: 'done' }]);
      } finally {
        c.closeSync();
      }
    } finally {
      reopened.close();
    }
  }, 60_000);

  test('a port already taken fails with a clear message and frees the database', async () => {
    const db = join(dir, 'busy.duckdb');
    server = spawn(process.execPath, ['bin/prazo.js', 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    const info = await listening(server);
    const other = await promisify(execFile)(process.execPath, ['bin/prazo.js', 'serve', '--port', String(info.port), '--db', join(dir, 'busy2.duckdb')]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(other).toMatchObject({ code: 1 });
    expect((other as { stderr: string }).stderr).toMatch(new RegExp(`^prazo: cannot listen on 127.0.0.1:${info.port}: .*EADDRINUSE`));
    server.kill('SIGINT');
    expect(await exited(server)).toEqual({ code: 0, signal: null });
    (await openDatabase(join(dir, 'busy2.duckdb'))).close();
  }, 60_000);

  test('at start, the weekly report missed while the server was down is made once, beside the database; SIGINT still exits 0', async () => {
    const db = join(dir, 'reports', 'served.duckdb');
    const env: NodeJS.ProcessEnv = { ...process.env, PRAZO_REPORT_CRON: '0 7 * * 1', PRAZO_SMTP_URL: '' };
    delete env.PRAZO_REPORTS_DIR;
    // The catch-up job is in flight from before "listening", and a stop waits for it, so a second
    // start need not wait: a week found already made logs nothing, and waiting for a log line would
    // only run out the deadline.
    const start = async (waitForJob: boolean) => {
      const logs = { text: '' };
      server = spawn(process.execPath, ['bin/prazo.js', 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'], env });
      await listening(server, logs);
      const deadline = Date.now() + 45_000;
      while (waitForJob && !/"report_job_finished"|"report_job_failed"/.test(logs.text) && Date.now() < deadline) await sleep(100);
      server.kill('SIGINT'); // Chromium is running: Puppeteer must not turn this into exit 130
      expect(await exited(server)).toEqual({ code: 0, signal: null });
      return logs.text.trim().split('\n').map((line) => JSON.parse(line) as { event: string; created?: boolean; period?: string });
    };
    const first = await start(true);
    expect(first.filter((e) => e.event === 'report_job_failed')).toEqual([]);
    const made = first.filter((e) => e.event === 'report_generated');
    expect(made).toEqual([expect.objectContaining({ created: true, period: expect.stringMatching(/^\d{4}-W\d{2}$/) })]);
    expect(readdirSync(join(dir, 'reports', 'reports')).filter((f) => f.endsWith('.pdf'))).toHaveLength(1);

    // A second start finds that week's report and makes nothing.
    const second = await start(false);
    expect(second.filter((e) => e.event === 'report_generated' && e.created)).toEqual([]);
    expect(readdirSync(join(dir, 'reports', 'reports')).filter((f) => f.endsWith('.pdf'))).toHaveLength(1);
  }, 120_000);

  test('serve mails the caught-up report to each recipient through PRAZO_SMTP_URL, the PDF byte-identical to the archive', async () => {
    const db = join(dir, 'mailed', 'served.duckdb');
    expect((await run('recipients', 'add', 'diretoria@cliente.test', '--name', 'Diretoria', '--db', db)).code).toBe(0);
    const smtp = await startTestSmtp();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PRAZO_REPORT_CRON: '0 7 * * 1', PRAZO_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
      delete env.PRAZO_REPORTS_DIR;
      server = spawn(process.execPath, ['bin/prazo.js', 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'], env });
      const logs = { text: '' };
      await listening(server, logs);
      const deadline = Date.now() + 60_000;
      while (smtp.received.length === 0 && Date.now() < deadline) await sleep(100);
      server.kill('SIGTERM');
      expect(await exited(server)).toEqual({ code: 0, signal: null });
      expect(smtp.received.map((m) => m.to)).toEqual([['diretoria@cliente.test']]);
      const [pdf] = smtp.received[0]!.parsed.attachments;
      const archived = readdirSync(join(dir, 'mailed', 'reports')).filter((f) => f.endsWith('.pdf'));
      expect(archived).toHaveLength(1);
      expect(Buffer.compare(pdf!.content, readFileSync(join(dir, 'mailed', 'reports', archived[0]!)))).toBe(0);
    } finally {
      await smtp.close();
    }
  }, 120_000);
});
