/**
 * `readBackfillProgress` over a working state built on OpenSearch 2.19 (in the spirit of the reference
 * console's deep-status contract test): shard counts, not work items; a split shard counts once; failed
 * items with their error; documents against the snapshot's total. Then archive and delete, as
 * `console backfill stop` does. Leases run on a fake clock.
 */
import { randomUUID } from 'node:crypto';
import { ClusterClient } from '../../src/cluster';
import { Lease, type LeaseTiming } from '../../src/backfill/lease';
import { archiveWorkingState, deleteWorkingState, readBackfillProgress } from '../../src/backfill/status';
import { splitShard, type WorkItemSpec } from '../../src/backfill/work-item';
import { SETUP_ID, STATE_VERSION, WorkingState, workingStateIndex, type SetupDoc, type WorkItemDoc } from '../../src/backfill/working-state';
import { testbedEndpoints } from '../testbed/endpoints';

const client = new ClusterClient({ endpoint: testbedEndpoints().target });
const session = `status_${randomUUID().slice(0, 8)}`;
const state = new WorkingState(client, session);
const clock = 1_800_000_000_000;
const timing: LeaseTiming = { leaseMs: 60_000, heartbeatMs: 3_600_000, now: () => clock };
const leases: Lease[] = [];
const segments = (docs: number) => [{ name: '_0', maxDoc: docs, liveDocs: docs, codec: 'Lucene87', luceneVersion: '8.7.0' }];

/** Claims the item and leaves it as asked; counts are written as a worker would. */
async function drive(spec: WorkItemSpec, to: 'completed' | 'inProgress' | 'unclaimed' | 'expired' | 'failed'): Promise<void> {
  if (to === 'unclaimed') return;
  const seen = (await state.get<WorkItemDoc>(spec.id))!;
  const lease = (await Lease.claim(state, seen, `worker-${spec.index}`, to === 'expired' ? { ...timing, now: () => clock - 3_600_000 } : timing))!;
  leases.push(lease);
  if (to === 'completed') {
    lease.record(spec.documents, spec.documents * 100, 0);
    await lease.complete();
  } else if (to === 'failed') {
    await lease.fail(`corrupt index file ${spec.index}/_0.fdt`);
  } else if (to === 'inProgress') {
    lease.record(5, 500, 1);
    await lease.checkpoint({ segment: '_0', doc: 6 });
  }
}

beforeAll(async () => {
  // GIVEN 5 completed, 3 in-progress and 2 unclaimed indices of 2 shards (10 docs each), one shard whose
  // lease ran out, one failed shard, and one large shard split in 3 parts (completed, in progress, pending)
  await state.ensureIndex();
  const plan: [WorkItemSpec, Parameters<typeof drive>[1]][] = [];
  const add = (index: string, phase: Parameters<typeof drive>[1]) => [0, 1].forEach((shard) => plan.push([splitShard(index, shard, segments(10), 1000)[0], phase]));
  for (let i = 0; i < 5; i++) add(`done-${i}`, 'completed');
  for (let i = 0; i < 3; i++) add(`busy-${i}`, 'inProgress');
  for (let i = 0; i < 2; i++) add(`idle-${i}`, 'unclaimed');
  plan.push([splitShard('expired', 0, segments(10), 1000)[0], 'expired']);
  plan.push([splitShard('broken', 0, segments(10), 1000)[0], 'failed']);
  const big = splitShard('big', 0, segments(300), 100);
  expect(big).toHaveLength(3);
  plan.push([big[0], 'completed'], [big[1], 'inProgress'], [big[2], 'unclaimed']);
  await state.createItems(plan.map(([spec]) => spec), clock);
  const totalDocuments = plan.reduce((sum, [spec]) => sum + spec.documents, 0);
  const setup: SetupDoc = { kind: 'setup', stateVersion: STATE_VERSION, snapshot: 'nightly', creatorId: 'planner', expiration: 0, startedAt: clock - 60_000, completedAt: clock - 50_000, totalItems: plan.length, totalDocuments, totalShards: 23 };
  await state.create(SETUP_ID, setup);
  for (const [spec, phase] of plan) await drive(spec, phase);
}, 60_000);

afterAll(async () => {
  for (const lease of leases) lease.stop();
  await client.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  client.close();
});

it('counts shards, not work items, and reports documents, failures and timestamps', async () => {
  const progress = await readBackfillProgress(client, { sessionName: session, now: clock });

  // THEN 23 shards: 10 done; 6 + the split one in progress; 4 + the expired one waiting; 1 failed
  expect(progress).toMatchObject({ initialized: true, planned: true, snapshot: 'nightly' });
  expect(progress.shards).toEqual({ total: 23, completed: 10, incomplete: 13, inProgress: 7, unclaimed: 5, failed: 1 });
  expect(progress.items).toEqual({ total: 25, completed: 11, inProgress: 7, unclaimed: 6, failed: 1 });
  expect(progress.documents).toEqual({ total: 520, migrated: 10 * 10 + 100 + 7 * 5, failed: 7 });
  expect(progress.bytesMigrated).toBe((10 * 10 + 100) * 100 + 7 * 500);
  expect(progress.failedItems).toEqual([{ id: expect.any(String), index: 'broken', shard: 0, error: 'corrupt index file broken/_0.fdt' }]);
  expect(progress.finishedAt).toBeUndefined();
  expect(progress.startedAt).toBe(clock - 60_000);
});

it('judges live leases by the clock it is given', async () => {
  // WHEN read two hours later, every lease has run out
  const later = await readBackfillProgress(client, { sessionName: session, now: clock + 7_200_000 });
  expect(later.shards).toMatchObject({ inProgress: 0, unclaimed: 12, failed: 1 });
});

it('reports nothing started for a session without working state', async () => {
  expect(await readBackfillProgress(client, { sessionName: `none_${randomUUID().slice(0, 8)}` })).toMatchObject({ initialized: false, planned: false, shards: { total: 0 }, failedItems: [] });
});

it('archives every document as JSON lines, then deletes the working state once', async () => {
  // WHEN archived to a sink and deleted
  const lines: string[] = [];
  const count = await archiveWorkingState(client, { sessionName: session }, { write: (line: string) => lines.push(line) });

  // THEN the setup marker and all 25 items are in the archive, one JSON object each
  expect(count).toBe(26);
  const docs = lines.map((l) => JSON.parse(l) as { _id: string; kind: string });
  expect(docs.filter((d) => d.kind === 'item')).toHaveLength(25);
  expect(docs.filter((d) => d._id === SETUP_ID)).toHaveLength(1);
  expect(await deleteWorkingState(client, { sessionName: session })).toBe(true);
  expect(await deleteWorkingState(client, { sessionName: session })).toBe(false);
  expect((await readBackfillProgress(client, { sessionName: session })).initialized).toBe(false);
});
