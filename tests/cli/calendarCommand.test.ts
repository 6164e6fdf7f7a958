import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/loadPolicy.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('prazo calendar', () => {
  test('duration prints {"seconds": N}', async () => {
    // Fri 2026-03-06 16:00 → Mon 09:00 São Paulo on 8x5: 1 h 30 + 1 h.
    const r = await run('calendar', 'duration', '--calendar', '8x5', '--from', '2026-03-06T19:00:00Z', '--to', '2026-03-09T12:00:00Z');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ seconds: 9000 });
  });

  test('deadline prints the instant in UTC and local time', async () => {
    const r = await run('calendar', 'deadline', '--calendar', '8x5', '--from', '2026-03-06T20:00:00Z', '--seconds', '14400');
    expect(r.json()).toEqual({ deadline: '2026-03-09T14:30:00Z', local: '2026-03-09T11:30:00-03:00' });
    const t = await run('calendar', 'deadline', '--calendar', '8x5', '--from', '2026-03-06T20:00:00Z', '--target', '4h');
    expect(t.json().deadline).toBe('2026-03-09T14:30:00Z');
  });

  test('add-days gives the approval window', async () => {
    const r = await run('calendar', 'add-days', '--calendar', '8x5', '--from', '2026-11-18T13:00:00Z', '--days', '4');
    expect(r.json()).toEqual({ at: '2026-11-25T13:00:00Z', local: '2026-11-25T10:00:00-03:00' });
  });

  test('holidays lists a year in date order', async () => {
    const r = await run('calendar', 'holidays', '--year', '2026');
    const list = r.json() as { date: string; name: string }[];
    expect(list[0]).toEqual({ date: '2026-01-01', name: 'Ano Novo', source: 'public' });
    expect(list.map((h) => h.date)).toContain('2026-11-20');
    expect(list.map((h) => h.date)).toEqual([...list.map((h) => h.date)].sort());
  });

  test('week shows each calendar day by day', async () => {
    const r = await run('calendar', 'week', '--date', '2026-11-18');
    const week = r.json();
    expect(week.week).toBe('2026-W47');
    const friday = week.calendars['8x5'].days[4];
    expect(friday).toMatchObject({ date: '2026-11-20', open: [], business_seconds: 0, holiday: 'Dia da Consciência Negra' });
    expect(week.calendars['8x5'].days[0]).toMatchObject({ open: [['08:00', '12:00'], ['13:30', '17:30']], business_seconds: 28800 });
    expect(week.calendars['24x7'].days[4]).toMatchObject({ open: [['00:00', '24:00']], business_seconds: 86400 });
  });

  test('intervals lists the open spans', async () => {
    const r = await run('calendar', 'intervals', '--calendar', '8x5', '--from', '2026-03-10T14:00:00Z', '--to', '2026-03-10T17:00:00Z');
    expect(r.json()).toEqual([
      { from: '2026-03-10T14:00:00Z', to: '2026-03-10T15:00:00Z', seconds: 3600 },
      { from: '2026-03-10T16:30:00Z', to: '2026-03-10T17:00:00Z', seconds: 1800 },
    ]);
  });
});

describe('bad arguments exit non-zero with a one-line reason', () => {
  test.each([
    [['calendar', 'duration', '--calendar', '8x5', '--from', '2026-03-06 19:00', '--to', '2026-03-09T12:00:00Z'], /^prazo: --from: expected an ISO-8601 instant with offset/],
    [['calendar', 'duration', '--calendar', '9x5', '--from', '2026-03-06T19:00:00Z', '--to', '2026-03-09T12:00:00Z'], /^prazo: --calendar: no calendar named "9x5"/],
    [['calendar', 'duration', '--from', '2026-03-06T19:00:00Z', '--to', '2026-03-09T12:00:00Z'], /^prazo: --calendar is required/],
    [['calendar', 'duration', '--calendar', '8x5', '--from', '2026-03-09T19:00:00Z', '--to', '2026-03-06T12:00:00Z'], /^prazo: --to is before --from/],
    [['calendar', 'deadline', '--calendar', '8x5', '--from', '2026-03-06T19:00:00Z', '--seconds', 'ten'], /^prazo: --seconds: expected a number/],
    [['calendar', 'deadline', '--calendar', '8x5', '--from', '2026-03-06T19:00:00Z', '--target', '4 horas'], /^prazo: --target: expected a duration/],
    [['calendar', 'holidays', '--year', '26'], /^prazo: --year: expected a year/],
    [['calendar', 'duration', '--calendr', '8x5'], /^prazo: Unknown option '--calendr'; see --help/],
    [['calendar', 'fortnight'], /^prazo: unknown calendar subcommand "fortnight"/],
    [['frobnicate'], /^prazo: unknown command "frobnicate"/],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a bad policy file lists every problem and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prazo-cli-'));
    const file = join(dir, 'policy.json');
    const raw = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, 'utf8'));
    raw.severities.media.solution = '24 horas';
    raw.severities.baixa.calendar = 'nenhum';
    writeFileSync(file, JSON.stringify(raw));
    const r = await run('calendar', 'holidays', '--policy', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('severities.media.solution: expected a duration like "24h" (got "24 horas")');
    expect(r.stderr).toContain('severities.baixa.calendar: no calendar named "nenhum"');
  });
});

test('the installed bin runs: npx prazo --help lists the commands', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/prazo.js', '--help']);
  for (const command of ['calendar duration', 'calendar deadline', 'calendar holidays', 'policy check', 'start']) {
    expect(stdout).toContain(command);
  }
});

test('the bin exits 2 on a bad argument', async () => {
  const error = await promisify(execFile)(process.execPath, ['bin/prazo.js', 'calendar', 'deadline', '--calendar', '8x5', '--from', 'ontem', '--seconds', '1']).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(error).toMatchObject({ code: 2 });
  expect((error as { stderr: string }).stderr).toMatch(/^prazo: --from: expected/);
});

test('start prints the policy and the week in pt-BR on stderr', async () => {
  const r = await run('start', '--date', '2026-11-18', '--summary-only');
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('Média       8x5        2h           24h');
  expect(r.stderr).toContain('2026-11-20 sexta-feira   fechado  (Dia da Consciência Negra)');
});
