import { describe, expect, test } from 'vitest';
import { computeSlaBatch, createSlaContext, SlaResults } from '../../src/metrics/sla/computeSlaBatch.js';
import {
  AGUARDANDO_CLIENTE,
  EM_ATENDIMENTO,
  eventKind,
  eventTime,
  Kind,
  packEvent,
  REASON_AUTO,
  RESOLVIDO,
  STATUS_NAMES,
} from '../../src/metrics/sla/eventKinds.js';
import { type FirstResponseRule, foldTicketEvents, sortTicketEvents, type Transition } from '../../src/metrics/sla/foldTicketEvents.js';
import { LifecycleBatch } from '../../src/metrics/sla/LifecycleBatch.js';
import { CHECK_ORDER_BIT, Flag, flagNames } from '../../src/metrics/sla/qualityFlags.js';
import { at, policy } from './helpers.js';

const MIN = 60_000;
const T0 = at('2026-03-02T12:00:00Z'); // Mon 09:00 local
const opened = (t = 0, severity = 2) => packEvent(T0 + t * MIN, Kind.OPENED + severity);
const status = (t: number, s: number) => packEvent(T0 + t * MIN, Kind.STATUS + s);
const closed = (t: number, reason = 0) => packEvent(T0 + t * MIN, Kind.CLOSED + reason);
const reply = (t: number) => packEvent(T0 + t * MIN, Kind.REPLY_ANALYST);
const nao = (t: number) => packEvent(T0 + t * MIN, Kind.APPROVAL_NAO);
const sim = (t: number) => packEvent(T0 + t * MIN, Kind.APPROVAL_SIM);
const severityTo = (t: number, s: number) => packEvent(T0 + t * MIN, Kind.SEVERITY_CHANGED + s);

/** Folds events given in any order; returns the ticket's fields and its transitions. */
function fold(events: number[], options: { rule?: FirstResponseRule; multiBatch?: boolean } = {}) {
  const packed = Float64Array.from(events);
  sortTicketEvents(packed, 0, packed.length);
  const batch = new LifecycleBatch(1);
  const transitions: Transition[] = [];
  foldTicketEvents(packed, 0, packed.length, options.rule ?? 'earliest', options.multiBatch ?? false, batch, transitions);
  const minutes = (t: number) => (t === t ? (t - T0) / MIN : null);
  const pauses = [];
  for (let p = 0; p < batch.pauseOffset[1]!; p++) {
    pauses.push([minutes(batch.pauseStart[p]!), minutes(batch.pauseEnd[p]!), STATUS_NAMES[batch.pauseStatus[p]!]]);
  }
  return {
    status: STATUS_NAMES[batch.status[0]!],
    severity: batch.severity[0],
    opened: minutes(batch.opened[0]!),
    firstResponse: minutes(batch.firstResponse[0]!),
    resolved: minutes(batch.resolved[0]!),
    closed: minutes(batch.closed[0]!),
    closeReason: batch.closeReason[0],
    reopens: batch.reopenCount[0],
    autoCloseFrom: minutes(batch.autoCloseFrom[0]!),
    flags: flagNames(batch.flags[0]!),
    checkOrder: (batch.flags[0]! & CHECK_ORDER_BIT) !== 0,
    pauses,
    history: batch.severityHistory[0],
    transitions: transitions.map((t) => [minutes(t.at), STATUS_NAMES[t.status], t.cause]),
  };
}

describe('packed events', () => {
  test.each([T0, 0, Date.UTC(1960, 5, 1, 12, 30), Date.UTC(2199, 11, 31)])('time and kind survive packing (%s)', (ms) => {
    for (const kind of [0, 8, 20, 31]) {
      const packed = packEvent(ms, kind);
      expect([eventTime(packed), eventKind(packed)]).toEqual([ms, kind]);
    }
  });

  test('sorting orders by time, then by kind (the order events of one instant are applied)', () => {
    const events = [sim(5), closed(5, 1), status(5, RESOLVIDO), status(1, AGUARDANDO_CLIENTE), status(1, EM_ATENDIMENTO), opened()];
    const packed = Float64Array.from(events);
    sortTicketEvents(packed, 0, packed.length);
    expect(Array.from(packed)).toEqual([opened(), status(1, EM_ATENDIMENTO), status(1, AGUARDANDO_CLIENTE), status(5, RESOLVIDO), closed(5, 1), sim(5)]);
    const many = Float64Array.from({ length: 100 }, (_, i) => status(100 - i, i % 5));
    sortTicketEvents(many, 0, many.length);
    expect(Array.from(many)).toEqual(Array.from(many).sort((a, b) => a - b));
  });
});

describe('foldTicketEvents', () => {
  test('same-instant status changes apply in lifecycle order: resolvido then fechado is a normal close', () => {
    const t = fold([closed(60, 2), status(60, RESOLVIDO), status(10, EM_ATENDIMENTO), opened()]);
    expect(t).toMatchObject({ status: 'fechado', resolved: 60, closed: 60, closeReason: REASON_AUTO, flags: [] });
  });

  test('an approval "não" reopens at once; the helpdesk echo of em_atendimento is absorbed', () => {
    const t = fold([opened(), status(10, EM_ATENDIMENTO), status(60, RESOLVIDO), nao(120), status(130, EM_ATENDIMENTO), status(200, RESOLVIDO), sim(260)]);
    expect(t).toMatchObject({ status: 'fechado', reopens: 1, resolved: 200, closed: 260, closeReason: 1, flags: [] });
    expect(t.pauses).toEqual([
      [60, 120, 'resolvido'],
      [200, 260, 'resolvido'],
      [260, null, 'fechado'],
    ]);
    expect(t.transitions.map((x) => x[2])).toEqual(['opened', 'status_changed', 'status_changed', 'approval_nao', 'status_changed', 'approval_sim']);
  });

  test('approval answers without a pending resolvido are ignored', () => {
    const t = fold([opened(), sim(5), nao(6), status(10, EM_ATENDIMENTO)]);
    expect(t).toMatchObject({ status: 'em_atendimento', reopens: 0, closed: null, flags: [] });
  });

  test('leaving resolvido without an answer, and reopening a closed ticket, count as reopens', () => {
    const t = fold([opened(), status(10, RESOLVIDO), status(20, EM_ATENDIMENTO), status(30, RESOLVIDO), closed(40, 3), status(100, EM_ATENDIMENTO), status(120, RESOLVIDO)]);
    // Closed at 40 then reopened at 100: the closed time is a pause, the solution moves to 120.
    expect(t).toMatchObject({ status: 'resolvido', reopens: 2, resolved: 120, closed: null, closeReason: 0, autoCloseFrom: 120 });
    expect(t.pauses).toContainEqual([40, 100, 'fechado']);
  });

  test.each([
    ['earliest', 15],
    ['analyst_reply', 25],
    ['status_change', 15],
  ] as const)('first response rule %s', (rule, expected) => {
    expect(fold([opened(), status(15, AGUARDANDO_CLIENTE), reply(25), status(30, EM_ATENDIMENTO)], { rule }).firstResponse).toBe(expected);
  });

  test('a reply before any status change is the first response under the default rule', () => {
    expect(fold([opened(), reply(5), status(30, EM_ATENDIMENTO)]).firstResponse).toBe(5);
  });

  test('a severity "change" to the same severity is no change', () => {
    expect(fold([opened(0, 3), severityTo(10, 3)]).history).toBeNull();
    expect(JSON.parse(fold([opened(0, 3), severityTo(10, 1), severityTo(20, 1)]).history!)).toHaveLength(2);
  });

  test('a severity change dated before the opening applies from the opening, after the opening severity', () => {
    const t = fold([severityTo(-30, 0), opened(0, 3)]);
    expect(t).toMatchObject({ severity: 0, flags: ['events_before_opened'] });
    expect(JSON.parse(t.history!)).toEqual([
      { at: '2026-03-02T12:00:00.000Z', severity: 'baixa' },
      { at: '2026-03-02T12:00:00.000Z', severity: 'urgente' },
    ]);
  });

  test('multi-batch tickets are marked for the out-of-order check', () => {
    expect(fold([opened()], { multiBatch: true }).checkOrder).toBe(true);
    expect(fold([opened()]).checkOrder).toBe(false);
  });

  test('a closed ticket keeps its pause open after the solution (it does not count)', () => {
    const t = fold([opened(), status(10, AGUARDANDO_CLIENTE), closed(50, 3)]);
    expect(t).toMatchObject({ resolved: 50, flags: ['closed_without_resolved'] });
    expect(t.pauses).toEqual([
      [10, 50, 'aguardando_cliente'],
      [50, null, 'fechado'],
    ]);
    expect(fold([opened(), status(10, AGUARDANDO_CLIENTE)]).flags).toEqual(['unended_pause']);
  });
});

describe('computeSlaBatch', () => {
  test('instants outside the calendars are flagged, not thrown', () => {
    const batch = new LifecycleBatch(2);
    foldTicketEvents([packEvent(Date.UTC(2300, 0, 5), Kind.OPENED + 2)], 0, 1, 'earliest', false, batch);
    foldTicketEvents([opened()], 0, 1, 'earliest', false, batch);
    const results = new SlaResults(2);
    computeSlaBatch(batch, createSlaContext(policy, at('2026-03-03T12:00:00Z')), results);
    expect(flagNames(results.flags[0]!)).toEqual(['time_out_of_range']);
    expect(results.consumedSeconds[0]).toBeNaN();
    // The other ticket of the batch is computed: opened Mon 09:00, evaluated Tue 09:00 → 24 h elapsed,
    // of which 8x5 counts Mon 09:00–12:00, 13:30–17:30 and Tue 08:00–09:00 = 8 h.
    expect(results.consumedSeconds[1]).toBe(8 * 3600);
    expect(flagNames(Flag.time_out_of_range)).toEqual(['time_out_of_range']);
  });
});
