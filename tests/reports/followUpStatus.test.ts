import { expect, test } from 'vitest';
import { EventWriter } from '../../src/ingest/EventWriter.js';
import { countFollowUps, type FollowUpCursor, listFollowUpPage } from '../../src/metrics/satisfaction/listFollowUps.js';
import { freshDatabase } from '../ingest/helpers.js';

// The weekly report counts the week's follow-ups by status: all of them, in one grouped count.
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
    const onePage = await countFollowUps(db, caller, range);
    expect(onePage).toEqual({ open: insatisfeito, claimed: 0, contacted: 0, closed: 0 });
    expect(insatisfeito).toBeGreaterThan(1000);
    // The same as tallying the queue itself, page by page.
    const tally = async (pageSize: number) => {
      const counts: Record<string, number> = { open: 0, claimed: 0, contacted: 0, closed: 0 };
      let after: FollowUpCursor | undefined;
      do {
        const page = await listFollowUpPage(db, caller, { ...range, limit: pageSize, ...(after ? { after } : {}) });
        for (const row of page.rows) counts[row.status]!++;
        after = page.next ?? undefined;
      } while (after);
      return counts;
    };
    for (const pageSize of [7, 500]) expect(await tally(pageSize)).toEqual(onePage);
    // An analyst may not count them either.
    await expect(countFollowUps(db, { role: 'analyst', actor: 'ana' }, range)).rejects.toMatchObject({ status: 403 });
  } finally {
    db.close();
  }
});
