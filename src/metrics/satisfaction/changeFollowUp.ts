import type { DuckDBConnection } from '@duckdb/node-api';
import { AccessError, type Caller, type Role } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { parseInstant } from '../../time/parseInstant.js';
import { accessSatisfaction } from './accessSatisfaction.js';
import { type FollowUpRow, readFollowUps } from './listFollowUps.js';

/** Who acts on the follow-up queue; leadership only reads it. */
export const FOLLOW_UP_ACTORS: readonly Role[] = ['lead', 'admin'];
export const CONTACT_CHANNELS = ['phone', 'email', 'meeting', 'chat', 'other'] as const;
export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'callback_scheduled', 'resolved', 'escalated'] as const;
export const MAX_NOTE_LENGTH = 4000;

/** A survey answer's identity (survey_answers' primary key). */
export interface AnswerRef {
  source: string;
  id: string;
}

export interface ContactInput {
  /** When the lead reached (or tried to reach) the customer: ISO-8601 instant with offset. */
  contacted_at: string;
  channel: (typeof CONTACT_CHANNELS)[number];
  outcome: (typeof CONTACT_OUTCOMES)[number];
  note?: string;
}

const invalid = (message: string) => new AccessError(400, 'invalid_input', message);
const BY_ANSWER = 'f.answer_source = $source AND f.answer_id = $id';
const BY_FOLLOW_UP = 'q.id = $followUp';

/**
 * Claims the follow-up of an insatisfeito answer for the calling lead (or admin). Claiming one's
 * own claim again changes nothing; one claimed by someone else is 409 already_claimed, a closed one
 * 409 already_closed; an unknown answer 404, an answer that is not insatisfeito 400.
 */
export async function claimFollowUp(db: Database, caller: Caller, answer: AnswerRef): Promise<FollowUpRow> {
  return changeFollowUp(db, caller, 'follow_up.claim', `${answer.source}/${answer.id}`, async (c) => {
    const found = (await c.runAndReadAll('SELECT ticket, rating FROM survey_facts WHERE answer_source = $source AND answer_id = $id', { ...answer })).getRowObjectsJS();
    if (found.length === 0) throw new AccessError(404, 'unknown_answer', `resposta desconhecida: ${answer.source}/${answer.id}`);
    if (found[0]!.rating !== 'insatisfeito') throw new AccessError(400, 'not_insatisfeito', 'só respostas "insatisfeito" entram na fila de acompanhamento');
    const existing = await readFollowUps(c, BY_ANSWER, { ...answer, limit: 1 });
    if (existing[0]?.follow_up_id == null) {
      await c.run(
        "INSERT INTO follow_ups (answer_source, answer_id, ticket, status, claimed_by) VALUES ($source, $id, $ticket, 'claimed', $actor)",
        { ...answer, ticket: String(found[0]!.ticket), actor: caller.actor },
      );
    } else {
      checkMayAct(existing[0], caller, { takeOver: false });
    }
    return (await readFollowUps(c, BY_ANSWER, { ...answer, limit: 1 }))[0]!;
  });
}

/** Records a contact with the customer on a follow-up the caller claimed (an admin: any). */
export async function recordContact(db: Database, caller: Caller, followUpId: number, input: ContactInput): Promise<FollowUpRow> {
  return changeFollowUp(db, caller, 'follow_up.contact', `follow_up:${followUpId}`, async (c) => {
    const contact = parseContact(input);
    const current = await loadFollowUp(c, followUpId);
    checkMayAct(current, caller, { takeOver: true });
    await c.run(
      `INSERT INTO follow_up_contacts (follow_up_id, recorded_by, contacted_at, channel, outcome, note)
       VALUES ($followUp, $actor, to_timestamp($contactedAt), $channel, $outcome, $note)`,
      { followUp: followUpId, actor: caller.actor, ...contact },
    );
    await c.run("UPDATE follow_ups SET status = 'contacted' WHERE id = $followUp", { followUp: followUpId });
    return loadFollowUp(c, followUpId);
  }, { channel: input?.channel, outcome: input?.outcome });
}

/** Closes a follow-up the caller claimed (an admin: any), with an optional closing note. */
export async function closeFollowUp(db: Database, caller: Caller, followUpId: number, input: { resolution?: string } = {}): Promise<FollowUpRow> {
  return changeFollowUp(db, caller, 'follow_up.close', `follow_up:${followUpId}`, async (c) => {
    if (input.resolution !== undefined && (typeof input.resolution !== 'string' || input.resolution.length > MAX_NOTE_LENGTH)) {
      throw invalid(`resolution: texto de até ${MAX_NOTE_LENGTH} caracteres`);
    }
    const current = await loadFollowUp(c, followUpId);
    checkMayAct(current, caller, { takeOver: true });
    await c.run("UPDATE follow_ups SET status = 'closed', closed_by = $actor, closed_at = current_timestamp, resolution = $resolution WHERE id = $followUp", {
      followUp: followUpId,
      actor: caller.actor,
      resolution: input.resolution ?? null,
    });
    return loadFollowUp(c, followUpId);
  });
}

/** A change through the satisfaction zone: leads and admins only, in a transaction, audited. */
async function changeFollowUp(
  db: Database,
  caller: Caller,
  action: string,
  target: string,
  change: (connection: DuckDBConnection) => Promise<FollowUpRow>,
  detail: Record<string, unknown> = {},
): Promise<FollowUpRow> {
  const { rows } = await accessSatisfaction<FollowUpRow>(db, caller, {
    action,
    target,
    detail,
    roles: FOLLOW_UP_ACTORS,
    transaction: true,
    run: async (connection) => [await change(connection)],
    // Two leads claiming (or acting on) the same follow-up at once: one transaction wins.
    onConflict: () => alreadyClaimed('outra pessoa'),
    auditResult: ([row]) => ({ ticket: row?.ticket, follow_up_id: row?.follow_up_id, status: row?.status }),
  });
  return rows[0]!;
}

async function loadFollowUp(c: DuckDBConnection, followUpId: number): Promise<FollowUpRow> {
  if (!Number.isSafeInteger(followUpId)) throw new AccessError(404, 'unknown_follow_up', `acompanhamento desconhecido: ${followUpId}`);
  const [row] = await readFollowUps(c, BY_FOLLOW_UP, { followUp: followUpId, limit: 1 });
  if (!row) throw new AccessError(404, 'unknown_follow_up', `acompanhamento desconhecido: ${followUpId}`);
  return row;
}

const alreadyClaimed = (by: string) => new AccessError(409, 'already_claimed', `este acompanhamento já é de ${by}`);

/** The claimer acts on their follow-up; an admin may act on anyone's (takeOver) but not claim it from them. */
function checkMayAct(row: FollowUpRow, caller: Caller, { takeOver }: { takeOver: boolean }): void {
  if (row.status === 'closed') throw new AccessError(409, 'already_closed', 'este acompanhamento já foi encerrado');
  if (row.claimed_by === caller.actor) return;
  if (takeOver && caller.role === 'admin') return;
  throw alreadyClaimed(row.claimed_by ?? 'outra pessoa');
}

function parseContact(input: ContactInput): { contactedAt: number; channel: string; outcome: string; note: string | null } {
  const problems: string[] = [];
  const at = typeof input?.contacted_at === 'string' ? parseInstant(input.contacted_at) : undefined;
  if (at === undefined) problems.push('contacted_at: esperava um instante ISO-8601 com fuso');
  if (!CONTACT_CHANNELS.includes(input?.channel)) problems.push(`channel: esperava ${CONTACT_CHANNELS.join(', ')}`);
  if (!CONTACT_OUTCOMES.includes(input?.outcome)) problems.push(`outcome: esperava ${CONTACT_OUTCOMES.join(', ')}`);
  if (input?.note !== undefined && (typeof input.note !== 'string' || input.note.length > MAX_NOTE_LENGTH)) {
    problems.push(`note: texto de até ${MAX_NOTE_LENGTH} caracteres`);
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
  return { contactedAt: at! / 1000, channel: input.channel, outcome: input.outcome, note: input.note ?? null };
}
