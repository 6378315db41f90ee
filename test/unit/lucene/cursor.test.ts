/** Positions are exact: reading from any document's position yields exactly the rest of the shard. */
import { openSnapshotShard, openRepository } from '../../../src/snapshot';
import type { ShardDocument, ShardReader } from '../../../src/lucene';
import { fixture } from '../../support/fixtures';

async function all(iterable: AsyncIterable<ShardDocument>): Promise<ShardDocument[]> {
  const out: ShardDocument[] = [];
  for await (const doc of iterable) out.push(doc);
  return out;
}

async function shard(name: string, index: string): Promise<ShardReader> {
  const repo = openRepository(fixture(name));
  const snapshot = await repo.snapshot(name === 'ES_7_10_Double' ? 'global_state_snapshot' : undefined);
  return (await openSnapshotShard(repo, snapshot, index, 0)).reader;
}

describe.each([
  ['ES_7_10_Updates_Deletes_w_Soft', 'test_updates_deletes'],
  ['ES_6_8_Single', 'posts_2024_01_01'],
  ['ES_7_10_Single', 'posts_2024_01_01'],
])('positions in %s', (name, index) => {
  it('resume exactly: from any position the rest, up to any position the start', async () => {
    // GIVEN every live document with its position
    const reader = await shard(name, index);
    const docs = await all(reader.documents());
    expect(docs.length).toBe(reader.liveDocCount);

    for (let i = 0; i < docs.length; i++) {
      // WHEN reading from the i-th position, and up to it
      const rest = await all(reader.documents({ from: docs[i].position }));
      const head = await all(reader.documents({ to: docs[i].position }));

      // THEN the two halves are exactly the suffix and the prefix
      expect(rest.map((d) => d.id)).toEqual(docs.slice(i).map((d) => d.id));
      expect(head.map((d) => d.id)).toEqual(docs.slice(0, i).map((d) => d.id));
    }
  });
});

it('skips fully deleted segments but keeps their place in the order (ES 7.10 soft deletes)', async () => {
  const reader = await shard('ES_7_10_Updates_Deletes_w_Soft', 'test_updates_deletes');
  expect(reader.segments.map((s) => [s.name, s.maxDoc, s.liveDocs])).toEqual([['_0', 3, 0], ['_1', 6, 3]]);
  const docs = await all(reader.documents());
  expect(docs.map((d) => [d.id, d.position.segment, d.position.doc])).toEqual([
    ['complexdoc', '_1', 0],
    ['updateddoc', '_1', 4],
    ['unchangeddoc', '_1', 5],
  ]);
});
