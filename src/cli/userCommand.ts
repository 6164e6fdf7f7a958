import { AccessError } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from '../server/auth/personalTokens.js';
import { createUser, disableUser, generatePassword, listUsers, MIN_PASSWORD_LENGTH, setUserPassword, setUserRole } from '../server/auth/users.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions as parseAnyOptions, requireOption } from './options.js';

export const USER_HELP = `prazo user <add|list|password|role|disable|token|tokens|revoke-token> [options]

  user add --email E --role R [--name N] [--password-stdin]
                      a user (roles: analyst, lead, leadership, admin). The password is read from
                      stdin with --password-stdin (at least ${MIN_PASSWORD_LENGTH} characters), else generated and
                      printed once as "password"; only its argon2id hash is kept
  user list           every user (JSON lines): id, email, name, role, created_at, disabled_at
  user password --email E [--password-stdin]
                      a new password (from stdin, or generated and printed once); the user's
                      sessions end at once (personal tokens stay: revoke them apart)
  user role --email E --role R      change a user's role (sessions and tokens follow at once)
  user disable --email E            refuse the user's login, sessions and tokens from now on
  user token --email E              a personal API token for scripts, printed once:
                                    Authorization: Bearer prz_u_… acts with exactly that user's role
  user tokens                       every personal token (JSON lines), never the secrets
  user revoke-token --id ID         refuse a personal token from now on
  --db PATH                         DuckDB file (or PRAZO_DB; default data/prazo.duckdb)

  Every change is written to the audit log as actor system:cli. Users are managed while the
  server is stopped (the server holds the database file).`;

export interface UserCommandIo {
  out: (json: unknown) => void;
  line: (text: string) => void;
  warn: (text: string) => void;
  /** The whole of stdin (for --password-stdin); process.stdin by default. */
  readStdin?: () => Promise<string>;
}

/** The subcommands take options only: a stray word (`--name Ana Silva` unquoted) is refused, not dropped. */
function parseOptions<T extends Parameters<typeof parseAnyOptions>[1]>(argv: string[], options: T) {
  const parsed = parseAnyOptions(argv, options);
  const [extra] = parsed.positionals;
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}" (quote a value with spaces); see prazo user --help`);
  return parsed;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function withDb<T>(dbOption: unknown, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openForCli(dbOption);
  try {
    return await work(db);
  } catch (error) {
    if (error instanceof AccessError) throw new CliError(error.message.startsWith('--') ? error.message : `--${error.message}`);
    throw error;
  } finally {
    db.close();
  }
}

async function addUser(rest: string[], io: UserCommandIo): Promise<void> {
  const { values } = parseOptions(rest, {
    email: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  const email = requireOption(values, 'email');
  const role = requireOption(values, 'role');
  const fromStdin = values['password-stdin'] === true;
  // Only the line ending is dropped: spaces inside or around a password are part of it.
  const password = fromStdin ? (await (io.readStdin ?? readProcessStdin)()).replace(/\r?\n$/, '') : generatePassword();
  const name = values.name as string | undefined;
  await withDb(values.db, async (db) => {
    const user = await createUser(db, { email, role, password, ...(name ? { name } : {}) });
    io.out(fromStdin ? user : { ...user, password });
    if (!fromStdin) io.warn('prazo: give this password to the user now: it is shown only once (Prazo keeps only its hash).\n');
  });
}

async function changePassword(rest: string[], io: UserCommandIo): Promise<void> {
  const { values } = parseOptions(rest, { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
  const email = requireOption(values, 'email');
  const fromStdin = values['password-stdin'] === true;
  const password = fromStdin ? (await (io.readStdin ?? readProcessStdin)()).replace(/\r?\n$/, '') : generatePassword();
  await withDb(values.db, async (db) => {
    const user = await setUserPassword(db, email, password);
    io.out(fromStdin ? user : { ...user, password });
    if (!fromStdin) io.warn('prazo: give this password to the user now: it is shown only once (Prazo keeps only its hash).\n');
  });
}

/** `prazo user …`: JSON on stdout (`out` one value, `line` JSON lines), messages on stderr. */
export async function runUserCommand(argv: string[], io: UserCommandIo): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help') {
    io.line(USER_HELP);
    return;
  }
  switch (sub) {
    case 'add':
      return addUser(rest, io);
    case 'password':
      return changePassword(rest, io);
    case 'list': {
      const { values } = parseOptions(rest, {});
      return withDb(values.db, async (db) => {
        for (const row of await listUsers(db)) io.line(JSON.stringify(row));
      });
    }
    case 'role': {
      const { values } = parseOptions(rest, { email: { type: 'string' }, role: { type: 'string' } });
      const [email, role] = [requireOption(values, 'email'), requireOption(values, 'role')];
      return withDb(values.db, async (db) => io.out(await setUserRole(db, email, role)));
    }
    case 'disable': {
      const { values } = parseOptions(rest, { email: { type: 'string' } });
      const email = requireOption(values, 'email');
      return withDb(values.db, async (db) => io.out(await disableUser(db, email)));
    }
    case 'token': {
      const { values } = parseOptions(rest, { email: { type: 'string' } });
      const email = requireOption(values, 'email');
      return withDb(values.db, async (db) => {
        const created = await createPersonalToken(db, email);
        io.out(created);
        io.warn(`prazo: store this token now: it is shown only once. Revoke it with \`prazo user revoke-token --id ${created.id}\`.\n`);
      });
    }
    case 'tokens': {
      const { values } = parseOptions(rest, {});
      return withDb(values.db, async (db) => {
        for (const row of await listPersonalTokens(db)) io.line(JSON.stringify(row));
      });
    }
    case 'revoke-token': {
      const { values } = parseOptions(rest, { id: { type: 'string' } });
      const id = requireOption(values, 'id');
      return withDb(values.db, async (db) => {
        if (!(await revokePersonalToken(db, id))) throw new CliError(`--id: no personal token with id "${id}" (see \`prazo user tokens\`)`);
        io.out({ id, revoked: true });
      });
    }
    default:
      throw new CliError(`unknown user subcommand "${sub}" (add, list, password, role, disable, token, tokens, revoke-token)`);
  }
}
