import { beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../src/cli.js';
import { fixtureDatabase } from './fixture.js';

let path: string;
beforeAll(async () => {
  const db = await fixtureDatabase();
  path = db.path;
  db.close(); // the CLI opens the file itself
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr };
}

describe('prazo metrics', () => {
  test('prints rows as JSON lines', async () => {
    const { code, lines } = await run('metrics', 'solution_compliance', '--from', '2026-03-01', '--to', '2026-03-21', '--by', 'week,severity', '--db', path);
    expect(code).toBe(0);
    expect(lines).toEqual([
      { week: '2026-03-02', severity: 'alta', value: 2 / 3 },
      { week: '2026-03-02', severity: 'baixa', value: 1 },
      { week: '2026-03-09', severity: 'urgente', value: 0.5 },
    ]);
  });

  test('--filter, and satisfaction suppressed for leadership (the default role) but not for a lead', async () => {
    const filtered = await run('metrics', 'tickets_opened', '--from', '2026-03-01', '--to', '2026-03-21', '--filter', 'client=Beta', '--db', path);
    expect(filtered.lines).toEqual([{ value: 2 }]);
    const asLeadership = await run('metrics', 'csat', '--from', '2026-03-01', '--to', '2026-03-21', '--db', path);
    expect(asLeadership).toMatchObject({ code: 0, lines: [] });
    expect(asLeadership.stderr).toContain('1 grupo');
    const asLead = await run('metrics', 'csat', '--from', '2026-03-01', '--to', '2026-03-21', '--role', 'lead', '--db', path);
    expect(asLead.lines).toEqual([{ value: 0.25 }]);
  });

  test('an analyst asking for csat is refused (exit 1); bad input exits 2', async () => {
    const refused = await run('metrics', 'csat', '--from', '2026-03-01', '--to', '2026-03-21', '--role', 'analyst', '--db', path);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/forbidden/);
    expect((await run('metrics', 'nope', '--from', '2026-03-01', '--to', '2026-03-21', '--db', path)).stderr).toMatch(/unknown_metric/);
    expect((await run('metrics', 'backlog', '--from', 'ontem', '--to', '2026-03-21', '--db', path)).code).toBe(2);
    expect((await run('metrics', 'backlog', '--from', '2026-03-01', '--to', '2026-03-21', '--role', 'boss', '--db', path)).code).toBe(2);
  });

  test('--list shows what the role may read', async () => {
    const analyst = await run('metrics', '--list', '--role', 'analyst');
    const names = analyst.lines.map((l) => l.name);
    expect(names).toContain('backlog');
    expect(names).not.toContain('csat');
    expect(analyst.lines.every((l) => l.satisfaction === false)).toBe(true);
    expect((await run('metrics', '--list')).lines.map((l) => l.name)).toContain('csat');
  });
});
