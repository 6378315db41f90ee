/**
 * An Elasticsearch 5.6 index with several mapping types (authors, their books as parent/child documents,
 * notes with custom routing), snapshotted live, moved into OpenSearch 2.19 by the worker with each
 * multi-type rule (`merge`: one index without types; `split`: one `<index>_<type>` index per type), and
 * its metadata created by `console metadata migrate --multi-type-behavior split`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { workingStateIndex } from '../../src/backfill/working-state';
import { allDocuments, exitOf, startWorker, type DocKey } from '../support/backfill';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
// Started by default: a missing endpoint is a failure, not a skip.
const source = new ClusterClient({ endpoint: endpoints.es56 ?? 'http://es56-was-not-started-by-the-test-bed.invalid', timeoutMs: 120_000 });
const target = new ClusterClient({ endpoint: endpoints.target });
const prefix = `bf56-${randomUUID().slice(0, 8)}`;
const index = `${prefix}-library`;
const template = `${prefix}-legacy`;
const repoName = `${prefix}-repo`;
const repoPath = join(endpoints.repoDir, repoName);
const types = ['author', 'book', 'note'];
const sessions: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ma-backfill-es56-'));
/** The source's live documents by type, as the cluster returns them. */
const want = new Map<string, DocKey[]>();

interface Hit {
  _type: string;
  _id: string;
  _routing?: string;
  _source: unknown;
}

beforeAll(async () => {
  // GIVEN a 5.x legacy template and a three-type index: books are children of authors (routed to them),
  // some notes have custom routing; ids are unique across types
  await source.request('PUT', `/_template/${template}`, { body: { template: `${prefix}-logs-*`, order: 1, mappings: { event: { properties: { msg: { type: 'text' } } } } } });
  await source.request('PUT', `/${index}`, {
    body: {
      settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: -1 },
      mappings: {
        author: { _all: { enabled: true }, properties: { name: { type: 'keyword' }, born: { type: 'integer' } } },
        book: { _parent: { type: 'author' }, properties: { title: { type: 'text', include_in_all: false }, year: { type: 'integer' } } },
        note: { properties: { body: { type: 'text' }, tags: { type: 'keyword' } } },
      },
    },
  });
  const bulk = async (lines: object[]) => {
    const response = await source.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true });
    expect(response.body.errors).toBe(false);
  };
  for (let batch = 0; batch < 3; batch++) {
    const lines: object[] = [];
    for (let i = batch * 40; i < (batch + 1) * 40; i++) {
      lines.push({ index: { _index: index, _type: 'author', _id: `a${i}` } }, { name: `Author ${i}`, born: 1900 + i });
      lines.push({ index: { _index: index, _type: 'book', _id: `b${i}`, _parent: `a${i}` } }, { title: `Book ${i} — ünïcödé`, year: 2000 + (i % 20) });
      lines.push({ index: { _index: index, _type: 'note', _id: `n${i}`, ...(i % 3 === 0 ? { _routing: `r${i % 5}` } : {}) } }, { body: `note ${i}`, tags: ['x', `t${i % 4}`] });
    }
    await bulk(lines);
    await source.request('POST', `/${index}/_refresh`);
  }
  const changes: object[] = [];
  for (let i = 0; i < 120; i += 7) {
    changes.push({ index: { _index: index, _type: 'author', _id: `a${i}` } }, { name: `Author ${i} (updated)`, born: 1800 });
    changes.push({ delete: { _index: index, _type: 'book', _id: `b${i + 1}`, _parent: `a${i + 1}` } });
    changes.push({ delete: { _index: index, _type: 'note', _id: `n${i + 2}`, ...((i + 2) % 3 === 0 ? { _routing: `r${(i + 2) % 5}` } : {}) } });
  }
  await bulk(changes);
  await source.request('POST', `/${index}/_refresh`);
  const hits = await source.request<{ hits: { hits: Hit[] } }>('POST', `/${index}/_search`, { body: { size: 10000, query: { match_all: {} } }, idempotent: true });
  for (const type of types) {
    const docs = hits.body.hits.hits.filter((h) => h._type === type).map((h) => ({ id: h._id, ...(h._routing ? { routing: h._routing } : {}), source: h._source }));
    want.set(type, docs.sort((a, b) => a.id.localeCompare(b.id)));
  }
  await source.request('PUT', `/_snapshot/${repoName}`, { body: { type: 'fs', settings: { location: repoPath } } });
  const snap = await source.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repoName}/snap`, { query: { wait_for_completion: true }, body: { indices: index } });
  expect(snap.body.snapshot.state).toBe('SUCCESS');
}, 120_000);

afterEach(async () => {
  await target.request('DELETE', `/${index}*`, { expectStatus: [404] });
});

afterAll(async () => {
  await target.request('DELETE', `/_template/${template}`, { expectStatus: [404] });
  for (const session of sessions) await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repoName}/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repoName}`, { expectStatus: [404] });
  await source.request('DELETE', `/${index}`, { expectStatus: [404] });
  await source.request('DELETE', `/_template/${template}`, { expectStatus: [404] });
  source.close();
  target.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one worker to its end; returns the session and the worker's log. */
async function migrate(rule: 'merge' | 'split'): Promise<{ session: string; log: string }> {
  const session = `${prefix}_${rule}`;
  sessions.push(session);
  const args = ['--snapshot-name', 'snap', '--snapshot-local-dir', repoPath, '--target-host', endpoints.target, '--session-name', session, '--multi-type-rule', rule];
  const worker = startWorker(args);
  let log = '';
  worker.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  expect(await exitOf(worker, 90_000)).toBe(0);
  return { session, log };
}

type Mappings = Record<string, { mappings: { properties?: Record<string, unknown>; _routing?: unknown } }>;

it('merges the types into one index without types, every document exact', async () => {
  const all = types.flatMap((type) => want.get(type) ?? []).sort((a, b) => a.id.localeCompare(b.id));
  expect(all.length).toBeGreaterThan(300);

  // WHEN migrated with the merge rule
  const { session, log } = await migrate('merge');

  // THEN one index holds every live document with its id, routing (the parent's id for books) and _source
  const got = await allDocuments(target, index);
  expect(got.length).toBe(all.length);
  expect(got).toEqual(all);
  expect(got.find((d) => d.id === 'b5')).toMatchObject({ routing: 'a5', source: { title: 'Book 5 — ünïcödé' } });
  // AND its mapping is the union of the types' fields
  const mapping = await target.request<Mappings>('GET', `/${index}/_mapping`);
  expect(Object.keys(mapping.body[index].mappings.properties ?? {}).sort()).toEqual(['body', 'born', 'name', 'tags', 'title', 'year']);
  expect(await readBackfillProgress(target, { sessionName: session })).toMatchObject({ shards: { total: 2, completed: 2 }, documents: { migrated: all.length, failed: 0 } });
  // AND the worker warned that documents of different types sharing an id would collide
  expect(log).toMatch(/several mapping types merged into one index: documents of different types that share an id overwrite each other/);
}, 120_000);

it('splits the types into <index>_<type> indices, every document exact', async () => {
  const { session, log } = await migrate('split');
  expect(log).not.toMatch(/several mapping types merged/);

  for (const type of types) {
    const got = await allDocuments(target, `${index}_${type}`);
    expect(got.length).toBe(want.get(type)?.length);
    expect(got).toEqual(want.get(type));
  }
  // Each index has its own type's fields only, and no merged index was made.
  const mapping = await target.request<Mappings>('GET', `/${index}_book/_mapping`);
  expect(Object.keys(mapping.body[`${index}_book`].mappings.properties ?? {}).sort()).toEqual(['title', 'year']);
  expect((await target.request('HEAD', `/${index}`, { expectStatus: [404] })).status).toBe(404);
  expect(await readBackfillProgress(target, { sessionName: session })).toMatchObject({ shards: { total: 2, completed: 2 }, documents: { failed: 0 } });
}, 120_000);

it('console metadata migrate --multi-type-behavior split creates one index per type and the 5.x template', async () => {
  // GIVEN services.yaml pointing at the snapshot
  const config = join(dir, 'services.yaml');
  writeFileSync(config, `target_cluster:\n  endpoint: ${endpoints.target}\nsnapshot:\n  snapshot_name: snap\n  fs:\n    repo_path: ${repoPath}\n`);

  // WHEN migrating the metadata with the split behaviour
  const run = await runConsole(['--config-file', config, '--json', 'metadata', 'migrate', '--index-allowlist', index, '--index-template-allowlist', template, '--multi-type-behavior', 'split']);

  // THEN the three indices and the template exist on the target, each index with its type's mapping
  expect(run).toMatchObject({ exitCode: 0, stderr: '' });
  const result = envelope<{ status: number; result: { templates: unknown[]; indices: { target: string }[] } }>(run.stdout, 'metadata migrate');
  expect(result.status).toBe(0);
  expect(result.result.templates).toEqual([{ kind: 'legacy', name: template, status: 'created' }]);
  // In the order of the source's mappings, which the source does not keep stable.
  expect([...result.result.indices].sort((a, b) => a.target.localeCompare(b.target))).toEqual(types.map((type) => ({ source: index, target: `${index}_${type}`, status: 'created' })));
  const mappings = await target.request<Mappings>('GET', `/${index}_*/_mapping`);
  expect(Object.fromEntries(Object.entries(mappings.body).map(([name, m]) => [name, Object.keys(m.mappings.properties ?? {}).sort()]))).toEqual({
    [`${index}_author`]: ['born', 'name'],
    [`${index}_book`]: ['title', 'year'],
    [`${index}_note`]: ['body', 'tags'],
  });
  const legacy = await target.request<Record<string, { index_patterns: string[]; mappings: unknown }>>('GET', `/_template/${template}`);
  expect(legacy.body[template]).toMatchObject({ index_patterns: [`${prefix}-logs-*`], mappings: { properties: { msg: { type: 'text' } } } });
});
