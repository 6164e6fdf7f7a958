import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AccessError, type Caller } from '../../../src/access/roles.js';
import type { Database } from '../../../src/db/openDatabase.js';
import { claimFollowUp, closeFollowUp, recordContact } from '../../../src/metrics/satisfaction/changeFollowUp.js';
import { listFollowUps } from '../../../src/metrics/satisfaction/listFollowUps.js';
import { query } from '../../ingest/helpers.js';
import { fixtureDatabase } from '../registry/fixture.js';
import { refusal } from './refusal.js';

// Insatisfeito answers in the fixture: U1 (id U1-41 … looked up by ticket below) and B1.
const lia: Caller = { role: 'lead', actor: 'lia@example.com' };
const rui: Caller = { role: 'lead', actor: 'rui@example.com' };
const leadership: Caller = { role: 'leadership', actor: 'diretoria@example.com' };
const admin: Caller = { role: 'admin', actor: 'admin@example.com' };
const analyst: Caller = { role: 'analyst', actor: 'ana@example.com' };
const contact = { contacted_at: '2026-03-16T10:00:00-03:00', channel: 'phone', outcome: 'reached', note: 'Cliente pediu retorno do gerente' } as const;

let db: Database;
const answerOf: Record<string, { source: string; id: string }> = {};
beforeAll(async () => {
  db = await fixtureDatabase();
  for (const row of await query(db, 'SELECT ticket, source, id FROM survey_answers')) answerOf[String(row.ticket)] = { source: String(row.source), id: String(row.id) };
});
afterAll(() => db.close());

describe('the insatisfeito follow-up queue', () => {
  test('lists the two insatisfeito answers as open', async () => {
    const queue = await listFollowUps(db, lia);
    expect(queue.map((f) => [f.ticket, f.status, f.comment])).toEqual([
      ['U1', 'open', 'Ninguém ligou'],
      ['B1', 'open', 'Demorou demais'],
    ]);
  });

  test('a claim is the lead\'s: another lead gets 409 already_claimed; claiming again changes nothing', async () => {
    const claimed = await claimFollowUp(db, lia, answerOf.U1!);
    expect(claimed).toMatchObject({ ticket: 'U1', status: 'claimed', claimed_by: 'lia@example.com', contacts: 0 });
    expect(await refusal(claimFollowUp(db, rui, answerOf.U1!))).toEqual({ status: 409, code: 'already_claimed' });
    expect(await refusal(claimFollowUp(db, admin, answerOf.U1!))).toEqual({ status: 409, code: 'already_claimed' });
    expect(await claimFollowUp(db, lia, answerOf.U1!)).toMatchObject({ follow_up_id: claimed.follow_up_id, claimed_by: 'lia@example.com' });
  });

  test('two leads claiming at once: exactly one gets it', async () => {
    const results = await Promise.allSettled([claimFollowUp(db, lia, answerOf.B1!), claimFollowUp(db, rui, answerOf.B1!)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ status: 409, code: 'already_claimed' });
    const [row] = await query(db, "SELECT count(*)::INTEGER AS n FROM follow_ups WHERE ticket = 'B1'");
    expect(row).toEqual({ n: 1 });
  });

  test('only insatisfeito answers that exist can be claimed', async () => {
    expect(await refusal(claimFollowUp(db, lia, answerOf.A1!))).toEqual({ status: 400, code: 'not_insatisfeito' });
    expect(await refusal(claimFollowUp(db, lia, { source: 'file', id: 'nope' }))).toEqual({ status: 404, code: 'unknown_answer' });
  });

  test('contacts: the claimer (or an admin) records them; others get 409; bad input 400', async () => {
    const [u1] = (await listFollowUps(db, lia)).filter((f) => f.ticket === 'U1');
    const id = u1!.follow_up_id!;
    expect(await refusal(recordContact(db, rui, id, contact))).toEqual({ status: 409, code: 'already_claimed' });
    expect(await refusal(recordContact(db, lia, id, { ...contact, channel: 'pombo' as never }))).toEqual({ status: 400, code: 'invalid_input' });
    expect(await refusal(recordContact(db, lia, id, { ...contact, contacted_at: 'ontem' }))).toEqual({ status: 400, code: 'invalid_input' });
    expect(await refusal(recordContact(db, lia, 999_999, contact))).toEqual({ status: 404, code: 'unknown_follow_up' });
    expect(await recordContact(db, lia, id, contact)).toMatchObject({ status: 'contacted', contacts: 1, last_outcome: 'reached' });
    expect(await recordContact(db, admin, id, { ...contact, contacted_at: '2026-03-17T10:00:00-03:00', outcome: 'callback_scheduled' })).toMatchObject({
      contacts: 2,
      last_contact_at: '2026-03-17T13:00:00Z',
      last_outcome: 'callback_scheduled',
    });
  });

  test('leadership reads the state but cannot act; analysts cannot do either', async () => {
    const queue = await listFollowUps(db, leadership, { status: 'contacted' });
    expect(queue.map((f) => [f.ticket, f.claimed_by, f.contacts])).toEqual([['U1', 'lia@example.com', 2]]);
    const id = queue[0]!.follow_up_id!;
    expect(await refusal(claimFollowUp(db, leadership, answerOf.B1!))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(recordContact(db, leadership, id, contact))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(closeFollowUp(db, leadership, id))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(claimFollowUp(db, analyst, answerOf.U1!))).toEqual({ status: 403, code: 'forbidden' });
    expect(await refusal(closeFollowUp(db, analyst, id))).toEqual({ status: 403, code: 'forbidden' });
  });

  test('closing: another lead 409, the claimer closes, then nothing more is recorded', async () => {
    const [u1] = await listFollowUps(db, lia, { status: 'contacted' });
    const id = u1!.follow_up_id!;
    expect(await refusal(closeFollowUp(db, rui, id))).toEqual({ status: 409, code: 'already_claimed' });
    expect(await closeFollowUp(db, lia, id, { resolution: 'Gerente ligou; cliente satisfeito com a explicação' })).toMatchObject({
      status: 'closed',
      closed_by: 'lia@example.com',
    });
    expect(await refusal(recordContact(db, lia, id, contact))).toEqual({ status: 409, code: 'already_closed' });
    expect(await refusal(claimFollowUp(db, rui, answerOf.U1!))).toEqual({ status: 409, code: 'already_closed' });
    // The queue shows what is still to do first: U1 (the most recent answer) is closed, so B1 leads.
    expect((await listFollowUps(db, lia)).map((f) => [f.ticket, f.status])).toEqual([
      ['B1', 'claimed'],
      ['U1', 'closed'],
    ]);
  });

  test('every change is audited with who did it, never with the notes', async () => {
    const rows = await query(db, "SELECT actor, role, action, target, detail FROM audit_log WHERE action LIKE 'follow_up.%' ORDER BY id");
    const actions = rows.map((r) => [r.action, r.actor]);
    expect(actions).toContainEqual(['follow_up.claim', 'lia@example.com']);
    expect(actions).toContainEqual(['follow_up.contact', 'lia@example.com']);
    expect(actions).toContainEqual(['follow_up.contact', 'admin@example.com']);
    expect(actions).toContainEqual(['follow_up.close', 'lia@example.com']);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('gerente');
    expect(text).not.toContain('Gerente');
    const denied = await query(db, "SELECT count(*)::INTEGER AS n FROM audit_log WHERE action = 'satisfaction.denied' AND role IN ('leadership', 'analyst')");
    expect(denied[0]!.n).toBe(5);
  });
});
