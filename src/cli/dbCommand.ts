import { existsSync } from 'node:fs';
import { compactDatabase } from '../db/compactDatabase.js';
import { DatabaseLockedError, resolveDbPath } from '../db/openDatabase.js';
import { CliError } from './CliError.js';
import { parseOptions } from './options.js';

export const DB_HELP = `prazo db compact [--db PATH]

  Rewrites the database file into a new one: the space DuckDB keeps inside a file after a migration
  rebuilt a table is given back, and a file made by an earlier Prazo moves to DuckDB's v1.3.0
  storage format (events stored ~30% faster; the file then needs DuckDB 1.3 or newer). The copy is
  checked (the same tables, views, macros, types, sequences and constraints; as many rows in every
  table) before it replaces the file, with its mode and owner; the file as it was is kept as
  PATH.before-compact — delete it once Prazo has started on the new one. Needs about the file's size
  free beside it. Run it with the server stopped, and whatever restarts the server (systemd, a
  container's restart policy) too. A copy an interrupted run left (PATH.compacting) is removed by the
  next run. Prints {"path","backup","mb_before","mb_after","tables","format_before"}.

  --db PATH   DuckDB file (or PRAZO_DB; default data/prazo.duckdb)`;

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** \`prazo db compact\`: JSON on stdout, the backup's path on stderr. */
export async function runDbCommand(argv: string[], io: { out: (json: unknown) => void; line: (text: string) => void; warn: (text: string) => void }): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help') {
    io.line(DB_HELP);
    return;
  }
  if (sub !== 'compact') throw new CliError(`unknown db command "${sub}"; see prazo db --help`);
  const { values, positionals } = parseOptions(rest, {});
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"; see --help`);
  const path = resolveDbPath(values.db as string | undefined);
  if (!existsSync(path)) throw new CliError(`${path}: no database file there`);
  try {
    const result = await compactDatabase(path);
    io.out({ path: result.path, backup: result.backup, mb_before: mb(result.bytesBefore), mb_after: mb(result.bytesAfter), tables: result.tables, format_before: result.formatBefore });
    io.warn(`prazo: o arquivo anterior ficou em ${result.backup}; apague-o quando o Prazo tiver iniciado com o novo.\n`);
  } catch (error) {
    if (error instanceof DatabaseLockedError) {
      const holder = error.holderPid ? ` (PID ${error.holderPid})` : '';
      throw new CliError(`${error.path} is in use by another process${holder}: stop the server, and whatever restarts it, then compact`, 1);
    }
    throw new CliError(`db compact: ${(error as Error).message}`, 1);
  }
}
