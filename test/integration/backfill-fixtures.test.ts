/**
 * The worker program over the shared snapshot fixtures into OpenSearch 2.19, checked against their
 * expected documents: an Elasticsearch 5 two-type index (types merged, or one index per type), an
 * ES 7.10 index with soft deletes and a pretty-printed `_source` (raw newlines), and routed documents.
 * The fixtures fix the index names, so each case deletes its indices on the target before and after.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { workingStateIndex } from '../../src/backfill/working-state';
import { allDocuments, exitOf, startWorker, type DocKey } from '../support/backfill';
import { FIXTURES, fixture } from '../support/fixtures';
import { testbedEndpoints } from '../testbed/endpoints';

interface ExpectedDoc {
  _index: string;
  _id: string;
  _type?: string;
  _routing?: string;
  _source?: unknown;
  /** Non-exact fixtures: fields the source holds at least. */
  _source_fields?: Record<string, unknown>;
}

const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { snapshot: string; docs: ExpectedDoc[] }>;
const target = new ClusterClient({ endpoint: testbedEndpoints().target });
const failedDocsDir = mkdtempSync(join(tmpdir(), 'failed-docs-'));
const sessions: string[] = [];
let created: string[] = [];

async function dropTargetIndices(names: string[]): Promise<void> {
  for (const name of names) await target.request('DELETE', `/${name}`, { expectStatus: [404] });
}

afterEach(async () => {
  await dropTargetIndices(created);
  created = [];
});

afterAll(async () => {
  for (const session of sessions) await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  rmSync(failedDocsDir, { recursive: true, force: true });
  target.close();
});

/** Runs one worker over the fixture until it exits; returns the session used. */
async function migrate(name: string, indices: string[], extra: string[] = []): Promise<string> {
  const session = `fx_${randomUUID().slice(0, 8)}`;
  sessions.push(session);
  await dropTargetIndices(created);
  const args = ['--snapshot-name', expected[name].snapshot, '--snapshot-local-dir', fixture(name), '--target-host', testbedEndpoints().target, '--session-name', session, '--index-allowlist', indices.join(','), '--failed-docs-dir', failedDocsDir, ...extra];
  expect(await exitOf(startWorker(args), 60_000)).toBe(0);
  return session;
}

function expectedOn(name: string, index: string, type?: string): DocKey[] {
  return expected[name].docs
    .filter((d) => d._index === index && (type === undefined || d._type === type))
    .map((d) => ({ id: d._id, ...(d._routing ? { routing: d._routing } : {}), source: d._source_fields ? (expect.objectContaining(d._source_fields) as unknown) : d._source }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

it('merges the two types of an Elasticsearch 5 index into one index without types', async () => {
  // GIVEN the 5.x index with type1 and type2 (restored into 6.8 and force-merged)
  const name = 'ES_6_8_Updates_Deletes_Merged';
  created = ['test_updates_deletes'];

  // WHEN migrated with the default rule
  const session = await migrate(name, ['test_updates_deletes']);

  // THEN every document is in the one index with its id and source, and status says done
  expect(await allDocuments(target, 'test_updates_deletes')).toEqual(expectedOn(name, 'test_updates_deletes'));
  expect(await readBackfillProgress(target, { sessionName: session })).toMatchObject({ shards: { total: 1, completed: 1 }, documents: { migrated: 3, failed: 0 } });
}, 90_000);

it('splits the two types of an Elasticsearch 5 index into <index>_<type> indices', async () => {
  const name = 'ES_6_8_Updates_Deletes_Merged';
  created = ['test_updates_deletes_type1', 'test_updates_deletes_type2', 'test_updates_deletes'];

  await migrate(name, ['test_updates_deletes'], ['--multi-type-rule', 'split']);

  expect(await allDocuments(target, 'test_updates_deletes_type1')).toEqual(expectedOn(name, 'test_updates_deletes', 'type1'));
  expect(await allDocuments(target, 'test_updates_deletes_type2')).toEqual(expectedOn(name, 'test_updates_deletes', 'type2'));
  const exists = await target.request('HEAD', '/test_updates_deletes', { expectStatus: [404] });
  expect(exists.status).toBe(404);
}, 90_000);

it('moves only the live documents of an ES 7.10 soft-deletes index, pretty-printed _source included', async () => {
  // GIVEN a shard with a fully deleted segment, tombstones, and a _source stored with raw newlines
  const name = 'ES_7_10_Updates_Deletes_w_Soft';
  created = ['test_updates_deletes'];

  await migrate(name, ['test_updates_deletes']);

  // THEN exactly the 3 live documents arrive, the multi-line one parsed to the same value
  expect(await allDocuments(target, 'test_updates_deletes')).toEqual(expectedOn(name, 'test_updates_deletes'));
}, 90_000);

it('keeps _routing and creates the aliases of an ES 7.10 snapshot', async () => {
  const name = 'ES_7_10_Single';
  created = ['posts_2023_02_25', 'posts_2024_01_01'];

  await migrate(name, created);

  for (const index of created) expect(await allDocuments(target, index)).toEqual(expectedOn(name, index));
  const aliases = await target.request<Record<string, { aliases: Record<string, unknown> }>>('GET', '/posts_2024_01_01/_alias');
  expect(Object.keys(aliases.body.posts_2024_01_01.aliases).sort()).toEqual(['another_alias', 'current_posts']);
}, 90_000);
