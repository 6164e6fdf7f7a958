import { expect, test } from 'vitest';
import { parseReportConfig } from '../../src/reports/parseReportConfig.js';
import { loadPolicy } from '../../src/policy/loadPolicy.js';

const file = { schedule: '30 6 * * 1', timezone: 'America/Sao_Paulo', mailFrom: 'Relatórios <sla@exemplo.com.br>', maxAttempts: 5 };

test('the policy file\'s reports section is the default and PRAZO_* variables override it', () => {
  expect(parseReportConfig({}, file)).toMatchObject({ cron: '30 6 * * 1', mailFrom: 'Relatórios <sla@exemplo.com.br>', maxAttempts: 5, smtpUrl: undefined });
  expect(parseReportConfig({ PRAZO_REPORT_CRON: '0 8 * * 1', PRAZO_MAIL_MAX_ATTEMPTS: '3' }, file)).toMatchObject({ cron: '0 8 * * 1', maxAttempts: 3 });
});

test('the shipped policy schedules Monday 07:00 in São Paulo', () => {
  expect(loadPolicy().reports).toEqual({ schedule: '0 7 * * 1', timezone: 'America/Sao_Paulo', mailFrom: 'Prazo <prazo@localhost>', maxAttempts: 8 });
});

test('"off" turns the schedule off; an empty PRAZO_SMTP_URL counts as unset', () => {
  expect(parseReportConfig({ PRAZO_REPORT_CRON: 'off', PRAZO_SMTP_URL: '' }, file)).toMatchObject({ cron: 'off', smtpUrl: undefined });
});

test('a bad setting fails naming where it came from', () => {
  expect(() => parseReportConfig({}, { ...file, schedule: 'toda segunda' })).toThrow(/^policy reports\.schedule: expected a cron expression/);
  expect(() => parseReportConfig({ PRAZO_REPORT_CRON: 'toda segunda' }, file)).toThrow(/^PRAZO_REPORT_CRON: /);
  expect(() => parseReportConfig({ PRAZO_REPORT_TIMEZONE: 'Brasil/Chapeco' }, file)).toThrow(/^PRAZO_REPORT_TIMEZONE: expected an IANA zone/);
  expect(() => parseReportConfig({ PRAZO_SMTP_URL: 'mail.exemplo.com' }, file)).toThrow(/^PRAZO_SMTP_URL: expected smtp:\/\//);
});

test('the archive defaults to a reports folder beside the database; PRAZO_REPORTS_DIR wins', () => {
  expect(parseReportConfig({}, file, '/srv/prazo/data/prazo.duckdb').archiveDir).toBe('/srv/prazo/data/reports');
  expect(parseReportConfig({ PRAZO_REPORTS_DIR: '/var/relatorios' }, file, '/srv/prazo/data/prazo.duckdb').archiveDir).toBe('/var/relatorios');
  expect(parseReportConfig({}, file).archiveDir).toBe('data/reports');
});
