/**
 * Workers killed with SIGKILL in the middle of an item, every time: the test reads the working state,
 * kills exactly the worker that holds a lease with progress on it, and starts a replacement, four times.
 * Each killed lease must be taken over after it expires (counted once per kill), the target must equal the
 * source, and the item counts must equal the live documents (progress moves with the checkpointed
 * position, so nothing is counted twice). A loopback proxy slows every bulk down so items take a while.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ClusterClient } from '../../src/cluster';
import { readBackfillProgress } from '../../src/backfill/status';
import { WorkingState, workingStateIndex } from '../../src/backfill/working-state';
import { allDocuments, exitOf, seedIndices, snapshot, startBulkProxy, startWorker, type BulkProxy, type SeededIndex } from '../support/backfill';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const source = new ClusterClient({ endpoint: endpoints.source });
const target = new ClusterClient({ endpoint: endpoints.target });
const prefix = `bf-chaos-${randomUUID().slice(0, 6)}`;
const indices: SeededIndex[] = [
  { name: `${prefix}-a`, shards: 3, documents: 1200 },
  { name: `${prefix}-b`, shards: 2, documents: 800 },
];
const repoPath = join(endpoints.repoDir, `${prefix}-repo`);
const session = prefix.replace(/-/g, '_');
const failedDocsDir = mkdtempSync(join(tmpdir(), 'failed-docs-'));
const workers = new Map<string, ChildProcess>();
const killed = new Set<string>();
let proxy: BulkProxy;
let slowTarget: string;

beforeAll(async () => {
  await seedIndices(source, indices);
  await snapshot(source, `${prefix}-repo`, repoPath, indices.map((i) => i.name));
  proxy = await startBulkProxy(endpoints.target, (forward) => setTimeout(forward, 40));
  slowTarget = proxy.url;
}, 120_000);

afterAll(async () => {
  for (const worker of workers.values()) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await proxy.close();
  for (const index of indices) {
    await target.request('DELETE', `/${index.name}`, { expectStatus: [404] });
    await source.request('DELETE', `/${index.name}`, { expectStatus: [404] });
  }
  await target.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${prefix}-repo`, { expectStatus: [404] });
  rmSync(failedDocsDir, { recursive: true, force: true });
  source.close();
  target.close();
});

function start(): Promise<number | null> {
  const id = `chaos-${workers.size}`;
  const worker = startWorker([
    '--snapshot-name', 'snap',
    '--snapshot-local-dir', repoPath,
    '--target-host', slowTarget,
    '--session-name', session,
    '--worker-id', id,
    '--docs-per-work-item', '250',
    '--max-docs-per-bulk', '10',
    '--max-connections', '1',
    '--lease-seconds', '3',
    '--clock-skew-seconds', '1',
    '--failed-docs-dir', failedDocsDir,
  ]);
  workers.set(id, worker);
  return exitOf(worker, 120_000);
}

const alive = (id: string) => {
  const worker = workers.get(id);
  return worker !== undefined && !killed.has(id) && worker.exitCode === null && worker.signalCode === null;
};

/** A running worker that holds a lease on an item with checkpointed progress (polled, bounded). */
async function holderWithProgress(state: WorkingState): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const items = await state.items().catch(() => []);
    const held = items.find((item) => item.doc.status === 'leased' && item.doc.docsMigrated > 0 && alive(item.doc.leaseHolderId ?? ''));
    // Searches may lag behind; a read by id is real-time.
    const now = held && (await state.get<{ status: string; leaseHolderId?: string }>(held.id));
    if (now?.doc.status === 'leased' && now.doc.leaseHolderId === held!.doc.leaseHolderId) return held!.doc.leaseHolderId!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no worker held an item with progress within 30 s');
}

it('finishes exactly, counting each document once, although four workers die holding an item', async () => {
  // GIVEN three workers
  const state = new WorkingState(target, session);
  const exits = [start(), start(), start()];

  // WHEN, four times, the worker holding an item with progress is killed and replaced
  const kills = 4;
  for (let kill = 0; kill < kills; kill++) {
    const victim = await holderWithProgress(state);
    killed.add(victim);
    workers.get(victim)!.kill('SIGKILL');
    exits.push(start());
  }
  const codes = await Promise.all(exits);

  // THEN the killed ones died by signal, the others exited 0 when no work was left
  expect(codes.filter((c) => c === 0)).toHaveLength(codes.length - kills);
  // AND the killed leases were taken over after they expired (a victim may, rarely, finish its item in
  // the instant between the check and the kill, so one kill may find no lease to leave behind)
  const progress = await readBackfillProgress(target, { sessionName: session });
  expect(progress.leasesExpired).toBeGreaterThanOrEqual(kills - 1);
  expect(progress.leasesExpired).toBeLessThanOrEqual(kills);
  expect(progress.items.completed).toBe(progress.items.total);
  // AND the target equals the source, and the counts equal the live documents exactly
  let live = 0;
  for (const index of indices) {
    const want = await allDocuments(source, index.name);
    live += want.length;
    expect(await allDocuments(target, index.name)).toEqual(want);
  }
  expect(progress.documents).toEqual({ total: live, migrated: live, failed: 0 });
}, 150_000);
