/**
 * The backfill worker from live snapshots of the newest sources into the test bed's OpenSearch 2.19:
 * OpenSearch 3.3 (Lucene 10 segments, shards in hashed folders), Elasticsearch 8.19 (Lucene 9, zstd
 * `best_compression`) and Elasticsearch 9.2 (Lucene 10, zstd). Each index is created from the snapshot's
 * metadata and every live document arrives with its id, routing and _source.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { workingStateIndex } from '../../src/backfill/working-state';
import { allDocuments, exitOf, seedIndices, snapshot, startWorker } from '../support/backfill';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const started = (name: string, endpoint: string | undefined) => endpoint ?? `http://${name}-was-not-started-by-the-test-bed.invalid`;

/** Label, source endpoint, and the codec its index is created with. */
const sources: [string, string, string][] = [
  ['OpenSearch 3.3', started('os3', endpoints.os3), 'default'],
  ['Elasticsearch 8.19', started('es8', endpoints.es8), 'best_compression'],
  ['Elasticsearch 9.2', started('es9', endpoints.es9), 'best_compression'],
];

describe.each(sources)('a backfill from %s', (label, sourceEndpoint, codec) => {
  const source = new ClusterClient({ endpoint: sourceEndpoint, timeoutMs: 120_000 });
  const target = new ClusterClient({ endpoint: endpoints.target });
  const prefix = `bfn-${randomUUID().slice(0, 8)}`;
  const index = { name: `${prefix}-orders`, shards: 2, documents: 600, settings: { 'index.codec': codec } };
  const repoName = `${prefix}-repo`;
  const session = `${prefix}_session`;

  beforeAll(async () => {
    await seedIndices(source, [index]);
    await snapshot(source, repoName, join(endpoints.repoDir, repoName), [index.name]);
  }, 120_000);

  afterAll(async () => {
    await target.request('DELETE', `/${index.name}`, { expectStatus: [404] });
    await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
    await source.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] });
    await source.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] });
    await source.request('DELETE', `/${index.name}`, { expectStatus: [404] });
    source.close();
    target.close();
  });

  it(`moves the ${label} snapshot into OpenSearch 2.19 exactly`, async () => {
    // GIVEN a snapshot of an index with routed, updated and deleted documents
    const want = await allDocuments(source, index.name);

    // WHEN one worker runs until it exits by itself
    const args = ['--snapshot-name', 'snap', '--snapshot-local-dir', join(endpoints.repoDir, repoName), '--target-host', endpoints.target, '--session-name', session];
    expect(await exitOf(startWorker(args), 90_000)).toBe(0);

    // THEN the target index was created from the snapshot's metadata and holds exactly the live documents
    const settings = await target.request<Record<string, { settings: { index: Record<string, unknown> } }>>('GET', `/${index.name}/_settings`);
    expect(settings.body[index.name].settings.index).toMatchObject({ number_of_shards: '2' });
    const got = await allDocuments(target, index.name);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    expect(got.some((d) => d.routing !== undefined)).toBe(true);
    expect(await readBackfillProgress(target, { sessionName: session })).toMatchObject({ shards: { total: 2, completed: 2 }, documents: { migrated: want.length, failed: 0 } });
  }, 120_000);
});
