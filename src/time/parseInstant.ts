const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses an ISO-8601 instant that states its offset (`2026-03-06T19:00:00Z`,
 * `2026-03-06T16:00:00-03:00`) into UTC epoch ms. A zone-less or malformed text is refused
 * rather than guessed: Brazil's offset changed with daylight saving until 2019.
 */
export function parseInstant(text: string): number | undefined {
  if (!WITH_OFFSET.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export const INSTANT_HINT = 'an ISO-8601 instant with offset, like 2026-03-06T19:00:00Z or 2026-03-06T16:00:00-03:00';
