import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy, PolicyError } from '../../src/policy/loadPolicy.js';
import { formatDuration, parseDuration } from '../../src/policy/parseDuration.js';

const defaultText = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const edit = (change: (raw: any) => void) => {
  const raw = JSON.parse(defaultText);
  change(raw);
  return parsePolicy(JSON.stringify(raw));
};

describe('parseDuration', () => {
  test.each([
    ['30m', 1800],
    ['4h', 14400],
    ['1h30m', 5400],
    ['2d', 172800],
    ['90s', 90],
    ['1.5h', 5400],
  ])('%s is %i s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(parseDuration(formatDuration(seconds))).toBe(seconds);
  });
  test.each(['', '4', '4 horas', 'h', '-4h', '4h30', 'PT4H'])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('the default policy', () => {
  const policy = loadPolicy(DEFAULT_POLICY_PATH, {});
  test('holds the support guide table in seconds of support time', () => {
    expect(
      Object.fromEntries(Object.entries(policy.severities).map(([k, s]) => [k, [s.calendar, s.firstResponse, s.solution]])),
    ).toEqual({
      urgente: ['24x7', 30 * 60, 4 * 3600],
      alta: ['24x7', 3600, 8 * 3600],
      media: ['8x5', 2 * 3600, 24 * 3600],
      baixa: ['8x5', 4 * 3600, 48 * 3600],
    });
    expect(policy.approval).toEqual({ autoCloseAfterBusinessDays: 4, calendar: '8x5' });
  });
  test('is frozen', () => {
    expect(Object.isFrozen(policy.severities.media)).toBe(true);
  });
  test('PRAZO_POLICY names another file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prazo-policy-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, defaultText.replace('Suporte TI Exemplo', 'Outra Empresa'));
    expect(loadPolicy(undefined, { PRAZO_POLICY: file }).company).toBe('Outra Empresa');
  });
});

describe('a bad policy is refused with every problem by path', () => {
  test('a duration that is not one', () => {
    const { value, errors } = edit((p) => (p.severities.media.solution = '24 horas'));
    expect(value).toBeUndefined();
    expect(errors).toEqual(['severities.media.solution: expected a duration like "24h" (got "24 horas")']);
  });

  test('several problems at once, schema and references together', () => {
    const { errors } = edit((p) => {
      p.severities.media.solution = 24;
      p.severities.baixa.calendar = '9x5';
      p.calendars['8x5'].timezone = 'America/Chapeco';
      p.calendars['8x5'].hours.mon = ['08:00-12:00', '11:00-13:00'];
      p.calendars['8x5'].hours.tue = ['18:00-08:00'];
      p.holidays.companyClosesOn = ['carnaval'];
      p.atRiskThreshold = 75;
      p.severities.alta.solutoin = '8h';
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'severities.media.solution: expected a duration like "24h"',
        'severities.baixa.calendar: no calendar named "9x5" (known: 24x7, 8x5)',
        expect.stringMatching(/^calendars\.8x5\.timezone: expected an IANA time zone/),
        'calendars.8x5.hours.mon: windows overlap',
        expect.stringMatching(/^calendars\.8x5\.hours\.tue\.0: "18:00-08:00" ends before it starts/),
        expect.stringMatching(/^holidays\.companyClosesOn\.0: /),
        expect.stringMatching(/^atRiskThreshold: /),
        expect.stringMatching(/^severities\.alta: .*solutoin/),
      ]),
    );
    expect(errors).toHaveLength(8);
  });

  test('a calendar never open', () => {
    const { errors } = edit((p) => {
      for (const d of Object.keys(p.calendars['8x5'].hours)) p.calendars['8x5'].hours[d] = [];
    });
    expect(errors).toEqual(['calendars.8x5.hours: the calendar is never open']);
  });

  test('a severity missing', () => {
    const { errors } = edit((p) => delete p.severities.urgente);
    expect(errors).toEqual([expect.stringMatching(/^severities\.urgente: /)]);
  });

  test('the reports section: a zone that is not one; left out, the defaults', () => {
    expect(edit((p) => (p.reports.timezone = 'America/SaoPaulo')).errors).toEqual([expect.stringMatching(/^reports\.timezone: expected an IANA time zone/)]);
    expect(edit((p) => delete p.reports).value?.reports).toEqual({ schedule: '0 7 * * 1', timezone: 'America/Sao_Paulo', mailFrom: 'Prazo <prazo@localhost>', maxAttempts: 8 });
  });

  test('not JSON', () => {
    expect(parsePolicy('{ "company": ').errors[0]).toMatch(/not valid JSON/);
  });

  test('loadPolicy throws a PolicyError naming the file and each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prazo-policy-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, defaultText.replace('"solution": "24h"', '"solution": "um dia"'));
    expect(() => loadPolicy(file)).toThrow(PolicyError);
    expect(() => loadPolicy(file)).toThrow(`policy ${file} is invalid:\n  - severities.media.solution: expected a duration like "24h" (got "um dia")`);
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/cannot read the file: ENOENT/);
  });
});
