/**
 * Run by outbox.test.ts in its own process: drains the outbox and dies (SIGKILL) right after the
 * SMTP server accepted the first message, before the outbox could record it as sent.
 */
import nodemailer from 'nodemailer';
import { openDatabase } from '../../src/db/openDatabase.js';
import { createOutbox } from '../../src/reports/createOutbox.js';

const [dbPath, port] = process.argv.slice(2);
const db = await openDatabase(dbPath!);
const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true });
const outbox = createOutbox({
  db,
  from: 'Prazo <relatorios@prazo.test>',
  company: 'Prazo Suporte',
  transport: {
    async sendMail(mail) {
      await smtp.sendMail(mail);
      process.kill(process.pid, 'SIGKILL');
    },
  },
});
await outbox.drain();
