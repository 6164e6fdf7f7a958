import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KNOWN_FIELDS } from '../../src/ingest/eventSchema.js';
import type { Validation } from '../../src/ingest/types.js';
import { validateEvent, validateEventWithZod } from '../../src/ingest/validateEvent.js';
import { fastInstant, validateEventFast } from '../../src/ingest/validateEventFast.js';
import { record } from './eventArbitraries.js';

/** Results compared as stored: fields by name, extra as its JSON text (key order included). */
function comparable(result: Validation) {
  if (!result.ok) return result;
  const { extra, ...event } = result.event;
  return { ok: true, event, extra: JSON.stringify(extra) };
}

describe('the fast path agrees with zod', () => {
  test('validateEvent returns what validateEventWithZod returns, for any record', () => {
    let fastHits = 0;
    fc.assert(
      fc.property(record, (r) => {
        if (validateEventFast(r)) fastHits++;
        expect(comparable(validateEvent(r))).toEqual(comparable(validateEventWithZod(r)));
      }),
      { numRuns: 20_000 },
    );
    // Not vacuous: a good share of the records took the fast path.
    expect(fastHits).toBeGreaterThan(2_000);
  });

  test('records parsed from JSON lines agree too (what NDJSON ingest sees)', () => {
    fc.assert(
      fc.property(record, (r) => {
        const parsed = JSON.parse(JSON.stringify(r)) as unknown;
        expect(comparable(validateEvent(parsed))).toEqual(comparable(validateEventWithZod(parsed)));
      }),
      { numRuns: 10_000 },
    );
  });

  test('a verbatim event is the record itself, read field by field', () => {
    fc.assert(
      fc.property(record, (r) => {
        const fast = validateEventFast(r);
        if (!fast?.verbatim) return;
        const { extra, at: _at, ...event } = fast.event;
        expect(extra).toEqual({});
        for (const key of Object.keys(r)) {
          expect(KNOWN_FIELDS.has(key)).toBe(true);
          if (key !== 'at') expect(r[key]).toEqual(key in event ? event[key as keyof typeof event] : null);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  test.each([
    ['2026-03-02T11:05:00Z', Date.UTC(2026, 2, 2, 11, 5)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2023-02-29T10:00:00Z', undefined],
    ['2026-03-02T24:00:00Z', undefined],
    ['0999-01-01T00:00:00Z', undefined],
    ['2026-03-02T11:05:00+00:00', undefined],
  ])('fastInstant(%s)', (text, expected) => {
    expect(fastInstant(text)).toBe(expected);
  });
});
