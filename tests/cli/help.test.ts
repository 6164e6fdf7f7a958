import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMAND_HELP, HELP, main } from '../../src/cli.js';

/** `--help` on any command prints that command's help on stdout and exits 0 before anything runs. */

const dir = mkdtempSync(join(tmpdir(), 'prazo-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** The command lines `prazo --help` lists: "calendar duration", "ingest", "user add", … (placeholders like <file…> dropped). */
function listedCommands(): string[][] {
  const section = HELP.slice(HELP.indexOf('Commands:\n'), HELP.indexOf('\nCommon options:')).split('\n').slice(1);
  return section.filter((line) => line.trim() !== '').map((line) => line.trim().split(/\s{2,}/)[0]!.split(' ').filter((word) => !word.startsWith('<')));
}

/** The subcommands a command's help names in its first line: `prazo user <add|list|…>`. */
function helpSubcommands(command: string): string[][] {
  const alternatives = /^prazo \S+ <([a-z-]+(?:\|[a-z-]+)+)>/.exec(COMMAND_HELP.get(command)!)?.[1];
  return (alternatives?.split('|') ?? []).map((sub) => [command, sub]);
}

const commandLines = [
  ...listedCommands(),
  ...[...COMMAND_HELP.keys()].flatMap(helpSubcommands),
  // Bare commands whose subcommands the list names, and recipients' subcommands.
  ['calendar'],
  ['token'],
  ['user'],
  ['report'],
  ['recipients', 'add', 'ana@exemplo.com.br'],
  ['recipients', 'list'],
].filter((words, i, all) => all.findIndex((other) => other.join(' ') === words.join(' ')) === i);

/** A fresh empty folder per call: afterwards it must still be empty (no database, no reports folder). */
let folders = 0;
function emptyFolder(): string {
  const folder = join(dir, String(folders++));
  mkdirSync(folder);
  return folder;
}

describe('every command answers --help', () => {
  test('every command prazo --help lists has a help of its own, and every help is listed', () => {
    const listed = new Set(listedCommands().map(([command]) => command));
    expect([...listed].sort()).toEqual([...COMMAND_HELP.keys()].sort());
    // The list is really read: the commands the walk-through tripped on are in it.
    const lines = commandLines.map((words) => words.join(' '));
    for (const line of ['start', 'rejects', 'policy check', 'token create', 'user add', 'user revoke-token', 'report weekly', 'calendar week']) {
      expect(lines).toContain(line);
    }
  });

  test.each(commandLines.map((words) => [words.join(' '), words] as const))(
    'prazo %s --help (with --db, a missing --policy and an unknown option) prints its help and touches nothing',
    async (_, words) => {
      const folder = emptyFolder();
      const db = join(folder, 'prazo.duckdb');
      const r = await run([...words, '--help', '--db', db, '--policy', join(folder, 'missing.json'), '--no-such-option', '--port', 'abc']);
      expect(r).toEqual({ code: 0, stdout: `${COMMAND_HELP.get(words[0]!)}\n`, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^prazo ${words[0]}\\b`));
      for (const word of words.slice(1).filter((w) => !w.includes('@'))) expect(r.stdout).toContain(word);
      expect(existsSync(db)).toBe(false);
      expect(readdirSync(folder)).toEqual([]);
    },
  );

  test.each(commandLines.map((words) => [words.join(' '), words] as const))(
    'prazo %s -h at the end, with PRAZO_DB, prints its help and creates no database',
    async (_, words) => {
      const folder = emptyFolder();
      const db = join(folder, 'prazo.duckdb');
      const r = await run([...words, '--source', 'x', '-h'], { PRAZO_DB: db });
      expect(r).toEqual({ code: 0, stdout: `${COMMAND_HELP.get(words[0]!)}\n`, stderr: '' });
      expect(existsSync(db)).toBe(false);
      expect(readdirSync(folder)).toEqual([]);
    },
  );

  test('start --help does not seed the demo year into an empty database', async () => {
    const folder = emptyFolder();
    const db = join(folder, 'prazo.duckdb');
    const r = await run(['start', '--help'], { PRAZO_DB: db, PRAZO_DEMO: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^prazo start /);
    expect(r.stdout).toContain('--summary-only');
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('Banco de dados vazio');
    expect(existsSync(db)).toBe(false);
  });

  test('calendar --help exits 0 with the calendar options on stdout, as prazo --help says to run it', async () => {
    expect(HELP).toContain('prazo calendar --help');
    const r = await run(['calendar', '--help']);
    expect(r).toEqual({ code: 0, stdout: expect.stringContaining('add-days  --calendar NAME --from ISO --days N'), stderr: '' });
  });

  test('prazo help <command> prints the same help; prazo help and prazo --help the list', async () => {
    for (const command of COMMAND_HELP.keys()) expect((await run(['help', command])).stdout).toBe(`${COMMAND_HELP.get(command)}\n`);
    expect((await run(['help'])).stdout).toBe(`${HELP}\n`);
    expect(await run(['--help'])).toEqual({ code: 0, stdout: `${HELP}\n`, stderr: '' });
    // Help for a command that does not exist says so, as running it would.
    const unknown = await run(['help', 'frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  test('token and user without a subcommand print their help on stdout; calendar without one is a one-line usage error', async () => {
    expect(await run(['token'])).toEqual({ code: 0, stdout: `${COMMAND_HELP.get('token')}\n`, stderr: '' });
    expect(await run(['user'])).toEqual({ code: 0, stdout: `${COMMAND_HELP.get('user')}\n`, stderr: '' });
    const calendar = await run(['calendar']);
    expect(calendar).toMatchObject({ code: 2, stdout: '' });
    expect(calendar.stderr).toBe('prazo: which calendar subcommand? (duration, deadline, add-days, intervals, holidays, week); see prazo calendar --help\n');
  });

  test('after --, a -h is an argument (a file named --help), not a request for help', async () => {
    const folder = emptyFolder();
    const r = await run(['ingest', '--db', join(folder, 'prazo.duckdb'), '--', '--help']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^prazo: .*--help/);
  });

  test('an unknown command with --help is still an unknown command', async () => {
    const r = await run(['frobnicate', '--help']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^prazo: unknown command "frobnicate"/);
  });
});
