/**
 * The contract suite: every fixture repository (real snapshots written by Elasticsearch 6.8 and 7.10)
 * dumps exactly the documents its expected.json describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { dumpSnapshot, listRepository, openRepository } from '../../../src/snapshot';
import { FIXTURES, fixture } from '../../support/fixtures';

interface ExpectedDoc {
  _index: string;
  _id: string;
  _type?: string;
  _routing?: string;
  _source?: unknown;
  _source_fields?: Record<string, unknown>;
}

interface ExpectedFixture {
  snapshot?: string;
  snapshots?: Record<string, string>;
  exact: boolean;
  docs?: ExpectedDoc[];
  templates?: { legacy: string[]; composable: string[] };
}

const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, ExpectedFixture>;

async function dump(repo: string, snapshot?: string, indices?: string[]): Promise<ExpectedDoc[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await dumpSnapshot({ repo, snapshot, indices }, out);
  return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ExpectedDoc);
}

describe.each(Object.entries(expected).filter(([, f]) => f.docs))('fixture %s', (name, spec) => {
  it('dumps the documents of expected.json', async () => {
    // WHEN dumping the snapshot
    const docs = await dump(fixture(name), spec.snapshot);

    // THEN the documents match: exactly (with order) for exact fixtures, by id, routing and fields otherwise
    if (spec.exact) {
      expect(docs).toEqual(spec.docs);
      return;
    }
    expect(docs.map((d) => `${d._index}/${d._id}`).sort()).toEqual(spec.docs!.map((d) => `${d._index}/${d._id}`).sort());
    for (const want of spec.docs!) {
      const got = docs.find((d) => d._index === want._index && d._id === want._id)!;
      expect(got._routing).toBe(want._routing);
      if (want._source !== undefined) expect(got._source).toEqual(want._source);
      if (want._source_fields) expect(got._source).toMatchObject(want._source_fields);
    }
  });
});

describe('fixture ES_7_10_Double (two snapshots sharing files)', () => {
  it('requires a snapshot name and dumps each snapshot with its own indices', async () => {
    const repo = fixture('ES_7_10_Double');
    await expect(dump(repo)).rejects.toMatchObject({ code: 'MA_SNAPSHOT_AMBIGUOUS', message: expect.stringContaining('global_state_snapshot, global_state_snapshot_2') });
    const first = await dump(repo, 'global_state_snapshot');
    const second = await dump(repo, 'global_state_snapshot_2');
    expect(first).toHaveLength(4);
    expect(second.map((d) => d._id).sort()).toEqual(['d0O8Zo4B5P7rRiUe4VRD', 'eEO-Zo4B5P7rRiUeCFSo', 'eUO-Zo4B5P7rRiUeCFTz']);
    expect(second).toEqual(first.filter((d) => d._index === 'posts_2024_01_01'));
  });

  it('lists snapshots with real shard sizes, not the incremental total_size', async () => {
    const listing = await listRepository({ repo: fixture('ES_7_10_Double') });
    const [a, b] = listing.snapshots;
    expect(a.indices.map((i) => [i.name, i.shards, i.documents])).toEqual([['posts_2023_02_25', 1, 1], ['posts_2024_01_01', 1, 3]]);
    // The second snapshot uploaded no new file, yet its shard is as large as in the first.
    expect(b.indices[0].bytes).toBe(a.indices[1].bytes);
    expect(b.indices[0].bytes).toBeGreaterThan(0);
  });
});

describe('fixture ES_7_10_Single metadata', () => {
  it('reads legacy and composable templates and index settings', async () => {
    const repo = openRepository(fixture('ES_7_10_Single'));
    const snapshot = await repo.snapshot();
    const global = await repo.globalMetadata(snapshot);
    // Dot-prefixed templates belong to the source's own features (monitoring, ML, …); the rest are the user's.
    // expected.json names posts_index_template and posts_template; the blob stores the first as a composable
    // index template composed of the second, a component template.
    const user = (names: Record<string, unknown>) => Object.keys(names).filter((n) => !n.startsWith('.'));
    const names = [...expected.ES_7_10_Single.templates!.legacy, ...expected.ES_7_10_Single.templates!.composable];
    expect(names.every((n) => user(global.indexTemplates).includes(n) || user(global.componentTemplates).includes(n))).toBe(true);
    expect(global.indexTemplates.posts_index_template).toMatchObject({ composed_of: ['posts_template'] });
    expect(Object.keys(global.templates)).toContain('.monitoring-es');
    const index = await repo.indexMetadata(snapshot, 'posts_2024_01_01');
    expect(index).toMatchObject({ name: 'posts_2024_01_01', numberOfShards: 1, createdVersion: { flavor: 'elasticsearch', major: 7, minor: 10, patch: 2 } });
    expect(index.mappings._doc).toMatchObject({ properties: { author: { type: 'keyword' } } });
  });
});
