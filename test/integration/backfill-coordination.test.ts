/**
 * The coordination store on the test bed's OpenSearch 2.19: work items created exactly once by racing
 * planners, claims that only one of many racing workers wins, leases taken over only after they expire
 * beyond the clock-skew allowance, and a stale holder that can no longer write once it lost its lease.
 * Time is a fake clock handed to the leases, so nothing here depends on how fast the machine is.
 */
import { randomUUID } from 'node:crypto';
import { ClusterClient } from '../../src/cluster';
import { Lease, type LeaseTiming } from '../../src/backfill/lease';
import { splitShard } from '../../src/backfill/work-item';
import { WorkingState, workingStateIndex, type Versioned, type WorkItemDoc } from '../../src/backfill/working-state';
import { testbedEndpoints } from '../testbed/endpoints';

const client = new ClusterClient({ endpoint: testbedEndpoints().target });
const sessions: string[] = [];
let clock = 1_800_000_000_000;
const LEASE_MS = 60_000;
const SKEW_MS = 5_000;
// Heartbeats are called by hand; the timer the lease starts must never fire during a test.
const timing: LeaseTiming = { leaseMs: LEASE_MS, heartbeatMs: 3_600_000, now: () => clock };
const leases: Lease[] = [];

async function freshState(): Promise<WorkingState> {
  const session = `coord_${randomUUID().slice(0, 8)}`;
  sessions.push(session);
  const state = new WorkingState(client, session);
  await state.ensureIndex();
  return state;
}

const segments = [{ name: '_0', maxDoc: 100, liveDocs: 100, codec: 'Lucene87', luceneVersion: '8.7.0' }];

async function claim(state: WorkingState, seen: Versioned<WorkItemDoc>, worker: string): Promise<Lease | undefined> {
  const lease = await Lease.claim(state, seen, worker, timing);
  if (lease) leases.push(lease);
  return lease;
}

async function refresh(state: WorkingState): Promise<void> {
  await client.request('POST', `/${state.index}/_refresh`, { idempotent: true });
}

afterAll(async () => {
  for (const lease of leases) lease.stop();
  for (const session of sessions) await client.request('DELETE', `/${workingStateIndex(session)}`, { expectStatus: [404] });
  client.close();
});

it('creates each work item exactly once when several planners run at the same time', async () => {
  // GIVEN three planners with the same plan of 2 indices × 2 shards, split in parts
  const state = await freshState();
  const plan = ['logs__2024', 'logs'].flatMap((index) => [0, 1].flatMap((shard) => splitShard(index, shard, segments, 40)));

  // WHEN they all create the items at once
  await Promise.all([0, 1, 2].map(() => state.createItems(plan, clock)));

  // THEN every planned item exists once, untouched (index names with "__" included)
  const items = await state.items();
  expect(items.map((i) => i.id).sort()).toEqual(plan.map((p) => p.id).sort());
  expect(items.every((i) => i.doc.status === 'pending' && i.doc.attempts === 0)).toBe(true);
  expect(new Set(items.map((i) => i.doc.index))).toEqual(new Set(['logs__2024', 'logs']));
});

it('lets exactly one of many workers racing for the same item win it', async () => {
  const state = await freshState();
  await state.createItems(splitShard('books', 0, segments, 1000), clock);
  const [seen] = await state.claimable(clock, SKEW_MS);

  // WHEN eight workers claim the same version of the item at once
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(state, seen, `worker-${i}`)));

  // THEN one lease was granted, and the stored item names its holder
  const winners = results.filter((l): l is Lease => l !== undefined);
  expect(winners).toHaveLength(1);
  const stored = await state.get<WorkItemDoc>(seen.id);
  expect(stored?.doc).toMatchObject({ status: 'leased', leaseHolderId: winners[0].workerId, attempts: 1, expiration: clock + LEASE_MS });
});

it('does not hand out a live lease, nor one expired by less than the clock-skew allowance', async () => {
  const state = await freshState();
  await state.createItems(splitShard('books', 0, segments, 1000), clock);
  const [seen] = await state.claimable(clock, SKEW_MS);
  const lease = (await claim(state, seen, 'holder'))!;
  await refresh(state);

  // THEN nobody sees it as claimable while the lease runs, nor just after it ran out
  expect(await state.claimable(clock + LEASE_MS - 1, SKEW_MS)).toEqual([]);
  expect(await state.claimable(clock + LEASE_MS + SKEW_MS - 1, SKEW_MS)).toEqual([]);
  // A heartbeat moves the expiration forward.
  clock += LEASE_MS / 2;
  expect(await lease.heartbeat()).toBe(true);
  await refresh(state);
  expect(await state.claimable(clock + LEASE_MS / 2 + SKEW_MS + 1, SKEW_MS)).toEqual([]);
  expect((await state.claimable(clock + LEASE_MS + SKEW_MS + 1, SKEW_MS)).map((i) => i.id)).toEqual([seen.id]);
});

it('gives an expired item to another worker at its last checkpoint; the old holder can no longer write', async () => {
  // GIVEN a holder that checkpointed a position and then stopped renewing (a killed or frozen worker)
  const state = await freshState();
  await state.createItems(splitShard('books', 0, segments, 1000), clock);
  const [seen] = await state.claimable(clock, SKEW_MS);
  const stale = (await claim(state, seen, 'frozen'))!;
  stale.record(40, 4000, 1);
  expect(await stale.checkpoint({ segment: '_0', doc: 41 })).toBe(true);
  await refresh(state);

  // WHEN the lease and the skew allowance pass and another worker claims it
  clock += LEASE_MS + SKEW_MS + 1;
  const [expired] = await state.claimable(clock, SKEW_MS);
  const successor = (await claim(state, expired, 'successor'))!;

  // THEN the successor resumes at the checkpoint with the progress so far, and the takeover is counted
  expect(successor.item).toMatchObject({ cursor: { segment: '_0', doc: 41 }, docsMigrated: 40, bytesMigrated: 4000, docsFailed: 1, attempts: 2, leasesExpired: 1, leaseHolderId: 'successor' });
  // AND the old holder's next write is refused and it knows it lost the item
  expect(await stale.checkpoint({ segment: '_0', doc: 90 })).toBe(false);
  expect(stale.lost).toBe(true);
  expect((await state.get<WorkItemDoc>(seen.id))?.doc).toMatchObject({ leaseHolderId: 'successor', cursor: { segment: '_0', doc: 41 } });
});

it('completes, releases and fails items so that only released ones come back', async () => {
  const state = await freshState();
  await state.createItems(splitShard('books', 0, segments, 40), clock);
  const available = await state.claimable(clock, SKEW_MS);
  expect(available).toHaveLength(3);
  const [done, released, failed] = await Promise.all(available.map((seen, i) => claim(state, seen, `w${i}`)));

  // WHEN one completes, one is released at a checkpoint (SIGTERM) and one fails for good
  expect(await done!.complete()).toBe(true);
  expect(await released!.checkpoint({ segment: '_0', doc: 7 })).toBe(true);
  expect(await released!.release()).toBe(true);
  expect(await failed!.fail('corrupt index file _0.fdt')).toBe(true);

  // THEN only the released item is claimable again, still at its checkpoint
  const again = await state.claimable(clock, SKEW_MS);
  expect(again.map((i) => i.id)).toEqual([released!.item.id]);
  expect(again[0].doc).toMatchObject({ status: 'pending', cursor: { segment: '_0', doc: 7 } });
  const all = new Map((await state.items()).map((i) => [i.id, i.doc]));
  expect(all.get(done!.item.id)).toMatchObject({ status: 'completed', completedAt: clock });
  expect(all.get(failed!.item.id)).toMatchObject({ status: 'failed', error: 'corrupt index file _0.fdt' });
});
