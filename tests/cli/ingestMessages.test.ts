import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { validateEvent } from '../../src/ingest/validateEvent.js';

const dir = mkdtempSync(join(tmpdir(), 'prazo-ingest-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a value outside a list is quoted as it was sent, accents and case included', () => {
  const result = validateEvent({ id: 'x-1', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.opened', severity: 'Gravíssima', client: 'Acme' });
  expect(result).toMatchObject({ ok: false, reason: 'unknown_severity', message: 'severity: expected one of urgente, alta, media, baixa (got "Gravíssima")' });
  const status = validateEvent({ id: 'x-2', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.status_changed', status: 'Fazendo' });
  expect(status).toMatchObject({ ok: false, reason: 'unknown_status', message: expect.stringMatching(/\(got "Fazendo"\)$/) });
});

test('prazo ingest with rejects tells, on stderr, how to list them (stdout keeps its one JSON line)', async () => {
  const file = join(dir, 'mixed.ndjson');
  writeFileSync(
    file,
    `${JSON.stringify({ id: 'm-1', ticket: 'T-1', at: '2026-03-02T11:05:00Z', type: 'ticket.assigned', analyst: 'ana' })}\nnão é json\n`,
  );
  const run = (source: string) => promisify(execFile)(process.execPath, ['bin/prazo.js', 'ingest', file, '--source', source, '--db', join(dir, `${source.length}.duckdb`)]);
  const { stdout, stderr } = await run('meu helpdesk');
  expect(JSON.parse(stdout)).toEqual({ accepted: 1, duplicates: 0, rejected: 1, tickets: 1 });
  const db = join(dir, '12.duckdb');
  expect(stderr).toContain(`prazo: 1 rejeitado(s), cada um guardado com o motivo e a posição; liste com: prazo rejects '--source=meu helpdesk' --db ${db}`);
  // The command it names works as written (the shell's words: the quoted source is one).
  const listed = await promisify(execFile)(process.execPath, ['bin/prazo.js', 'rejects', '--source=meu helpdesk', '--db', db]);
  expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).reason)).toEqual(['invalid_json']);
}, 60_000);

test('prazo ingest says when an id came back with other content (the copy kept is the first)', async () => {
  const first = join(dir, 'first.ndjson');
  const again = join(dir, 'again.ndjson');
  const event = (ticket: string) => JSON.stringify({ id: 'r-1', ticket, at: '2026-03-02T11:05:00Z', type: 'ticket.assigned', analyst: 'ana' });
  writeFileSync(first, `${event('T-1')}\n`);
  writeFileSync(again, `${event('T-2')}\n`);
  const db = join(dir, 'reuse.duckdb');
  const run = (file: string) => promisify(execFile)(process.execPath, ['bin/prazo.js', 'ingest', file, '--source', 'crm', '--db', db]);
  expect((await run(first)).stderr).not.toContain('conteúdo diferente');
  const { stdout, stderr } = await run(again);
  expect(JSON.parse(stdout)).toEqual({ accepted: 0, duplicates: 1, rejected: 0, tickets: 1 });
  expect(stderr).toContain('prazo: 1 evento(s) repetiram um id com conteúdo diferente do já guardado; valeu a primeira cópia');
}, 60_000);
