import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Answers the next `n` DATA commands with `code` (e.g. 451) instead of accepting them. */
  refuseNext(n: number, code: number): void;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no auth) that keeps every message it accepted. */
export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  let refusalCode = 451;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (refusals > 0) {
          refusals--;
          const error = Object.assign(new Error('Serviço temporariamente indisponível'), { responseCode: refusalCode });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, parsed: await simpleParser(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    refuseNext(n, code) {
      refusals = n;
      refusalCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port with nothing listening on it (connections are refused). */
export async function getClosedPort(): Promise<number> {
  const smtp = await startTestSmtp();
  const { port } = smtp;
  await smtp.close();
  return port;
}
