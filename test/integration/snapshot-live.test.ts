/**
 * Snapshots made live on the test bed's clusters, read by our own reader and compared document for
 * document with each cluster's own search: default and best_compression codecs, a compressed repository
 * with a tiny chunk size (multi-part blobs), updates, deletes, routing, nested fields, a multi-megabyte
 * document, many segments and an empty index. The same repository is then read through S3.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ClusterClient } from '../../src/cluster';
import { dumpSnapshot } from '../../src/snapshot';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

interface Doc {
  _index: string;
  _id: string;
  _routing?: string;
  _source: unknown;
}

const clusters: [string, string, boolean][] = [
  ['Elasticsearch 7.10', endpoints.source, false],
  ['OpenSearch 2.19', endpoints.target, false],
  ...(endpoints.es68 ? ([['Elasticsearch 6.8', endpoints.es68, true]] as [string, string, boolean][]) : []),
];

async function dump(repo: string, snapshot: string, options: { region?: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<Doc[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await dumpSnapshot({ repo, snapshot, ...options }, out);
  return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc);
}

async function searchAll(client: ClusterClient, index: string): Promise<Doc[]> {
  const response = await client.request<{ hits: { hits: { _index: string; _id: string; _routing?: string; _source: unknown }[] } }>('POST', `/${index}/_search`, {
    body: { size: 10000, query: { match_all: {} } },
    idempotent: true,
  });
  return response.body.hits.hits.map((h) => ({ _index: h._index, _id: h._id, ...(h._routing ? { _routing: h._routing } : {}), _source: h._source }));
}

const byKey = (docs: Doc[]) => [...docs].sort((a, b) => `${a._index}/${a._id}`.localeCompare(`${b._index}/${b._id}`));

describe.each(clusters)('a live snapshot of %s', (_label, endpoint, typed) => {
  const client = new ClusterClient({ endpoint, timeoutMs: 120_000 });
  const prefix = `live-${randomUUID().slice(0, 8)}`;
  const indices = { plain: `${prefix}-plain`, best: `${prefix}-best`, empty: `${prefix}-empty` };
  const repoName = `${prefix}-repo`;
  const repoPath = join(endpoints.repoDir, repoName);
  const type = typed ? { _type: '_doc' } : {};
  let expected: Doc[];

  beforeAll(async () => {
    // GIVEN three indices: default codec (2 shards, nested mapping), best_compression, and empty
    const mappings = { properties: { comments: { type: 'nested' } } };
    await client.request('PUT', `/${indices.plain}`, { body: { settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: -1 }, mappings: typed ? { _doc: mappings } : mappings } });
    await client.request('PUT', `/${indices.best}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, 'index.codec': 'best_compression' } } });
    await client.request('PUT', `/${indices.empty}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0 } } });
    const bulk = async (lines: object[]) => {
      const response = await client.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true });
      expect(response.body.errors).toBe(false);
    };
    // Several batches with a refresh in between make several segments.
    for (let batch = 0; batch < 4; batch++) {
      const lines: object[] = [];
      for (let i = batch * 150; i < (batch + 1) * 150; i++) {
        const routing = i % 3 === 0 ? { routing: `r${i % 7}` } : {};
        lines.push({ index: { _index: indices.plain, _id: `doc-${i}`, ...type, ...routing } }, { n: i, title: `document ${i}`, comments: [{ by: 'a', text: `c${i}` }, { by: 'b', text: 'second' }] });
        lines.push({ index: { _index: indices.best, _id: `${i}`, ...type } }, { n: i, body: 'x'.repeat(200 + (i % 50)) });
      }
      await bulk(lines);
      await client.request('POST', `/${indices.plain},${indices.best}/_refresh`);
    }
    // Updates and deletes leave deleted versions behind in the segments.
    const changes: object[] = [];
    for (let i = 0; i < 600; i += 10) {
      const routing = i % 3 === 0 ? { routing: `r${i % 7}` } : {};
      changes.push({ index: { _index: indices.plain, _id: `doc-${i}`, ...type, ...routing } }, { n: i, title: `updated ${i}`, comments: [] });
      changes.push({ delete: { _index: indices.plain, _id: `doc-${i + 5}`, ...type, ...(((i + 5) % 3 === 0) ? { routing: `r${(i + 5) % 7}` } : {}) } });
      changes.push({ delete: { _index: indices.best, _id: `${i + 1}`, ...type } });
    }
    await bulk(changes);
    // A document of several megabytes spans several compressed slices.
    const big = { n: -1, title: 'big', blob: Array.from({ length: 60_000 }, (_, k) => `word${k % 997}`).join(' ') };
    await client.request('PUT', `/${indices.best}/${typed ? '_doc' : '_doc'}/big`, { body: big });
    await client.request('POST', `/${Object.values(indices).join(',')}/_refresh`);

    // WHEN snapshotting into a compressed repository with a tiny chunk size
    await client.request('PUT', `/_snapshot/${repoName}`, { body: { type: 'fs', settings: { location: repoPath, compress: true, chunk_size: '64kb' } } });
    const snap = await client.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repoName}/snap`, { query: { wait_for_completion: true }, body: { indices: Object.values(indices).join(',') } });
    expect(snap.body.snapshot.state).toBe('SUCCESS');
    expected = [...(await searchAll(client, indices.plain)), ...(await searchAll(client, indices.best))];
  }, 180_000);

  afterAll(async () => {
    await client.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] }).catch(() => undefined);
    await client.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] }).catch(() => undefined);
    await client.request('DELETE', `/${Object.values(indices).join(',')}`, { expectStatus: [404] });
    client.close();
  });

  it('holds exactly the documents the cluster returns, with routing and _source', async () => {
    // THEN the reader sees every live document once, and no deleted or superseded version
    const docs = await dump(repoPath, 'snap');
    expect(docs.filter((d) => d._index === indices.empty)).toEqual([]);
    expect(docs.length).toBe(expected.length);
    expect(byKey(docs)).toEqual(byKey(expected));
    expect(docs.find((d) => d._id === 'big')?._source).toMatchObject({ title: 'big' });
    // The repository really used multi-part blobs.
    expect(readdirSync(join(repoPath, 'indices'), { recursive: true }).some((f) => String(f).includes('.part1'))).toBe(true);
  });

  it('reads the same documents through S3', async () => {
    // GIVEN the repository copied into a bucket of the S3-compatible server
    const credentials = { accessKeyId: endpoints.s3AccessKeyId, secretAccessKey: endpoints.s3SecretAccessKey };
    const s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.s3Region, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const bucket = `${prefix}-bucket`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const files = readdirSync(repoPath, { recursive: true }).map(String).filter((f) => statSync(join(repoPath, f)).isFile());
    for (const file of files) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `repos/${relative(repoPath, join(repoPath, file))}`, Body: readFileSync(join(repoPath, file)) }));
    }
    s3.destroy();

    // WHEN reading it with ranged GETs through the SDK
    const docs = await dump(`s3://${bucket}/repos`, 'snap', { region: endpoints.s3Region, endpoint: endpoints.s3, credentials });

    // THEN it matches the cluster too
    expect(byKey(docs)).toEqual(byKey(expected));
  }, 120_000);
});
