/**
 * A worker stopped with SIGTERM (an ECS scale-down) mid-item: it stops reading, lets its in-flight bulk
 * finish, checkpoints, releases its lease and exits 0; the next worker resumes at the checkpoint and the
 * target ends up equal to the source. The worker here is configured through environment variables only,
 * as ECS task definitions do. A loopback proxy slows each bulk down so the stop lands mid-item.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { WorkingState, workingStateIndex, type WorkItemDoc } from '../../src/backfill/working-state';
import { allDocuments, exitOf, seedIndices, snapshot, startBulkProxy, startWorker, type BulkProxy } from '../support/backfill';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const source = new ClusterClient({ endpoint: endpoints.source });
const target = new ClusterClient({ endpoint: endpoints.target });
const prefix = `bf-term-${randomUUID().slice(0, 6)}`;
const index = `${prefix}-books`;
const repoPath = join(endpoints.repoDir, `${prefix}-repo`);
const session = prefix.replace(/-/g, '_');
const failedDocsDir = mkdtempSync(join(tmpdir(), 'failed-docs-'));
let proxy: BulkProxy;
let slowTarget: string;
/** While true, the proxy holds every bulk without answering: a target that has stopped responding. */
let hangBulks = false;
const held: ServerResponse[] = [];

beforeAll(async () => {
  await seedIndices(source, [{ name: index, shards: 1, documents: 1500 }]);
  await snapshot(source, `${prefix}-repo`, repoPath, [index]);
  // Every bulk waits 30 ms before it reaches the target; everything else passes straight through.
  proxy = await startBulkProxy(endpoints.target, (forward, response) => {
    if (hangBulks) held.push(response);
    else setTimeout(forward, 30);
  });
  slowTarget = proxy.url;
}, 120_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await proxy.close();
  await target.request('DELETE', `/${index}`, { expectStatus: [404] });
  await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  await source.request('DELETE', `/${index}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo`, { expectStatus: [404] });
  rmSync(failedDocsDir, { recursive: true, force: true });
  source.close();
  target.close();
});

function environment(targetHost: string): Record<string, string> {
  return {
    SNAPSHOT_NAME: 'snap',
    SNAPSHOT_LOCAL_DIR: repoPath,
    TARGET_HOST: targetHost,
    SESSION_NAME: session,
    MAX_DOCS_PER_BULK: '10',
    MAX_CONNECTIONS: '1',
    FAILED_DOCS_DIR: failedDocsDir,
  };
}

/** The only work item, once some progress has been checkpointed (polled, bounded). */
async function itemWithProgress(state: WorkingState): Promise<WorkItemDoc> {
  for (let i = 0; i < 300; i++) {
    const items = await state.items().catch(() => []);
    if (items[0]?.doc.docsMigrated > 0) return items[0].doc;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the worker made no checkpoint within 30 s');
}

it('stops cleanly on SIGTERM mid-item, releasing the item at its checkpoint; the next worker finishes it exactly', async () => {
  // GIVEN a worker, configured by environment variables, that has checkpointed part of the only item
  const state = new WorkingState(target, session);
  const first = startWorker([], environment(slowTarget));
  const firstExit = exitOf(first, 60_000);
  await itemWithProgress(state);

  // WHEN it receives SIGTERM
  first.kill('SIGTERM');

  // THEN it exits 0, leaving the item pending (not leased) at a checkpoint short of the end
  expect(await firstExit).toBe(0);
  const [released] = await state.items();
  expect(released.doc).toMatchObject({ status: 'pending', expiration: 0, attempts: 1 });
  expect(released.doc.leaseHolderId).toBeUndefined();
  expect(released.doc.cursor).toBeDefined();
  expect(released.doc.docsMigrated).toBeGreaterThan(0);
  expect(released.doc.docsMigrated).toBeLessThan(released.doc.documents);
  const onTargetAfterStop = (await allDocuments(target, index)).length;
  expect(onTargetAfterStop).toBeGreaterThanOrEqual(released.doc.docsMigrated);

  // WHEN a second worker runs (straight to the target) until no work is left
  const second = await exitOf(startWorker([], environment(endpoints.target)), 60_000);

  // THEN it resumed the released item (no lease expiry was needed) and the target equals the source
  expect(second).toBe(0);
  const [finished] = await state.items();
  expect(finished.doc).toMatchObject({ status: 'completed', attempts: 2, leasesExpired: 0, docsFailed: 0 });
  expect(finished.doc.docsMigrated).toBe(finished.doc.documents);
  expect(await allDocuments(target, index)).toEqual(await allDocuments(source, index));
}, 150_000);

it('exits by itself when a stop cannot finish (target not answering), and nothing is lost: the lease expires and the next worker resumes', async () => {
  // GIVEN a fresh session, and a worker that has checkpointed some progress when the target stops answering bulks
  await target.request('DELETE', `/${index}`, { expectStatus: [404] });
  await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  const state = new WorkingState(target, session);
  const shortLeases = { LEASE_SECONDS: '2', CLOCK_SKEW_SECONDS: '0', SHUTDOWN_TIMEOUT_SECONDS: '2' };
  const first = startWorker([], { ...environment(slowTarget), ...shortLeases });
  const firstExit = exitOf(first, 60_000);
  await itemWithProgress(state);
  hangBulks = true;
  await new Promise((resolve) => setTimeout(resolve, 300));

  // WHEN it receives SIGTERM while its bulk hangs
  first.kill('SIGTERM');

  // THEN it gives up after its shutdown timeout with a non-zero exit instead of waiting on the target
  expect(await firstExit).toBe(1);
  expect(held.length).toBeGreaterThan(0);

  // AND a second worker takes the item over once the lease has expired, and the target equals the source
  hangBulks = false;
  const second = await exitOf(startWorker([], { ...environment(endpoints.target), ...shortLeases }), 90_000);
  expect(second).toBe(0);
  const [finished] = await state.items();
  expect(finished.doc).toMatchObject({ status: 'completed', docsFailed: 0 });
  expect(finished.doc.leasesExpired).toBeGreaterThanOrEqual(1);
  expect(finished.doc.docsMigrated).toBe(finished.doc.documents);
  expect(await allDocuments(target, index)).toEqual(await allDocuments(source, index));
}, 150_000);
