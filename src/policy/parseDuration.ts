const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const DURATION = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/**
 * Seconds in a duration written like `30m`, `4h`, `1h30m`, `2d` (a day is 24 hours of the
 * calendar's support time, so `2d` = `48h`). Undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  let seconds = 0;
  const units = ['d', 'h', 'm', 's'];
  for (let i = 0; i < units.length; i++) {
    const value = match[i + 1];
    if (value !== undefined) seconds += Number(value) * UNIT_SECONDS[units[i]!]!;
  }
  return Math.round(seconds);
}

/** `14400` → `4h`, `5400` → `1h30m`: the inverse of parseDuration, for messages and pages. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0m';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
