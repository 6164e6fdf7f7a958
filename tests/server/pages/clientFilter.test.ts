import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { ingestFiles } from '../../../src/ingest/ingestFile.js';
import { recomputeTickets } from '../../../src/metrics/recomputeTickets.js';
import { createApp } from '../../../src/server/createApp.js';
import { tempDir } from '../../ingest/helpers.js';
import { policy, pseudonymKey } from '../../metrics/helpers.js';
import { loginAs, readJson } from '../auth/authHelpers.js';
import { createServerFixture, NOW } from './serverFixture.js';

// The fixture's clients: Acme (A1, A2, M1), Beta (U1, U2), Gamma (B1, C1); open: M1 (Acme), U2 (Beta).
let db: Database;
let app: ReturnType<typeof createApp>;
let leadership: Record<string, string>;
/** The app's clock: the fixture's NOW, moved forward by the cache test. */
let clock = NOW;

beforeAll(async () => {
  ({ db } = await createServerFixture());
  app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(clock) });
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

const page = async (url: string) => {
  const res = await app.request(url, { headers: leadership });
  expect(res.status, url).toBe(200);
  return res.text();
};

const PAGES = ['/', '/sla', '/categorias', '/satisfacao', '/em-risco'];

/** The names the Cliente field suggests: its datalist's options. */
function suggestions(html: string): string[] {
  const list = /<datalist id="([^"]+)">([\s\S]*?)<\/datalist>/.exec(html);
  expect(html, 'the Cliente field names the datalist').toContain(`list="${list?.[1]}"`);
  return [...(list?.[2] ?? '').matchAll(/<option value="([^"]*)"><\/option>/g)].map((m) => m[1]!);
}
const clientValue = (html: string) => /<input name="client" value="([^"]*)"/.exec(html)?.[1];
const notes = (html: string) => [...html.matchAll(/<p class="bad" role="alert">([^<]*)<\/p>/g)].map((m) => m[1]);
/** The numbers under every chart ("Ver os números"). */
const numberTables = (html: string) => [...html.matchAll(/<details><summary>Ver os números<\/summary>[\s\S]*?<\/details>/g)].map((m) => m[0]);
const ticketsOf = (html: string) => [...html.matchAll(/<a href="\/tickets\/([^"]+)">/g)].map((m) => m[1]);

describe('the Cliente field of the filter forms', () => {
  test.each(PAGES)('%s suggests the known clients, most tickets first', async (url) => {
    const html = await page(url);
    expect(suggestions(html)).toEqual(['Acme', 'Beta', 'Gamma']);
    // Outside the form: a datalist submits nothing, and the severity options stay the form's only options.
    const form = /<form class="filters"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
    expect(form).not.toContain('<datalist');
  });

  // Not /satisfacao: its groups of Acme's two answers are too small to show, filtered or not (below).
  test.each(['/sla', '/', '/categorias'])('%s: "acme" and " ACMÉ " filter as "Acme", and the field shows "Acme"', async (url) => {
    const exact = await page(`${url}?client=Acme`);
    const nobody = await page(`${url}?client=Nobody`);
    expect(numberTables(exact).length).toBeGreaterThan(0);
    expect(numberTables(exact)).not.toEqual(numberTables(nobody));
    for (const typed of ['acme', ' ACMÉ ']) {
      const html = await page(`${url}?${new URLSearchParams({ client: typed })}`);
      expect(numberTables(html)).toEqual(numberTables(exact));
      expect(clientValue(html)).toBe('Acme');
      expect(notes(html)).toEqual([]);
    }
  });

  test('/satisfacao: "acme" shows "Acme" without a note; "Nobody" keeps the text with the note', async () => {
    const lower = await page('/satisfacao?client=acme');
    expect(clientValue(lower)).toBe('Acme');
    expect(notes(lower)).toEqual([]);
    const nobody = await page('/satisfacao?client=Nobody');
    expect(clientValue(nobody)).toBe('Nobody');
    expect(notes(nobody)).toEqual(['Nenhum cliente se chama “Nobody”; veja as sugestões ao digitar.']);
  });

  test('/sla: a client no name matches keeps the text, says so above the form, and shows no data', async () => {
    const html = await page('/sla?client=Nobody');
    expect(notes(html)).toEqual(['Nenhum cliente se chama “Nobody”; veja as sugestões ao digitar.']);
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('<form class="filters"'));
    expect(clientValue(html)).toBe('Nobody');
    expect(html).toContain('Sem dados no período.');
    expect(html).not.toMatch(/<a href="\/tickets\//);
    const en = await page('/sla?client=Nobody&lang=en');
    expect(notes(en)).toEqual(['No client is called “Nobody”; see the suggestions as you type.']);
  });

  test('the typed text is escaped in the note and the field', async () => {
    const html = await page(`/sla?${new URLSearchParams({ client: '<b>"x"' })}`);
    expect(html).not.toContain('<b>"x"');
    expect(notes(html)).toEqual(['Nenhum cliente se chama “&lt;b&gt;&quot;x&quot;”; veja as sugestões ao digitar.']);
    expect(clientValue(html)).toBe('&lt;b&gt;&quot;x&quot;');
  });

  test('the API stays exact: client=acme is not Acme', async () => {
    const read = async (client: string) => {
      const res = await app.request(`/api/v1/metrics/response_compliance?from=2026-03-01&to=2026-04-01&client=${client}`, { headers: leadership });
      expect(res.status).toBe(200);
      return (await readJson(res)).rows as { value: number | null }[];
    };
    const exact = await read('Acme');
    expect(exact[0]!.value).toBeCloseTo(2 / 3, 10); // A1 and M1 met, A2 missed
    expect(await read('acme')).not.toEqual(exact);
  });

  test('Em risco matches the same way, and says so when nothing matches', async () => {
    expect(ticketsOf(await page('/em-risco?client=Acme'))).toEqual(['M1']);
    const lower = await page('/em-risco?client=acme');
    expect(ticketsOf(lower)).toEqual(['M1']);
    expect(clientValue(lower)).toBe('Acme');
    expect(notes(lower)).toEqual([]);
    const nobody = await page('/em-risco?client=Nobody');
    expect(ticketsOf(nobody)).toEqual([]);
    expect(nobody).toContain('Nenhum chamado aberto.');
    expect(clientValue(nobody)).toBe('Nobody');
    expect(notes(nobody)).toEqual(['Nenhum cliente se chama “Nobody”; veja as sugestões ao digitar.']);
    expect(nobody.indexOf('role="alert"')).toBeLessThan(nobody.indexOf('<form class="filters"'));
  });

  test('a typed client is quoted as typed, $ patterns included', async () => {
    for (const typed of ['$&', '$`', "$'", '$1']) {
      const html = await page(`/sla?${new URLSearchParams({ client: typed })}`);
      const escaped = typed.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
      expect(notes(html)).toEqual([`Nenhum cliente se chama “${escaped}”; veja as sugestões ao digitar.`]);
    }
  });

  // Last: it adds tickets to the shared database.
  test('the suggestions follow a recompute that adds clients (after the version is trusted 1 s)', async () => {
    const opened = (ticket: string, client: string) =>
      `{"id":"${ticket}-o","ticket":"${ticket}","at":"2026-03-19T10:00:00-03:00","type":"ticket.opened","severity":"alta","client":"${client}","requester":"r@${ticket.toLowerCase()}.test","channel":"email"}`;
    const file = join(tempDir('prazo-clients-'), 'events.ndjson');
    writeFileSync(file, `${[opened('R1', 'Rigon Móveis ME'), opened('D1', 'Delta Ltda'), opened('D2', 'DELTA LTDA')].join('\n')}\n`);
    expect((await ingestFiles(db, [file])).rejected).toBe(0);
    await recomputeTickets(db, policy, { now: NOW, pseudonymKey });

    // Cached: the pages do not read the clients again within the second the version is trusted.
    expect(suggestions(await page('/sla'))).toEqual(['Acme', 'Beta', 'Gamma']);
    clock = NOW + 1500;
    for (const url of ['/sla', '/em-risco']) {
      expect(suggestions(await page(url))).toEqual(['Acme', 'Beta', 'Gamma', 'DELTA LTDA', 'Delta Ltda', 'Rigon Móveis ME']);
    }
    const rigon = await page(`/em-risco?${new URLSearchParams({ client: ' rigon moveis me ' })}`);
    expect(ticketsOf(rigon)).toEqual(['R1']);
    expect(clientValue(rigon)).toBe('Rigon Móveis ME');
    // Two clients spelled alike: neither is guessed.
    const delta = await page('/sla?client=delta+ltda');
    expect(clientValue(delta)).toBe('delta ltda');
    expect(notes(delta)).toEqual(['Mais de um cliente se escreve como “delta ltda”; escolha um nas sugestões ao digitar.']);
    expect(ticketsOf(await page('/em-risco?client=Delta+Ltda'))).toEqual(['D1']);
  });
});
