import { createSourceToken, listSourceTokens, revokeSourceToken, TokenInputError } from '../server/tokens.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions, requireOption } from './options.js';

export const TOKEN_HELP = `prazo token <create|list|revoke> [options]

  token create --source NAME [--hmac]   a token that may write events to source NAME only; prints
                                        {"id","source","token","hmac_secret"?} once (only a hash is kept)
  token list                            every token (JSON lines): id, source, hmac, created_at,
                                        revoked_at, last_used_at; never the secrets
  token revoke --id ID                  refuse the token from now on
  --db PATH                             DuckDB file (or PRAZO_DB; default data/prazo.duckdb)

  With --hmac the sender must also sign each body: X-Prazo-Signature: sha256=<hex HMAC-SHA256 of
  the raw body, keyed with hmac_secret>. Tokens are managed while the server is stopped.`;

/** `prazo token create|list|revoke`: JSON on stdout (`out` one value, `line` JSON lines), warnings on stderr. */
export async function runTokenCommand(
  argv: string[],
  io: { out: (json: unknown) => void; line: (text: string) => void; warn: (text: string) => void },
): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help') {
    io.line(TOKEN_HELP);
    return;
  }
  switch (sub) {
    case 'create': {
      const { values } = parseOptions(rest, { source: { type: 'string' }, hmac: { type: 'boolean' } });
      const source = requireOption(values, 'source');
      const db = await openForCli(values.db);
      try {
        const created = await createSourceToken(db, { source, hmac: values.hmac === true });
        io.out({
          id: created.id,
          source: created.source,
          token: created.token,
          ...(created.hmacSecret ? { hmac_secret: created.hmacSecret } : {}),
        });
        io.warn(
          `prazo: store this token${created.hmacSecret ? ' and hmac_secret' : ''} now: it is shown only once (Prazo keeps only a hash of the token). ` +
            `Revoke it with \`prazo token revoke --id ${created.id}\`.\n`,
        );
      } catch (error) {
        if (error instanceof TokenInputError) throw new CliError(`--${error.message}`);
        throw error;
      } finally {
        db.close();
      }
      return;
    }
    case 'list': {
      const { values } = parseOptions(rest, {});
      const db = await openForCli(values.db);
      try {
        for (const row of await listSourceTokens(db)) io.line(JSON.stringify(row));
      } finally {
        db.close();
      }
      return;
    }
    case 'revoke': {
      const { values } = parseOptions(rest, { id: { type: 'string' } });
      const id = requireOption(values, 'id');
      const db = await openForCli(values.db);
      try {
        const revoked = await revokeSourceToken(db, id);
        if (!revoked) throw new CliError(`--id: no token with id "${id}" (see \`prazo token list\`)`);
        io.out(revoked);
      } finally {
        db.close();
      }
      return;
    }
    default:
      throw new CliError(`unknown token subcommand "${sub}" (create, list, revoke)`);
  }
}
