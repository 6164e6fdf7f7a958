import { expect, test } from 'vitest';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { getFollowUpStatus } from '../../src/reports/getFollowUpStatus.js';
import { freshDatabase } from '../ingest/helpers.js';

// The weekly report counts the week's follow-ups by status: all of them, however many pages.
test('every follow-up of the week is counted, across as many pages of the queue as it takes', async () => {
  const db = await freshDatabase();
  try {
    // More than the 1,000 a page holds by default.
    const answers = Array.from({ length: 1340 }, (_, i) => ({
      id: `a-${i}`,
      ticket: `T-${i}`,
      at: new Date(Date.parse('2026-03-16T12:00:00Z') + i * 1000).toISOString(),
      type: 'survey.answered',
      rating: i % 4 === 0 ? 'satisfeito' : 'insatisfeito',
    }));
    const writer = await EventWriter.open(db, { source: 's', origin: 'test', format: 'ndjson' });
    await writer.write(answers.map((value, i) => ({ position: i + 1, raw: JSON.stringify(value), value })));
    await writer.finish();
    const caller = { role: 'leadership' as const, actor: 'system:report' };
    const range = { from: '2026-03-16T00:00:00Z', to: '2026-03-23T00:00:00Z' };
    const insatisfeito = answers.filter((a) => a.rating === 'insatisfeito').length;
    const onePage = await getFollowUpStatus(db, caller, range);
    expect(onePage).toEqual({ open: insatisfeito, claimed: 0, contacted: 0, closed: 0 });
    expect(insatisfeito).toBeGreaterThan(1000);
    for (const pageSize of [7, 500]) expect(await getFollowUpStatus(db, caller, range, pageSize)).toEqual(onePage);
  } finally {
    db.close();
  }
});
