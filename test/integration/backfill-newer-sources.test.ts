/**
 * The backfill worker from live snapshots of the newest sources into the test bed's OpenSearch 2.19:
 * OpenSearch 3.3 (Lucene 10 segments, shards in hashed folders), Elasticsearch 8.19 (Lucene 9, zstd
 * `best_compression`) and Elasticsearch 9.2 (Lucene 10, zstd). Each index is created from the snapshot's
 * metadata and every live document arrives with its id, routing and _source. Also: Elasticsearch mapping
 * features OpenSearch lacks, converted; and Elasticsearch 9.2 indices whose _source leaves vectors out, refused.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { workingStateIndex } from '../../src/backfill/working-state';
import { allDocuments, exitOf, seedIndices, snapshot, startWorker } from '../support/backfill';
import { dumpSnapshot } from '../../src/snapshot';
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

describe('a backfill of Elasticsearch 8.19 mapping features OpenSearch lacks', () => {
  const source = new ClusterClient({ endpoint: started('es8', endpoints.es8), timeoutMs: 120_000 });
  const target = new ClusterClient({ endpoint: endpoints.target });
  const prefix = `bft-${randomUUID().slice(0, 8)}`;
  const index = `${prefix}-releases`;
  const repoName = `${prefix}-repo`;
  const session = `${prefix}_session`;

  beforeAll(async () => {
    await source.request('PUT', `/${index}`, {
      // (`version` and `counted_keyword` come with X-Pack, which this build of Elasticsearch leaves out.)
      body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { subobjects: false, properties: { labels: { type: 'flattened' }, 'app.release': { type: 'keyword' }, name: { type: 'keyword' } } } },
    });
    const lines = Array.from({ length: 50 }, (_, i) => [{ index: { _index: index, _id: `r${i}` } }, { name: `app-${i % 5}`, 'app.release': `1.${i}.0`, labels: { team: `t${i % 3}`, tier: { level: String(i % 2) } } }]).flat();
    const bulk = await source.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', contentType: 'application/x-ndjson', query: { refresh: 'true' } });
    expect(bulk.body.errors).toBe(false);
    await snapshot(source, repoName, join(endpoints.repoDir, repoName), [index]);
  }, 120_000);

  afterAll(async () => {
    await target.request('DELETE', `/${index}`, { expectStatus: [404] });
    await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
    await source.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] });
    await source.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] });
    await source.request('DELETE', `/${index}`, { expectStatus: [404] });
    source.close();
    target.close();
  });

  it('maps flattened as flat_object and drops subobjects, says so, and moves every document', async () => {
    // WHEN one worker runs until it exits by itself
    const worker = startWorker(['--snapshot-name', 'snap', '--snapshot-local-dir', join(endpoints.repoDir, repoName), '--target-host', endpoints.target, '--session-name', session]);
    let log = '';
    worker.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    expect(await exitOf(worker, 90_000)).toBe(0);

    // THEN the index was created with the equivalent types, the worker named the changes, and the documents match
    const mapping = await target.request<Record<string, { mappings: { properties: Record<string, { type?: string; properties?: Record<string, { type: string }> }> } }>>('GET', `/${index}/_mapping`);
    const properties = mapping.body[index].mappings.properties;
    expect([properties.labels.type, properties.app.properties?.release.type, properties.name.type]).toEqual(['flat_object', 'keyword', 'keyword']);
    const adapted = log.split('\n').find((line) => line.includes('target index mapping adapted for OpenSearch'));
    expect(JSON.parse(adapted ?? '{}')).toMatchObject({ level: 40, index, changes: [expect.stringMatching(/^mapping root: subobjects dropped/), expect.stringMatching(/^field labels: flattened mapped as flat_object/)] });
    expect(await allDocuments(target, index)).toEqual(await allDocuments(source, index));
    // AND flat_object answers a query on a nested label, as flattened did
    const hits = await target.request<{ hits: { total: { value: number } } }>('POST', `/${index}/_search`, { body: { query: { term: { 'labels.tier.level': '1' } } }, idempotent: true });
    expect(hits.body.hits.total.value).toBe(25);
  }, 120_000);
});

describe('Elasticsearch 9.2 vectors left out of _source', () => {
  const source = new ClusterClient({ endpoint: started('es9', endpoints.es9), timeoutMs: 120_000 });
  const prefix = `bfv-${randomUUID().slice(0, 8)}`;
  const indices = { excluded: `${prefix}-excluded`, kept: `${prefix}-kept` };
  const repoName = `${prefix}-repo`;
  const repoPath = join(endpoints.repoDir, repoName);

  beforeAll(async () => {
    // GIVEN two indices with a dense_vector field: one with the 9.2 default, one keeping vectors in _source
    const mappings = { properties: { title: { type: 'keyword' }, embedding: { type: 'dense_vector', dims: 3 } } };
    await source.request('PUT', `/${indices.excluded}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings } });
    await source.request('PUT', `/${indices.kept}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, 'index.mapping.exclude_source_vectors': false }, mappings } });
    for (const index of Object.values(indices)) {
      await source.request('PUT', `/${index}/_doc/1`, { query: { refresh: 'true' }, body: { title: 'one', embedding: [0.5, 0.25, 0.125] } });
    }
    await snapshot(source, repoName, repoPath, Object.values(indices));
  }, 120_000);

  afterAll(async () => {
    await source.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] });
    await source.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] });
    await source.request('DELETE', `/${Object.values(indices).join(',')}`, { expectStatus: [404] });
    source.close();
  });

  it('refuses the index whose _source lacks its vectors, naming the field, and reads the other whole', async () => {
    const lines: string[] = [];
    const out = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    await expect(dumpSnapshot({ repo: repoPath, snapshot: 'snap', indices: [indices.excluded] }, out)).rejects.toMatchObject({
      code: 'MA_SNAPSHOT_UNSUPPORTED',
      message: expect.stringContaining(`index ${indices.excluded} leaves its vector fields (embedding) out of the stored _source`),
    });
    await dumpSnapshot({ repo: repoPath, snapshot: 'snap', indices: [indices.kept] }, out);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ _index: indices.kept, _id: '1', _source: { title: 'one', embedding: [0.5, 0.25, 0.125] } }]);
  });
});
