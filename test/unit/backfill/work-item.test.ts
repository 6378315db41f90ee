/**
 * Work items: ids that survive any index name, and shard splits whose ranges cover every live document
 * exactly once when read back through the real shard reader.
 */
import type { SegmentSummary, ShardDocument, ShardReader } from '../../../src/lucene';
import { openRepository, openSnapshotShard } from '../../../src/snapshot';
import { splitShard, workItemId } from '../../../src/backfill/work-item';
import { fixture } from '../../support/fixtures';

const segment = (name: string, maxDoc: number, liveDocs: number): SegmentSummary => ({ name, maxDoc, liveDocs, codec: 'Lucene87', luceneVersion: '8.7.0' });

async function read(reader: ShardReader, range: { from?: ShardDocument['position']; to?: ShardDocument['position'] }): Promise<string[]> {
  const ids: string[] = [];
  for await (const doc of reader.documents(range)) ids.push(doc.id);
  return ids;
}

describe('workItemId', () => {
  it('keeps index names with "__", dots and non-ASCII apart and recoverable', () => {
    // GIVEN names that would collide or split wrongly if used as they are (issue of the reference: "__" in names)
    const names = ['logs__2024', 'logs', 'logs_', '_logs', 'café', '.kibana'];
    const ids = names.map((n) => workItemId(n, 1, 0));

    // THEN all ids differ, hold no character that needs escaping in a URL path, and decode back to the name
    expect(new Set(ids).size).toBe(names.length);
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+__1__0$/);
      expect(Buffer.from(id.slice(0, id.indexOf('__1__0')), 'base64url').toString('utf8')).toBe(names[i]);
    }
  });
});

describe('splitShard', () => {
  it('keeps a shard that fits as one item over the whole shard', () => {
    expect(splitShard('books', 2, [segment('_0', 10, 8), segment('_1', 5, 5)], 13)).toEqual([{ id: workItemId('books', 2, 0), index: 'books', shard: 2, part: 0, range: {}, documents: 13 }]);
  });

  it('cuts a large shard into contiguous ranges of at most about the split size, accounting for every live document', () => {
    // GIVEN 3 segments, one with deletions and one fully deleted
    const segments = [segment('_0', 1000, 1000), segment('_1', 500, 0), segment('_2', 800, 400), segment('_a', 250, 250)];
    const total = 1650;

    // WHEN split into items of 300 documents
    const items = splitShard('books', 0, segments, 300);

    // THEN the ranges chain end to start, parts are numbered, and the estimates add up to the live count
    expect(items.length).toBeGreaterThanOrEqual(Math.ceil(total / 300));
    expect(items[0].range.from).toBeUndefined();
    expect(items[items.length - 1].range.to).toBeUndefined();
    for (let i = 1; i < items.length; i++) expect(items[i].range.from).toEqual(items[i - 1].range.to);
    expect(items.map((i) => i.part)).toEqual(items.map((_, i) => i));
    expect(items.every((i) => i.documents <= 300)).toBe(true);
    expect(items.reduce((sum, i) => sum + i.documents, 0)).toBe(total);
    // No cut lands in the fully deleted segment.
    expect(items.some((i) => i.range.to?.segment === '_1')).toBe(false);
  });

  it.each([1, 2])('splits a real shard with soft deletes into ranges of %i that read every document exactly once', async (size) => {
    // GIVEN the ES 7.10 soft-deletes fixture: a fully deleted segment, then 3 live documents among 6
    const repo = openRepository(fixture('ES_7_10_Updates_Deletes_w_Soft'));
    const snapshot = await repo.snapshot();
    const { reader } = await openSnapshotShard(repo, snapshot, 'test_updates_deletes', 0);

    // WHEN the shard is split and every range read back
    const items = splitShard('test_updates_deletes', 0, reader.segments, size);
    const perItem = await Promise.all(items.map((i) => read(reader, i.range)));

    // THEN the ranges together give the whole shard in order, no document twice
    expect(items.length).toBeGreaterThan(1);
    expect(perItem.flat()).toEqual(await read(reader, {}));
    expect(perItem.flat()).toEqual(['complexdoc', 'updateddoc', 'unchangeddoc']);
  });
});
