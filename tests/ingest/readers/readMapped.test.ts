import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { IngestInputError, ingestFiles } from '../../../src/ingest/ingestFile.js';
import { type CsvRow, CsvParser, loadMapping, MappingError, parseMapping, readWithMapping } from '../../../src/ingest/readers/readMapped.js';
import '../../../src/ingest/readers/registerReaders.js';
import { SERVICENOW_MAPPING_PATH } from '../../../src/ingest/readers/readServiceNow.js';
import type { RawRecord } from '../../../src/ingest/types.js';
import { FIXTURES, freshDatabase, query, tempDir } from '../helpers.js';

const DIR = join(FIXTURES, 'mapped');
const CSV = join(DIR, 'helpdesk.csv');
const MAPPING = join(DIR, 'helpdesk.mapping.json');

function parseAll(text: string, chunkSize = text.length || 1): Omit<CsvRow, never>[] {
  const parser = new CsvParser();
  const rows: CsvRow[] = [];
  for (let i = 0; i < text.length; i += chunkSize) rows.push(...parser.push(text.slice(i, i + chunkSize)));
  rows.push(...parser.end());
  return rows;
}

describe('CsvParser', () => {
  test.each([
    ['plain rows, last without a line break', 'a,b\n1,2', [{ line: 1, text: 'a,b', fields: ['a', 'b'] }, { line: 2, text: '1,2', fields: ['1', '2'] }]],
    ['CRLF endings', 'a,b\r\n1,2\r\n', [{ line: 1, text: 'a,b', fields: ['a', 'b'] }, { line: 2, text: '1,2', fields: ['1', '2'] }]],
    ['a quoted comma and an escaped quote', '"x, y","say ""hi"""\n', [{ line: 1, text: '"x, y","say ""hi"""', fields: ['x, y', 'say "hi"'] }]],
    ['a line break inside quotes; the next row starts two lines down', '"a\nb",c\nd,e\n', [
      { line: 1, text: '"a\nb",c', fields: ['a\nb', 'c'] },
      { line: 3, text: 'd,e', fields: ['d', 'e'] },
    ]],
    ['CRLF inside quotes is kept', '"a\r\nb"\r\n', [{ line: 1, text: '"a\r\nb"', fields: ['a\r\nb'] }]],
    ['empty fields, a trailing delimiter', ',,\n"",x,\n', [{ line: 1, text: ',,', fields: ['', '', ''] }, { line: 2, text: '"",x,', fields: ['', 'x', ''] }]],
    ['blank lines are skipped but counted', 'a\n\n\r\nb\n', [{ line: 1, text: 'a', fields: ['a'] }, { line: 4, text: 'b', fields: ['b'] }]],
    ['a quote inside an unquoted field is text', 'a"b,c\n', [{ line: 1, text: 'a"b,c', fields: ['a"b', 'c'] }]],
  ])('%s', (_, text, expected) => {
    expect(parseAll(text)).toEqual(expected);
    // The same rows whatever the chunking: one character at a time, and in threes.
    expect(parseAll(text, 1)).toEqual(expected);
    expect(parseAll(text, 3)).toEqual(expected);
  });

  test('text after a closing quote and a quote never closed are errors on their row', () => {
    expect(parseAll('"a"b,c\nd\n')).toEqual([
      { line: 1, text: '"a"b,c', fields: ['ab', 'c'], error: 'line 1: text after a closing quote' },
      { line: 2, text: 'd', fields: ['d'] },
    ]);
    expect(parseAll('a\n"open,\nstill\n')).toEqual([
      { line: 1, text: 'a', fields: ['a'] },
      { line: 2, text: '"open,\nstill\n', fields: ['open,\nstill\n'], error: 'line 2: a quoted field is not closed before the end of the file' },
    ]);
  });

  test('the fixture parses alike in every chunking', () => {
    const text = readFileSync(CSV, 'utf8').slice(1); // without its BOM
    const whole = parseAll(text);
    expect(whole).toHaveLength(11); // the header and 10 rows; the blank line 11 is skipped
    for (const size of [1, 2, 5, 17, 64]) expect(parseAll(text, size)).toEqual(whole);
  });
});

describe('the mapping file', () => {
  test('a bad mapping lists every problem by path', () => {
    const { value, errors } = parseMapping(readFileSync(join(DIR, 'bad.mapping.json'), 'utf8'));
    expect(value).toBeUndefined();
    expect(errors).toEqual([
      'delimiter: expected one character, like "," or ";"',
      'timezone: expected an IANA time zone like "America/Sao_Paulo"',
      'timeFormat: expected "ISO" or a pattern like "DD-MM-YYYY HH:mm" (tokens YYYY MM DD HH mm, optional ss SSS)',
      'columns.ticket: expected a column name',
      'columns.status: expected a column name',
      'columns: Unrecognized key: "clientt"',
      'id: expected {"column": …} or {"columns": […]}',
      'values.status.Aberto: expected one of novo, em_atendimento, aguardando_cliente, resolvido, fechado (got "aberto")',
      'values.severity.P1: expected one of urgente, alta, media, baixa (got "critica")',
      'passThrough.0: expected status, severity, category',
      'closedReason.otherwise: Invalid option: expected one of "approved"|"auto"|"manual"',
      '(root): Unrecognized key: "sheet"',
    ]);
  });

  test('rules across fields are checked once the shape is right', () => {
    const { errors } = parseMapping(
      JSON.stringify({
        columns: { ticket: 't', at: 'a', status: 's' },
        id: { columns: ['t', 'n'] },
        values: { status: { Open: 'novo', OPEN: 'em_atendimento' } },
        extra: ['category', 'notes'],
      }),
    );
    expect(errors).toEqual([
      'columns.severity: ticket.opened needs a severity: name its column or set defaults.severity',
      'columns.client: ticket.opened needs a client: name its column or set defaults.client',
      'extra.category: "category" is a canonical field; give it another name, e.g. {"source_category": "category"}',
      'values.status.OPEN: same value as "Open" (case and accents are ignored) but mapped differently',
    ]);
  });

  test('not JSON, or not there', () => {
    expect(parseMapping('{"columns": ').errors[0]).toMatch(/^\(file\): not valid JSON/);
    expect(() => loadMapping(join(DIR, 'missing.json'))).toThrow(MappingError);
    expect(() => loadMapping(join(DIR, 'missing.json'))).toThrow(/cannot read the file: ENOENT/);
  });

  test('the shipped ServiceNow mapping is valid', () => {
    expect(loadMapping(SERVICENOW_MAPPING_PATH).columns.ticket).toBe('number');
  });
});

describe('a helpdesk CSV through its mapping', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.close());

  test('every row yields its events and at most one reject naming the column', async () => {
    expect(readFileSync(CSV, 'utf8')).toContain('\r\n'); // the fixture's CRLF endings are part of the test
    const result = await ingestFiles(db, [CSV], { format: 'mapped', mapping: MAPPING, source: 'helpdesk' });
    // 10 data rows on lines 2–13 (the quoted cell on line 3 goes on to line 4; line 11 is blank) give 19 records:
    // T-1, 4 rows: opened + 4 status + assigned (Bruno) + severity_changed (P3→P2) + categorized = 8;
    // T-2, 4 rows: opened + 2 status + assigned (Carla) + categorized = 5, and its 2 other rows rejected;
    // T-3, 2 rows: opened + status = 2, a reject for the first row's category, the second row rejected.
    // Accepted 15, rejected 4: every row has its events, or one reject, or both (never more than one).
    expect(result).toMatchObject({ read: 19, accepted: 15, duplicates: 0, rejected: 4, tickets: 3 });

    const events = await query(
      db,
      `SELECT id, ticket, strftime(occurred_at, '%Y-%m-%dT%H:%MZ') AS at, type, status, severity, client, requester, analyst,
              category, extra FROM events ORDER BY ticket, occurred_at, id`,
    );
    const t1 = events.filter((e) => e.ticket === 'T-1');
    // Rows are sorted by "evento", so the row of line 5 (evento 2) comes before that of lines 3–4 (evento 3).
    expect(t1.map((e) => [e.id, e.at, e.type, e.status ?? e.severity ?? e.analyst ?? e.category])).toEqual([
      ['1', '2026-03-02T11:05Z', 'ticket.status_changed', 'novo'],
      ['T-1:opened', '2026-03-02T11:05Z', 'ticket.opened', 'media'],
      ['2', '2026-03-02T11:30Z', 'ticket.status_changed', 'em_atendimento'],
      ['2:assigned', '2026-03-02T11:30Z', 'ticket.assigned', 'Bruno'],
      ['3', '2026-03-02T12:10Z', 'ticket.status_changed', 'aguardando_cliente'],
      ['3:severity', '2026-03-02T12:10Z', 'ticket.severity_changed', 'alta'],
      ['4', '2026-03-02T14:00Z', 'ticket.status_changed', 'resolvido'],
      ['4:category', '2026-03-02T14:00Z', 'ticket.categorized', 'duvida_explicita'],
    ]);
    // Quotes, a comma and a line break inside cells survive; "assunto" is kept in extra.
    const opened = t1.find((e) => e.type === 'ticket.opened')!;
    expect(opened).toMatchObject({ client: 'Acme, Ltda', requester: 'ana@acme.com.br' });
    expect(JSON.parse(opened.extra as string)).toEqual({ assunto: 'Impressora "HP" não imprime' });
    expect(JSON.parse(t1.find((e) => e.id === '3')!.extra as string)).toEqual({ assunto: 'Pedi o modelo.\nCliente vai responder' });
    expect(events.filter((e) => e.ticket === 'T-2').map((e) => e.id)).toEqual(['10', 'T-2:opened', '13', '13:assigned', '13:category']);
    expect(events.find((e) => e.id === 'T-3:opened')).toMatchObject({ severity: 'baixa', client: 'Initech', requester: null });

    const rejects = await query(db, 'SELECT position, reason, message, raw FROM rejects ORDER BY position');
    expect(rejects).toEqual([
      {
        position: '8',
        reason: 'unknown_status',
        message: 'situacao: "Escalado" has no mapping in values.status (mapped: Aberto, Em andamento, Aguardando cliente, Resolvido, Fechado)',
        raw: 'T-2,11,03/03/2026 14:20,Escalado,P1,Globex,joao@globex.com,Carla,,',
      },
      {
        position: '9',
        reason: 'invalid_timestamp',
        message: 'quando: "31/02/2026 15:00" is not a real date or time',
        raw: 'T-2,12,31/02/2026 15:00,Em andamento,P1,Globex,joao@globex.com,Carla,,',
      },
      {
        // The row's opened and status events were accepted; only its category could not be mapped.
        position: '12',
        reason: 'unknown_category',
        message: `categoria: "Hardware" is not one of Prazo's category values and has no mapping in values.category`,
        raw: 'T-3,20,04/03/2026 10:00,Aberto,P4,Initech,,,"Senha, de novo",Hardware',
      },
      { position: '13', reason: 'invalid_csv', message: 'expected 10 fields as in the header, got 4', raw: 'T-3,21,04/03/2026 10:30,Em andamento' },
    ]);
  });

  test('importing it again adds nothing', async () => {
    const again = await ingestFiles(db, [CSV], { format: 'mapped', mapping: MAPPING, source: 'helpdesk' });
    expect(again).toMatchObject({ read: 19, accepted: 0, duplicates: 15, rejected: 4, tickets: 3 });
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM events')).toEqual([{ n: 15 }]);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM rejects')).toEqual([{ n: 4 }]);
  });

  test('a mapping naming columns the file lacks stops the import, listing each', async () => {
    const dir = tempDir();
    const mapping = join(dir, 'm.json');
    const text = readFileSync(MAPPING, 'utf8').replace('"quando"', '"data"').replace('"evento"', '"id_evento"').replace('"evento"', '"seq"');
    writeFileSync(mapping, text);
    const run = ingestFiles(db, [CSV], { format: 'mapped', mapping, source: 'helpdesk' });
    await expect(run).rejects.toThrow(IngestInputError);
    await expect(ingestFiles(db, [CSV], { format: 'mapped', mapping, source: 'helpdesk' })).rejects.toThrow(
      [
        `mapping ${mapping} is invalid:`,
        '  - columns.at: no column "data" in the header of the file',
        '  - id.column: no column "id_evento" in the header of the file',
        '  - order.0: no column "seq" in the header of the file',
        '  - (the header has: chamado, evento, quando, situacao, prioridade, cliente, solicitante, tecnico, assunto, categoria)',
      ].join('\n'),
    );
    await expect(ingestFiles(db, [CSV], { format: 'mapped', source: 'helpdesk' })).rejects.toThrow(/needs a column mapping file/);
    await expect(ingestFiles(db, [CSV], { format: 'mapped', mapping: join(DIR, 'bad.mapping.json') })).rejects.toThrow(
      /timezone: expected an IANA time zone[^]*\(root\): Unrecognized key: "sheet"/,
    );
  });
});

describe('the source of a mapped import', () => {
  async function sourcesOf(mapping: string) {
    const db = await freshDatabase();
    try {
      await ingestFiles(db, [CSV], { format: 'mapped', mapping });
      return {
        events: await query(db, 'SELECT DISTINCT source FROM events'),
        runs: await query(db, 'SELECT source, format FROM ingest_runs'),
        sources: await query(db, 'SELECT name, kind FROM sources'),
      };
    } finally {
      db.close();
    }
  }

  test('without --source it is the mapping\'s name', async () => {
    const mapping = join(tempDir(), 'export.json');
    writeFileSync(mapping, JSON.stringify({ name: 'intranet', ...JSON.parse(readFileSync(MAPPING, 'utf8')) }));
    expect(await sourcesOf(mapping)).toEqual({
      events: [{ source: 'intranet' }],
      runs: [{ source: 'intranet', format: 'mapped' }],
      sources: [{ name: 'intranet', kind: 'mapped' }],
    });
  });

  test('else the mapping file\'s name without .mapping.json or .json', async () => {
    expect((await sourcesOf(MAPPING)).events).toEqual([{ source: 'helpdesk' }]);
    const plain = join(tempDir(), 'glpi-export.json');
    writeFileSync(plain, readFileSync(MAPPING, 'utf8'));
    expect((await sourcesOf(plain)).events).toEqual([{ source: 'glpi-export' }]);
  });

  test('a name that is no plain identifier is refused with the mapping\'s other problems', () => {
    const raw = JSON.parse(readFileSync(MAPPING, 'utf8'));
    expect(parseMapping(JSON.stringify({ ...raw, name: 'meu helpdesk' })).errors).toEqual(['name: expected 1–64 letters, digits, ".", "_" or "-"']);
  });

  test('the shipped ServiceNow mapping names its source, so --format mapped with it matches --format servicenow', () => {
    expect(loadMapping(SERVICENOW_MAPPING_PATH).name).toBe('servicenow');
  });
});

describe('times', () => {
  const header = 'ticket,n,at,status\n';
  const mapping = (extra: object = {}) =>
    loadMappingText({ columns: { ticket: 'ticket', at: 'at', status: 'status' }, id: { columns: ['ticket', 'n'] }, passThrough: ['status'], defaults: { severity: 'media', client: 'C' }, ...extra });

  async function read(rows: string[], map: ReturnType<typeof mapping>, timezone?: string): Promise<RawRecord[]> {
    const file = join(tempDir(), 'times.csv');
    writeFileSync(file, header + rows.map((r, i) => `T-${i},${i},${r},novo`).join('\n'));
    const out: RawRecord[] = [];
    for await (const batch of readWithMapping(file, map, timezone ? { timezone } : {})) out.push(...batch);
    // One status event (or one reject) per row; tickets differ, so each row also opens its ticket.
    return out.filter((r) => r.error || (r.value as { type: string }).type === 'ticket.status_changed');
  }
  const atOf = (r: RawRecord) => r.error ?? (r.value as { at: string }).at;

  test('ISO texts: an offset is kept, a zone-less one is read in the zone, a skipped local time is refused', async () => {
    const records = await read(
      ['2026-03-02T08:05:00Z', '2026-03-02T08:05:00.250-0300', '2026-03-02 08:05', '2016-11-25T07:52', '2016-10-16 00:30', '2026-13-01 10:00'],
      mapping({ timezone: 'America/Sao_Paulo' }),
    );
    expect(records.map(atOf)).toEqual([
      '2026-03-02T08:05:00+00:00',
      '2026-03-02T08:05:00.250-03:00',
      '2026-03-02T08:05:00-03:00',
      // Brazil kept daylight saving time until 2019: late 2016 was −02:00.
      '2016-11-25T07:52:00-02:00',
      // 16 Oct 2016 began at 01:00 in São Paulo.
      { reason: 'invalid_timestamp', message: 'at: "2016-10-16 00:30" does not exist in America/Sao_Paulo (clocks moved forward); is the zone right?' },
      { reason: 'invalid_timestamp', message: 'at: "2026-13-01 10:00" is not a real date or time' },
    ]);
  });

  test('--timezone wins over the mapping; with neither, a zone-less time is refused', async () => {
    expect((await read(['02-03-2026 08:05'], mapping({ timeFormat: 'DD-MM-YYYY HH:mm', timezone: 'America/Sao_Paulo' }), 'UTC')).map(atOf)).toEqual([
      '2026-03-02T08:05:00+00:00',
    ]);
    expect((await read(['2026-03-02 08:05', 'yesterday'], mapping())).map(atOf)).toEqual([
      { reason: 'timestamp_without_zone', message: 'at: "2026-03-02 08:05" has no offset and neither the mapping nor --timezone gives a zone' },
      { reason: 'invalid_timestamp', message: 'at: expected a time like ISO (got "yesterday")' },
    ]);
  });
});

describe('tickets whose rows are not contiguous', () => {
  test('a ticket coming back later is not opened again and keeps its last analyst', async () => {
    const file = join(tempDir(), 'split.csv');
    writeFileSync(file, ['t,n,at,status,who', 'A,1,2026-03-02T08:00Z,novo,', 'A,2,2026-03-02T09:00Z,em_atendimento,Bia', 'B,1,2026-03-02T09:30Z,novo,', 'A,3,2026-03-02T10:00Z,resolvido,Bia'].join('\n'));
    const map = loadMappingText({
      columns: { ticket: 't', at: 'at', status: 'status', analyst: 'who' },
      id: { columns: ['t', 'n'] },
      passThrough: ['status'],
      defaults: { severity: 'media', client: 'C' },
    });
    const ids: string[] = [];
    for await (const batch of readWithMapping(file, map, {})) ids.push(...batch.map((r) => (r.value as { id: string }).id));
    expect(ids).toEqual(['A:opened', 'A#1', 'A#2', 'A#2:assigned', 'B:opened', 'B#1', 'A#3']);
  });
});

function loadMappingText(raw: object) {
  const { value, errors } = parseMapping(JSON.stringify(raw));
  if (!value) throw new Error(errors.join('\n'));
  return value;
}
