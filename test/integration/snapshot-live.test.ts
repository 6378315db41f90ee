/**
 * Snapshots made live on the test bed's clusters, read by our own reader and compared document for
 * document with each cluster's own search: default and best_compression codecs, a compressed repository
 * with a tiny chunk size (multi-part blobs), updates, deletes, routing, nested fields, a multi-megabyte
 * document, many segments and an empty index. The same repository is then read through S3.
 * OpenSearch 3.3 (Lucene 10) also gets its own cases: the hashed shard layouts it writes by default,
 * doc-values skip indexes next to soft deletes, a document rejected half-way through indexing, metadata.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ClusterClient } from '../../src/cluster';
import { convertLegacyTemplate } from '../../src/backfill/template-metadata';
import { decodeMappings, dumpSnapshot, openRepository, openSnapshotShard } from '../../src/snapshot';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

interface Doc {
  _index: string;
  _id: string;
  _type?: string;
  _routing?: string;
  _source: unknown;
}

// Started by default since OpenSearch 3 joined the test bed: a missing endpoint is a failure, not a skip.
const os3 = endpoints.os3 ?? 'http://os3-was-not-started-by-the-test-bed.invalid';

// Elasticsearch 5.6 too: started by default since it joined the test bed.
const es56 = endpoints.es56 ?? 'http://es56-was-not-started-by-the-test-bed.invalid';

// And Elasticsearch 6.8, 8.19 and 9.2.
const started = (name: string, endpoint: string | undefined) => endpoint ?? `http://${name}-was-not-started-by-the-test-bed.invalid`;

/**
 * Label, endpoint, the mapping type requests name (none from 7.x; 5.x refuses `_doc`), and the stored-fields
 * format its `best_compression` codec writes (Elasticsearch 8.14+ turned it into zstd).
 */
const clusters: [string, string, string | undefined, string][] = [
  ['Elasticsearch 7.10', endpoints.source, undefined, 'Lucene87StoredFieldsFormat BEST_COMPRESSION'],
  ['OpenSearch 2.19', endpoints.target, undefined, 'Lucene90StoredFieldsFormat BEST_COMPRESSION'],
  ['OpenSearch 3.3', os3, undefined, 'Lucene90StoredFieldsFormat BEST_COMPRESSION'],
  ['Elasticsearch 5.6', es56, 'doc', 'Lucene50StoredFieldsFormat BEST_COMPRESSION'],
  ['Elasticsearch 6.8', started('es68', endpoints.es68), '_doc', 'Lucene50StoredFieldsFormat BEST_COMPRESSION'],
  ['Elasticsearch 8.19', started('es8', endpoints.es8), undefined, 'Zstd814StoredFieldsFormat BEST_COMPRESSION'],
  ['Elasticsearch 9.2', started('es9', endpoints.es9), undefined, 'Zstd814StoredFieldsFormat BEST_COMPRESSION'],
];

async function dump(repo: string, snapshot: string, options: { region?: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<Doc[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await dumpSnapshot({ repo, snapshot, ...options }, out);
  return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc);
}

/** Every document as the cluster returns it; `_type` only where the dump keeps it (a type other than `_doc`). */
async function searchAll(client: ClusterClient, index: string): Promise<Doc[]> {
  const response = await client.request<{ hits: { hits: { _index: string; _id: string; _type?: string; _routing?: string; _source: unknown }[] } }>('POST', `/${index}/_search`, {
    body: { size: 10000, query: { match_all: {} } },
    idempotent: true,
  });
  return response.body.hits.hits.map((h) => ({
    _index: h._index,
    _id: h._id,
    ...(h._type && h._type !== '_doc' ? { _type: h._type } : {}),
    ...(h._routing ? { _routing: h._routing } : {}),
    _source: h._source,
  }));
}

const byKey = (docs: Doc[]) => [...docs].sort((a, b) => `${a._index}/${a._type ?? ''}/${a._id}`.localeCompare(`${b._index}/${b._type ?? ''}/${b._id}`));

/** Every file of a folder repository, as paths relative to it. */
function repositoryFiles(repoPath: string): string[] {
  return readdirSync(repoPath, { recursive: true }).map(String).filter((f) => statSync(join(repoPath, f)).isFile());
}

/**
 * The S3 key each file of a folder repository would have had if the cluster had written the repository to
 * S3 with `basePath`: every blob under the base path, except OpenSearch's hashed-prefix shard folders, which
 * its `snapshot_shard_paths` records list and which it puts in front of the base path.
 */
function s3Objects(repoPath: string, basePath: string): { key: string; body: Buffer }[] {
  const recordsDir = join(repoPath, 'snapshot_shard_paths');
  const prefixFolders = new Set<string>();
  for (const name of existsSync(recordsDir) ? readdirSync(recordsDir) : []) {
    const record = JSON.parse(readFileSync(join(recordsDir, name), 'utf8')) as { shard_path_type: number; paths: string[] };
    if (record.shard_path_type === 1) for (const path of record.paths) prefixFolders.add(path.split('/')[0]);
  }
  return repositoryFiles(repoPath).map((file) => {
    const [first, ...rest] = file.split('/');
    let body = readFileSync(join(repoPath, file));
    if (first === 'snapshot_shard_paths') {
      // The record names the folders as written, base path included.
      const record = JSON.parse(body.toString('utf8')) as { shard_path_type: number; paths: string[] };
      if (record.shard_path_type === 1) record.paths = record.paths.map((p) => p.replace(/^([^/]+)\//, `$1/${basePath}/`));
      else record.paths = record.paths.map((p) => `${basePath}/${p}`);
      body = Buffer.from(JSON.stringify(record));
    }
    return { key: prefixFolders.has(first) ? `${first}/${basePath}/${rest.join('/')}` : `${basePath}/${file}`, body };
  });
}

const s3Credentials = { accessKeyId: endpoints.s3AccessKeyId, secretAccessKey: endpoints.s3SecretAccessKey };

async function copyToS3(repoPath: string, bucket: string, basePath: string): Promise<void> {
  const s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.s3Region, forcePathStyle: true, credentials: s3Credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const { key, body } of s3Objects(repoPath, basePath)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  s3.destroy();
}

describe.each(clusters)('a live snapshot of %s', (_label, endpoint, typeName, bestCompressionFormat) => {
  const client = new ClusterClient({ endpoint, timeoutMs: 120_000 });
  const prefix = `live-${randomUUID().slice(0, 8)}`;
  const indices = { plain: `${prefix}-plain`, best: `${prefix}-best`, empty: `${prefix}-empty` };
  const repoName = `${prefix}-repo`;
  const repoPath = join(endpoints.repoDir, repoName);
  const type = typeName ? { _type: typeName } : {};
  let expected: Doc[];

  beforeAll(async () => {
    // GIVEN three indices: default codec (2 shards, nested mapping), best_compression, and empty
    const mappings = { properties: { comments: { type: 'nested' } } };
    await client.request('PUT', `/${indices.plain}`, { body: { settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: -1 }, mappings: typeName ? { [typeName]: mappings } : mappings } });
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
    await client.request('PUT', `/${indices.best}/${typeName ?? '_doc'}/big`, { body: big });
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
    // The repository really used multi-part blobs (under indices/, or under the hashed shard folders).
    expect(repositoryFiles(repoPath).some((f) => f.includes('.part1'))).toBe(true);
  });

  it('read the best_compression index in the stored-fields format that codec writes', async () => {
    // The documents above came out of these segments, so a wrong decompressor would have failed there.
    const repo = openRepository(repoPath);
    const { reader } = await openSnapshotShard(repo, await repo.snapshot('snap'), indices.best, 0);
    expect(reader.segments.length).toBeGreaterThan(0);
    expect(new Set(reader.segments.map((s) => s.storedFields))).toEqual(new Set([bestCompressionFormat]));
  });

  it('reads the same documents through S3', async () => {
    // GIVEN the repository in a bucket of the S3-compatible server, laid out as the cluster lays out S3
    const bucket = `${prefix}-bucket`;
    await copyToS3(repoPath, bucket, 'repos');

    // WHEN reading it with ranged GETs through the SDK
    const docs = await dump(`s3://${bucket}/repos`, 'snap', { region: endpoints.s3Region, endpoint: endpoints.s3, credentials: s3Credentials });

    // THEN it matches the cluster too
    expect(byKey(docs)).toEqual(byKey(expected));
  }, 120_000);
});

describe('a live snapshot of OpenSearch 3.3 (Lucene 10)', () => {
  const client = new ClusterClient({ endpoint: os3, timeoutMs: 120_000 });
  const prefix = `os3-${randomUUID().slice(0, 8)}`;
  const index = `${prefix}-events`;
  const derived = `${prefix}-derived`;
  const templates = { legacy: `${prefix}-legacy`, component: `${prefix}-component`, composable: `${prefix}-composable` };
  const repos = { prefix: `${prefix}-hashed-prefix`, infix: `${prefix}-hashed-infix` };
  const repoPath = (name: string) => join(endpoints.repoDir, name);
  const rejectedId = 'rejected';
  const copies: string[] = [];
  let expected: Doc[];

  /** The `index-N` entry of our index: its id and the shard path type the cluster chose. */
  const catalogueEntry = (name: string) => {
    const newest = Math.max(...readdirSync(repoPath(name)).filter((f) => /^index-\d+$/.test(f)).map((f) => Number(f.slice(6))));
    const catalogue = JSON.parse(readFileSync(join(repoPath(name), `index-${newest}`), 'utf8')) as { indices: Record<string, { id: string; shard_path_type?: number }> };
    return catalogue.indices[index];
  };

  beforeAll(async () => {
    // GIVEN templates of the three kinds, and an index whose numeric and date fields have skip indexes
    await client.request('PUT', `/_template/${templates.legacy}`, { body: { index_patterns: [`${prefix}-legacy-*`], settings: { number_of_shards: 1 } } });
    await client.request('PUT', `/_component_template/${templates.component}`, { body: { template: { mappings: { properties: { tag: { type: 'keyword' } } } } } });
    await client.request('PUT', `/_index_template/${templates.composable}`, { body: { index_patterns: [`${prefix}-composed-*`], composed_of: [templates.component] } });
    await client.request('PUT', `/${index}`, {
      body: {
        settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: -1 },
        mappings: { properties: { n: { type: 'long', skip_list: true }, at: { type: 'date', skip_list: true }, k: { type: 'keyword' }, text: { type: 'text' } } },
      },
    });
    const bulk = async (lines: object[]) =>
      (await client.request<{ items: { index?: { status: number }; delete?: { status: number } }[] }>('POST', '/_bulk', { body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true })).body.items;
    // Three batches with a refresh in between: three segments per shard.
    for (let batch = 0; batch < 3; batch++) {
      const lines: object[] = [];
      for (let i = batch * 100; i < (batch + 1) * 100; i++) {
        lines.push({ index: { _index: index, _id: `e${i}`, ...(i % 4 === 0 ? { routing: `tenant-${i % 3}` } : {}) } }, { n: i, at: 1_700_000_000_000 + i * 1000, k: `key-${i % 10}`, text: `event ${i}` });
      }
      expect((await bulk(lines)).every((item) => item.index?.status === 201)).toBe(true);
      await client.request('POST', `/${index}/_refresh`);
    }
    // Updates and deletes are soft deletes: values of the soft-deletes field, whose doc-values entry
    // follows the skip-indexed fields' in each segment's .dvm.
    const changes: object[] = [];
    for (let i = 0; i < 300; i += 5) {
      const routing = (d: number) => (d % 4 === 0 ? { routing: `tenant-${d % 3}` } : {});
      changes.push({ index: { _index: index, _id: `e${i}`, ...routing(i) } }, { n: i, at: 1_800_000_000_000, k: 'updated', text: `updated ${i}` });
      changes.push({ delete: { _index: index, _id: `e${i + 2}`, ...routing(i + 2) } });
    }
    // A document Lucene rejects half-way (a keyword term over 32 KB) between two good ones.
    changes.push({ index: { _index: index, _id: 'before' } }, { n: -1, k: 'before' });
    changes.push({ index: { _index: index, _id: rejectedId } }, { n: -2, k: 'x'.repeat(40_000) });
    changes.push({ index: { _index: index, _id: 'after' } }, { n: -3, k: 'after' });
    const items = await bulk(changes);
    expect(items.at(-2)?.index?.status).toBe(400);
    await client.request('POST', `/${index}/_refresh`);
    // And an index with derived source, which keeps no _source in its segments.
    await client.request('PUT', `/${derived}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, 'index.derived_source.enabled': true }, mappings: { properties: { n: { type: 'long' } } } } });
    await client.request('PUT', `/${derived}/_doc/1`, { query: { refresh: 'true' }, body: { n: 1 } });

    // WHEN snapshotting into a repository with the default settings and one asking for the infix layout
    await client.request('PUT', `/_snapshot/${repos.prefix}`, { body: { type: 'fs', settings: { location: repoPath(repos.prefix) } } });
    await client.request('PUT', `/_snapshot/${repos.infix}`, { body: { type: 'fs', settings: { location: repoPath(repos.infix), shard_path_type: 'hashed_infix' } } });
    for (const repo of Object.values(repos)) {
      const snap = await client.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repo}/snap`, { query: { wait_for_completion: true }, body: { indices: index } });
      expect(snap.body.snapshot.state).toBe('SUCCESS');
    }
    const snap = await client.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repos.prefix}/derived`, { query: { wait_for_completion: true }, body: { indices: derived } });
    expect(snap.body.snapshot.state).toBe('SUCCESS');
    expected = await searchAll(client, index);
  }, 180_000);

  afterAll(async () => {
    await client.request('DELETE', `/_snapshot/${repos.prefix}/derived`, { expectStatus: [404] }).catch(() => undefined);
    for (const repo of Object.values(repos)) {
      await client.request('DELETE', `/_snapshot/${repo}/snap`, { expectStatus: [404] }).catch(() => undefined);
      await client.request('DELETE', `/_snapshot/${repo}`, { expectStatus: [404] }).catch(() => undefined);
    }
    await client.request('DELETE', `/${index},${derived}`, { expectStatus: [404] });
    await client.request('DELETE', `/_index_template/${templates.composable}`, { expectStatus: [404] });
    await client.request('DELETE', `/_component_template/${templates.component}`, { expectStatus: [404] });
    await client.request('DELETE', `/_template/${templates.legacy}`, { expectStatus: [404] });
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
    client.close();
  });

  it('writes shards in the hashed-prefix layout by default, and the reader finds them', async () => {
    // GIVEN the catalogue says HASHED_PREFIX and the fixed shard folders hold nothing
    const entry = catalogueEntry(repos.prefix);
    expect(entry.shard_path_type).toBe(1);
    expect(readdirSync(join(repoPath(repos.prefix), 'indices', entry.id))).toEqual([expect.stringMatching(/^meta-.*\.dat$/)]);

    // WHEN dumping THEN the documents are the cluster's: soft deletes applied, routing kept, no rejected document
    const docs = await dump(repoPath(repos.prefix), 'snap');
    expect(byKey(docs)).toEqual(byKey(expected));
    expect(docs.map((d) => d._id)).toEqual(expect.arrayContaining(['before', 'after']));
    expect(docs.map((d) => d._id)).not.toContain(rejectedId);
    expect(docs.filter((d) => d._routing).length).toBeGreaterThan(0);
  });

  it('reads the hashed-infix layout', async () => {
    expect(catalogueEntry(repos.infix).shard_path_type).toBe(2);
    expect(byKey(await dump(repoPath(repos.infix), 'snap'))).toEqual(byKey(expected));
  });

  it('computes the hashed folder names itself when the snapshot_shard_paths records are gone', async () => {
    // GIVEN copies of both repositories without the records that list each shard's folder
    for (const repo of Object.values(repos)) {
      const copy = mkdtempSync(join(tmpdir(), 'os3-no-records-'));
      copies.push(copy);
      cpSync(repoPath(repo), copy, { recursive: true });
      rmSync(join(copy, 'snapshot_shard_paths'), { recursive: true });

      // WHEN dumping THEN the folders computed from the index id and shard number are the right ones
      expect(byKey(await dump(copy, 'snap'))).toEqual(byKey(expected));
    }
  });

  it('reads the hashed-prefix layout through S3, where the hashed folders sit in front of the base path', async () => {
    const bucket = `${prefix}-bucket`;
    await copyToS3(repoPath(repos.prefix), bucket, 'backups/os3');
    const docs = await dump(`s3://${bucket}/backups/os3`, 'snap', { region: endpoints.s3Region, endpoint: endpoints.s3, credentials: s3Credentials });
    expect(byKey(docs)).toEqual(byKey(expected));
  }, 120_000);

  it('reads index metadata and the three kinds of templates', async () => {
    const repo = openRepository(repoPath(repos.prefix));
    const snapshot = await repo.snapshot('snap');
    expect(snapshot).toMatchObject({ state: 'SUCCESS', version: '3.3.0', indices: [index] });
    const metadata = await repo.indexMetadata(snapshot, index);
    expect(metadata).toMatchObject({ numberOfShards: 2, createdVersion: { flavor: 'opensearch', major: 3, minor: 3, patch: 0 } });
    expect(metadata.mappings._doc).toMatchObject({ properties: { n: { type: 'long', skip_list: true }, k: { type: 'keyword' } } });
    const global = await repo.globalMetadata(snapshot);
    expect(global.templates[templates.legacy]).toMatchObject({ index_patterns: [`${prefix}-legacy-*`] });
    expect(global.indexTemplates[templates.composable]).toMatchObject({ composed_of: [templates.component] });
    expect(global.componentTemplates[templates.component]).toMatchObject({ template: { mappings: expect.anything() } });
  });

  it('refuses an index with derived source instead of losing its documents silently', async () => {
    // GIVEN a snapshot of an index whose documents keep no _source (its metadata still reads)
    const repo = openRepository(repoPath(repos.prefix));
    const metadata = await repo.indexMetadata(await repo.snapshot('derived'), derived);
    expect(metadata.settings['index.derived_source.enabled']).toBe('true');

    // WHEN dumping it THEN the reader fails, naming the index and the reason
    await expect(dump(repoPath(repos.prefix), 'derived')).rejects.toMatchObject({
      code: 'MA_LUCENE_UNSUPPORTED',
      message: expect.stringMatching(new RegExp(`index "${derived}".*without a stored _source`)),
    });
  });
});

describe('a live snapshot of Elasticsearch 5.6 (Lucene 6, several mapping types)', () => {
  const client = new ClusterClient({ endpoint: es56, timeoutMs: 120_000 });
  const prefix = `es56-${randomUUID().slice(0, 8)}`;
  const index = `${prefix}-library`;
  const merged = `${prefix}-merged`;
  const template = `${prefix}-legacy`;
  const repoName = `${prefix}-repo`;
  const repoPath = join(endpoints.repoDir, repoName);
  let expected: Doc[];

  beforeAll(async () => {
    // GIVEN a legacy template in the 5.x shape: one `template` pattern and mappings by type
    await client.request('PUT', `/_template/${template}`, {
      body: { template: `${prefix}-logs-*`, order: 2, settings: { number_of_shards: 1 }, mappings: { event: { _all: { enabled: false }, properties: { msg: { type: 'text' } } } }, aliases: { [`${prefix}-all-logs`]: {} } },
    });
    // AND an index with three types: authors, their books (children routed to their parent) and notes,
    // some with custom routing and some whose id an author also has
    await client.request('PUT', `/${index}`, {
      body: {
        settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: -1 },
        mappings: {
          author: { properties: { name: { type: 'keyword' }, born: { type: 'integer' } } },
          book: { _parent: { type: 'author' }, properties: { title: { type: 'text' }, year: { type: 'integer' } } },
          note: { properties: { body: { type: 'text' }, tags: { type: 'keyword' } } },
        },
      },
    });
    const bulk = async (lines: object[]) => {
      const response = await client.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true });
      expect(response.body.errors).toBe(false);
    };
    const noteRouting = (i: number) => (i % 3 === 0 ? { _routing: `r${i % 5}` } : {});
    // Four batches with a refresh after each: several segments per shard.
    for (let batch = 0; batch < 4; batch++) {
      const lines: object[] = [];
      for (let i = batch * 50; i < (batch + 1) * 50; i++) {
        lines.push({ index: { _index: index, _type: 'author', _id: `a${i}` } }, { name: `Author ${i}`, born: 1900 + i });
        lines.push({ index: { _index: index, _type: 'book', _id: `b${i}`, _parent: `a${i}` } }, { title: `Book ${i} — ünïcödé`, year: 2000 + (i % 20) });
        lines.push({ index: { _index: index, _type: 'note', _id: i % 10 === 0 ? `a${i}` : `n#${i}`, ...noteRouting(i) } }, { body: `note ${i}`, tags: ['x', `t${i % 4}`] });
      }
      await bulk(lines);
      await client.request('POST', `/${index}/_refresh`);
    }
    // Updates and deletes of every type mark older versions deleted in the segments (`.liv`).
    const changes: object[] = [];
    for (let i = 0; i < 200; i += 9) {
      changes.push({ index: { _index: index, _type: 'author', _id: `a${i}` } }, { name: `Author ${i} (updated)`, born: 1800 });
      changes.push({ index: { _index: index, _type: 'book', _id: `b${i + 1}`, _parent: `a${i + 1}` } }, { title: 'updated', year: 1999 });
      changes.push({ delete: { _index: index, _type: 'book', _id: `b${i + 2}`, _parent: `a${i + 2}` } });
      changes.push({ delete: { _index: index, _type: 'note', _id: `n#${i + 4}`, ...noteRouting(i + 4) } });
    }
    await bulk(changes);
    await client.request('POST', `/${index}/_refresh`);
    // AND an index force-merged into one segment too large for a compound file, with deletes after the merge
    await client.request('PUT', `/${merged}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1 } } });
    for (let batch = 0; batch < 3; batch++) {
      const lines: object[] = [];
      for (let i = batch * 300; i < (batch + 1) * 300; i++) lines.push({ index: { _index: merged, _type: 'event', _id: String(i) } }, { n: i, text: `event ${i} `.repeat(1 + (i % 7)) });
      await bulk(lines);
      await client.request('POST', `/${merged}/_refresh`);
    }
    await client.request('POST', `/${merged}/_forcemerge`, { query: { max_num_segments: '1' } });
    await bulk(Array.from({ length: 30 }, (_, k) => ({ delete: { _index: merged, _type: 'event', _id: String(k * 29) } })));
    await client.request('POST', `/${merged}/_refresh`);

    // WHEN snapshotting it with the cluster's global state
    await client.request('PUT', `/_snapshot/${repoName}`, { body: { type: 'fs', settings: { location: repoPath } } });
    const snap = await client.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repoName}/snap`, { query: { wait_for_completion: true }, body: { indices: `${index},${merged}` } });
    expect(snap.body.snapshot.state).toBe('SUCCESS');
    expected = [...(await searchAll(client, index)), ...(await searchAll(client, merged))];
  }, 180_000);

  afterAll(async () => {
    await client.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] }).catch(() => undefined);
    await client.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] }).catch(() => undefined);
    await client.request('DELETE', `/${index},${merged}`, { expectStatus: [404] });
    await client.request('DELETE', `/_template/${template}`, { expectStatus: [404] });
    client.close();
  });

  it('gives back every live document with its type, id, routing and exact _source', async () => {
    const docs = await dump(repoPath, 'snap');
    expect(docs.length).toBe(expected.length);
    expect(byKey(docs)).toEqual(byKey(expected));
    // The same id under two types is two documents; a child carries its parent's id as routing; `#` stays in the id.
    expect(docs.filter((d) => d._id === 'a10').map((d) => d._type).sort()).toEqual(['author', 'note']);
    expect(docs.find((d) => d._type === 'book' && d._id === 'b7')).toMatchObject({ _routing: 'a7', _source: { title: 'Book 7 — ünïcödé', year: 2007 } });
    expect(docs.find((d) => d._id === 'n#3')).toMatchObject({ _type: 'note', _routing: 'r3' });
    expect(docs.some((d) => d._id === 'n#4' || d._id === 'b2')).toBe(false);
    expect(docs.filter((d) => d._index === merged).length).toBe(870);
  });

  it('reads Lucene 6 segments: several per shard, with deleted documents', async () => {
    const repo = openRepository(repoPath);
    const snapshot = await repo.snapshot('snap');
    for (const shard of [0, 1]) {
      const { reader } = await openSnapshotShard(repo, snapshot, index, shard);
      expect(reader.segments.length).toBeGreaterThan(1);
      expect(reader.segments.every((s) => s.luceneVersion.startsWith('6.6.') && s.codec === 'Lucene62')).toBe(true);
      expect(reader.segments.some((s) => s.liveDocs < s.maxDoc)).toBe(true);
    }
    // The merged segment's files are plain files (no .cfs), with its deletions in a .liv file.
    const { reader, files } = await openSnapshotShard(repo, snapshot, merged, 0);
    expect(reader.segments).toEqual([expect.objectContaining({ maxDoc: 900, liveDocs: 870, codec: 'Lucene62' })]);
    const names = files.files.map((f) => f.physicalName);
    expect(names.some((n) => n.endsWith('.fdt'))).toBe(true);
    expect(names.some((n) => n.endsWith('.cfs'))).toBe(false);
    expect(names.some((n) => n.endsWith('.liv'))).toBe(true);
  });

  it('reads the index metadata with one mapping per type', async () => {
    const repo = openRepository(repoPath);
    const snapshot = await repo.snapshot('snap');
    const metadata = await repo.indexMetadata(snapshot, index);
    expect(metadata).toMatchObject({ numberOfShards: 2, createdVersion: { flavor: 'elasticsearch', major: 5, minor: 6, patch: 16 } });
    expect(Object.keys(metadata.mappings).sort()).toEqual(['author', 'book', 'note']);
    expect(metadata.mappings.book).toMatchObject({ _parent: { type: 'author' }, properties: { title: { type: 'text' }, year: { type: 'integer' } } });
    expect(metadata.mappings.note).toMatchObject({ properties: { tags: { type: 'keyword' } } });
    expect(await repo.snapshotInfo(snapshot)).toMatchObject({ version_id: 5061699, state: 'SUCCESS', indices: expect.arrayContaining([index, merged]) });
  });

  it('reads a 5.x legacy template from the global metadata and converts it', async () => {
    const repo = openRepository(repoPath);
    const global = await repo.globalMetadata(await repo.snapshot('snap'));
    const raw = global.templates[template] as { template: string; order: number; mappings: unknown };
    expect(raw).toMatchObject({ template: `${prefix}-logs-*`, order: 2 });
    expect(decodeMappings(raw.mappings, 'test')).toEqual({ event: { _all: { enabled: false }, properties: { msg: { type: 'text' } } } });
    expect(convertLegacyTemplate(template, raw)).toEqual({
      index_patterns: [`${prefix}-logs-*`],
      order: 2,
      settings: { 'index.number_of_shards': '1' },
      mappings: { properties: { msg: { type: 'text' } } },
      aliases: { [`${prefix}-all-logs`]: {} },
    });
  });
});
