import { DatabaseLockedError, openDatabase, resolveDbPath } from '../db/openDatabase.js';
import { IngestInputError, ingestFiles, markInterruptedRuns } from '../ingest/ingestFile.js';
import { FORMATS, type Format } from '../ingest/readers/index.js';
import '../ingest/readers/registerReaders.js';
import { CliError } from './CliError.js';
import { parseOptions } from './options.js';
import { createProgressReporter } from './progressReporter.js';

export const INGEST_HELP = `prazo ingest <file…> [options]

  --format F       ndjson, csv, parquet, arrow, servicenow or mapped (default: from the extension)
  --source NAME    the source the events belong to; (source, id) identifies an event (default: file;
                   servicenow for --format servicenow; for --format mapped, the mapping's "name",
                   else its file name without .json)
  --timezone ZONE  IANA zone for timestamps written without an offset (America/Sao_Paulo)
  --mapping FILE   column mapping for --format mapped (or another mapping for servicenow)
  --pausing-states "Awaiting User Info,Awaiting Vendor"
                   ServiceNow states that pause the clock (default: Awaiting User Info only)
  --db PATH        DuckDB file (or PRAZO_DB; default data/prazo.duckdb)

  Prints progress on stderr and one JSON line on stdout:
  {"accepted":N,"duplicates":N,"rejected":N,"tickets":N}. Exit 0 when the files were read, even
  with rejects (see \`prazo rejects\`); non-zero when a file could not be read at all.`;

function pausingStates(text: string | undefined, format: string | undefined) {
  if (text === undefined) return undefined;
  if (format !== 'servicenow') throw new CliError('--pausing-states applies to --format servicenow');
  const states = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (states.length === 0) throw new CliError('--pausing-states: expected state names separated by commas');
  return { pausingStates: states };
}

/** Opens the database for a CLI command, turning a lock held by a server into a clear message. */
export async function openForCli(dbOption: unknown) {
  try {
    return await openDatabase(resolveDbPath(dbOption as string | undefined));
  } catch (error) {
    if (error instanceof DatabaseLockedError) throw new CliError(error.message, 1);
    throw error;
  }
}

export async function runIngestCommand(argv: string[], out: (json: unknown) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
    format: { type: 'string' },
    source: { type: 'string' },
    timezone: { type: 'string' },
    mapping: { type: 'string' },
    'pausing-states': { type: 'string' },
  });
  if (positionals.length === 0) throw new CliError('which file? usage: prazo ingest <file…> [--format …]');
  const format = values.format as string | undefined;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`--format: expected one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  if (format === 'mapped' && !values.mapping) throw new CliError('--format mapped needs --mapping FILE');
  const timezone = values.timezone as string | undefined;
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw new CliError(`--timezone: expected an IANA zone like America/Sao_Paulo (got "${timezone}")`);
    }
  }
  const db = await openForCli(values.db);
  const progress = createProgressReporter();
  try {
    const interrupted = await markInterruptedRuns(db);
    if (interrupted > 0) process.stderr.write(`prazo: ${interrupted} earlier import(s) had been interrupted; importing again adds only what is missing.\n`);
    const result = await ingestFiles(db, positionals, {
      format: format as Format | undefined,
      source: values.source as string | undefined,
      timezone,
      mapping: values.mapping as string | undefined,
      settings: pausingStates(values['pausing-states'] as string | undefined, format),
      onProgress: (p) => progress.update(p),
    });
    progress.done();
    if (result.conflicts) {
      process.stderr.write(
        `prazo: ${result.conflicts} evento(s) repetiram um id com conteúdo diferente do já guardado; valeu a primeira cópia (um id identifica um só evento por origem).\n`,
      );
    }
    if (result.rejected > 0) {
      // The command as it would run here: the same database, the source as one --source=… word (a name may start with "-").
      const db = values.db === undefined ? '' : ` --db ${shellWord(String(values.db))}`;
      process.stderr.write(`prazo: ${result.rejected} rejeitado(s), cada um guardado com o motivo e a posição; liste com: prazo rejects ${shellWord(`--source=${result.source}`)}${db}\n`);
    }
    out({ accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected, tickets: result.tickets });
  } catch (error) {
    progress.done();
    if (error instanceof IngestInputError) throw new CliError(error.message, 1);
    throw error;
  } finally {
    db.close();
  }
}

/** A word a shell reads back as it is: quoted when it holds anything but letters, digits and -_.:/@. */
function shellWord(text: string): string {
  return /^[\w.:/@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
