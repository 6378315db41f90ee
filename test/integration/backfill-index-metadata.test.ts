/**
 * The index metadata of real snapshots (Elasticsearch 7.10, 6.8 and a 5.x multi-type index), converted
 * for OpenSearch, is accepted by the test bed's OpenSearch 2.19 as it is: settings, mappings without
 * types, aliases.
 */
import { randomUUID } from 'node:crypto';
import { ClusterClient } from '../../src/cluster';
import { targetIndices, type MultiTypeRule } from '../../src/backfill/index-metadata';
import { openRepository, type IndexMetadata } from '../../src/snapshot';
import { fixture } from '../support/fixtures';
import { testbedEndpoints } from '../testbed/endpoints';

const target = new ClusterClient({ endpoint: testbedEndpoints().target });
const suffix = randomUUID().slice(0, 8);
const created: string[] = [];

afterAll(async () => {
  for (const name of created) await target.request('DELETE', `/${name}`, { expectStatus: [404] });
  target.close();
});

async function indexMetadata(fixtureName: string, index: string): Promise<IndexMetadata> {
  const repo = openRepository(fixture(fixtureName));
  const snapshot = await repo.snapshot(fixtureName === 'ES_7_10_Double' ? 'global_state_snapshot' : undefined);
  return { ...(await repo.indexMetadata(snapshot, index)) };
}

interface MappingResponse {
  [index: string]: { mappings: { properties?: Record<string, unknown> } };
}

/** Creates the converted indices under unique names; returns name → fields of the created mapping. */
async function createOnTarget(metadata: IndexMetadata, rule: MultiTypeRule, prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const index of targetIndices({ ...metadata, name: `${prefix}-${metadata.name}` }, rule)) {
    const aliases = Object.fromEntries(Object.entries(index.body.aliases).map(([alias, spec]) => [`${alias}-${suffix}`, spec]));
    created.push(index.name);
    await target.request('PUT', `/${index.name}`, { body: { ...index.body, aliases } });
    const mapping = await target.request<MappingResponse>('GET', `/${index.name}/_mapping`);
    out.set(index.name, Object.keys(mapping.body[index.name].mappings.properties ?? {}).sort());
  }
  return out;
}

it.each([
  ['ES_7_10_Single', 'posts_2024_01_01'],
  ['ES_6_8_Single', 'posts_2024_01_01'],
])('creates the index of %s on OpenSearch with its fields and aliases', async (fixtureName, index) => {
  // GIVEN the snapshot's metadata WHEN converted and created on the target
  const metadata = await indexMetadata(fixtureName, index);
  const prefix = `md-${suffix}-${fixtureName.toLowerCase()}`;
  const fields = await createOnTarget(metadata, 'merge', prefix);

  // THEN OpenSearch accepted it, with the fields and the aliases (filter and routing included)
  const name = `${prefix}-${index}`;
  expect(fields.get(name)).toEqual(['author', 'contents', 'tags']);
  const aliases = await target.request<Record<string, { aliases: Record<string, { index_routing?: string; filter?: unknown }> }>>('GET', `/${name}/_alias`);
  expect(aliases.body[name].aliases[`another_alias-${suffix}`]).toMatchObject({ index_routing: 'user123', filter: { term: { author: 'Tobias Funke' } } });
  const settings = await target.request<Record<string, { settings: { index: Record<string, unknown> } }>>('GET', `/${name}/_settings`);
  expect(settings.body[name].settings.index).toMatchObject({ number_of_shards: '1', provided_name: name });
});

it('creates an Elasticsearch 5 two-type index as one merged index, or as one index per type', async () => {
  // GIVEN the 5.x index restored into 6.8, with types type1 and type2 and _all enabled
  const metadata = await indexMetadata('ES_6_8_Updates_Deletes_Merged', 'test_updates_deletes');
  const prefix = `md-${suffix}-es5`;
  const base = `${prefix}-test_updates_deletes`;

  // WHEN created with each rule THEN OpenSearch accepts both shapes
  expect([...(await createOnTarget(metadata, 'merge', prefix))]).toEqual([[base, ['content', 'contents', 'title']]]);
  expect([...(await createOnTarget(metadata, 'split', prefix))]).toEqual([
    [`${base}_type1`, ['title']],
    [`${base}_type2`, ['content', 'contents']],
  ]);
});
