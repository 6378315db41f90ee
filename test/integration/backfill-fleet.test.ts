/**
 * The backfill fleet from Elasticsearch 7.10 to OpenSearch 2.19 through a real snapshot: several workers,
 * workers killed with SIGKILL and replaced, a target that throttles, and a corrupted shard.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { openRepository } from '../../src/snapshot';
import { parseCompoundEntries } from '../../src/lucene/compound';
import { parseSegmentInfos } from '../../src/lucene/segment-infos';
import { allDocuments, exitOf, seedIndices, snapshot, startBulkProxy, startWorker, type SeededIndex } from '../support/backfill';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const source = new ClusterClient({ endpoint: endpoints.source });
const target = new ClusterClient({ endpoint: endpoints.target });
const prefix = `bf-${randomUUID().slice(0, 6)}`;
const indices: SeededIndex[] = [
  { name: `${prefix}-a`, shards: 3, documents: 900 },
  { name: `${prefix}-b`, shards: 2, documents: 700 },
  { name: `${prefix}-c`, shards: 2, documents: 500 },
  { name: `${prefix}-d`, shards: 1, documents: 400 },
  { name: `${prefix}-e`, shards: 3, documents: 300 },
];
const repoPath = join(endpoints.repoDir, `${prefix}-repo`);
const failedDocsDir = mkdtempSync(join(tmpdir(), 'failed-docs-'));

function workerArgs(session: string, extra: string[] = [], targetHost = endpoints.target): string[] {
  return [
    '--snapshot-name', 'snap',
    '--snapshot-local-dir', repoPath,
    '--target-host', targetHost,
    '--session-name', session,
    '--docs-per-work-item', '150',
    '--max-docs-per-bulk', '50',
    '--lease-seconds', '4',
    '--clock-skew-seconds', '1',
    '--failed-docs-dir', failedDocsDir,
    ...extra,
  ];
}

async function deleteTargetIndices(): Promise<void> {
  await target.request('DELETE', `/${prefix}-*`, { expectStatus: [404] });
}

async function expectTargetEqualsSource(names = indices.map((i) => i.name)): Promise<void> {
  for (const name of names) {
    const [want, got] = await Promise.all([allDocuments(source, name), allDocuments(target, name)]);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
  }
}

beforeAll(async () => {
  await seedIndices(source, indices);
  await snapshot(source, `${prefix}-repo`, repoPath, indices.map((i) => i.name));
}, 120_000);

afterAll(async () => {
  await deleteTargetIndices();
  await target.request('DELETE', `/.migrations_working_state_${prefix}*`, { expectStatus: [404] });
  await source.request('DELETE', `/${prefix}-*`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo`, { expectStatus: [404] });
  rmSync(failedDocsDir, { recursive: true, force: true });
  source.close();
  target.close();
});

it('three workers move every document exactly: ids, routing and _source; status counts real shards', async () => {
  // GIVEN a fresh session WHEN three workers run until they exit by themselves
  await deleteTargetIndices();
  const session = `${prefix}-fleet`;
  const codes = await Promise.all([0, 1, 2].map(() => exitOf(startWorker(workerArgs(session)), 120_000)));

  // THEN all exit 0, the target equals the source, and the state says every shard is done
  expect(codes).toEqual([0, 0, 0]);
  await expectTargetEqualsSource();
  const progress = await readBackfillProgress(target, { sessionName: session });
  expect(progress.shards).toMatchObject({ total: 11, completed: 11, incomplete: 0 });
  expect(progress.items.total).toBeGreaterThan(11);
  const live = (await Promise.all(indices.map((i) => allDocuments(source, i.name)))).reduce((sum, docs) => sum + docs.length, 0);
  expect(progress.documents).toMatchObject({ total: live, migrated: live, failed: 0 });
  expect(progress.finishedAt).toBeDefined();
}, 180_000);

it('survives workers killed with SIGKILL at random and replaced: the result is still exact', async () => {
  // GIVEN a fresh session with small bulks, so kills land mid-item
  await deleteTargetIndices();
  const session = `${prefix}-chaos`;
  const args = workerArgs(session, ['--max-docs-per-bulk', '10', '--max-connections', '2']);
  const running = new Set([startWorker(args), startWorker(args), startWorker(args)]);
  const exits: Promise<number | null>[] = [...running].map((w) => exitOf(w, 150_000));

  // WHEN a random worker is killed every 700 ms, eight times, and a replacement started each time
  for (let kill = 0; kill < 8; kill++) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    const alive = [...running].filter((w) => w.exitCode === null && w.signalCode === null);
    if (alive.length === 0) break;
    const victim = alive[Math.floor(Math.random() * alive.length)];
    victim.kill('SIGKILL');
    running.delete(victim);
    const replacement = startWorker(args);
    running.add(replacement);
    exits.push(exitOf(replacement, 150_000));
  }
  await Promise.all(exits);

  // THEN the target still equals the source and every item completed
  await expectTargetEqualsSource();
  const progress = await readBackfillProgress(target, { sessionName: session });
  expect(progress.items.failed).toBe(0);
  expect(progress.items.completed).toBe(progress.items.total);
}, 240_000);

it('loses nothing when the target throttles with 429 half of the time', async () => {
  // GIVEN a proxy in front of the target that refuses every other bulk request with 429
  await deleteTargetIndices();
  let bulks = 0;
  let refused = 0;
  const proxy = await startBulkProxy(endpoints.target, (forward, res, req) => {
    if (bulks++ % 2 !== 0) return forward();
    refused++;
    req.resume();
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
    res.end('{"error":{"type":"es_rejected_execution_exception","reason":"rejected"},"status":429}');
  });
  const throttled = proxy.url;

  // WHEN one worker runs through it
  const code = await exitOf(startWorker(workerArgs(`${prefix}-throttle`, [], throttled)), 150_000);
  await proxy.close();

  // THEN it finished, was refused many times, and the target equals the source
  expect(code).toBe(0);
  expect(refused).toBeGreaterThan(10);
  await expectTargetEqualsSource();
}, 180_000);

it('fails only the corrupted shard, with a clear error, and finishes everything else', async () => {
  // GIVEN a copy of the repository with a byte flipped inside one shard's stored fields
  await deleteTargetIndices();
  const damaged = mkdtempSync(join(endpoints.repoDir, 'damaged-'));
  cpSync(repoPath, damaged, { recursive: true });
  const repo = openRepository(damaged);
  const snap = await repo.snapshot('snap');
  const victim = indices[3].name;
  const { files, directory } = await repo.shardDirectory(snap, victim, 0);
  const commit = files.files.find((f) => f.physicalName.startsWith('segments_'))!;
  const segmentsFile = await directory.open(commit.physicalName);
  const segment = parseSegmentInfos(await segmentsFile.read(0, segmentsFile.byteLength), commit.physicalName).segments[0];
  const cfe = await directory.open(`${segment.name}.cfe`);
  const fdt = parseCompoundEntries(await cfe.read(0, cfe.byteLength), 'cfe', segment.id).entries.get('.fdt')!;
  const cfs = files.files.find((f) => f.physicalName === `${segment.name}.cfs`)!;
  const indexId = (await repo.repositoryData()).indices[victim].id;
  const blob = join(damaged, 'indices', indexId, '0', cfs.blob);
  const bytes = readFileSync(blob);
  bytes[fdt.offset + Math.floor(fdt.length / 2)] ^= 0xff;
  writeFileSync(blob, bytes);

  // WHEN a worker runs over it
  const session = `${prefix}-corrupt`;
  const args = workerArgs(session).map((a) => (a === repoPath ? damaged : a));
  const code = await exitOf(startWorker(args), 150_000);

  // THEN the worker exits 0, the damaged shard's item failed naming the file, and all other indices are exact
  expect(code).toBe(0);
  const progress = await readBackfillProgress(target, { sessionName: session });
  expect(progress.failedItems.length).toBeGreaterThanOrEqual(1);
  expect(progress.failedItems.every((f) => f.index === victim && f.shard === 0)).toBe(true);
  expect(progress.failedItems[0].error).toMatch(new RegExp(`corrupt index file .*${cfs.blob}.*\\.fdt`));
  expect(progress.shards.failed).toBe(1);
  await expectTargetEqualsSource(indices.filter((i) => i.name !== victim).map((i) => i.name));
  rmSync(damaged, { recursive: true, force: true });
}, 180_000);
