import { AccessError } from '../access/roles.js';
import { addRecipient, listRecipients, parseRecipientEmail, removeRecipient } from '../reports/recipients.js';
import { CLI_CALLER } from '../server/auth/users.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions } from './options.js';

export const RECIPIENTS_HELP = `prazo recipients add EMAIL [--name NAME] | remove EMAIL | list [--all] [--db PATH]

  Who receives the weekly report by e-mail. add and remove print {"email","active"}; list prints
  one JSON line per recipient ({"email","name","addedAt","removedAt"}); --all includes removed ones.`;

export async function runRecipientsCommand(argv: string[], out: (json: unknown) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, { name: { type: 'string' }, all: { type: 'boolean' } });
  const [sub, email, extra] = positionals;
  if (!['add', 'remove', 'list'].includes(sub ?? '') || extra !== undefined || (sub !== 'list' && !email)) {
    throw new CliError('usage: prazo recipients add EMAIL [--name NAME] | remove EMAIL | list; see --help');
  }
  const db = await openForCli(values.db);
  try {
    if (sub === 'add') {
      const r = await addRecipient(db, CLI_CALLER, { email: email!, name: values.name as string | undefined });
      out({ email: r.email, name: r.name, active: true });
    } else if (sub === 'remove') {
      const removed = await removeRecipient(db, CLI_CALLER, email!);
      if (!removed) throw new CliError(`${email} is not an active recipient`, 1);
      out({ email: parseRecipientEmail(email!), active: false });
    } else {
      for (const r of await listRecipients(db, CLI_CALLER, { includeRemoved: values.all === true })) out(r);
    }
  } catch (error) {
    if (error instanceof AccessError) throw new CliError(error.message);
    throw error;
  } finally {
    db.close();
  }
}
