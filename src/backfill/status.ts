/**
 * The progress of a backfill as recorded in the working state: real shard counts (a shard split into
 * several work items counts once), documents and bytes migrated against the snapshot's total, failures.
 * `console backfill status` renders this.
 */
import type { ClusterClient } from '../cluster';
import { SETUP_ID, WorkingState, type SetupDoc } from './working-state';

export interface FailedItem {
  id: string;
  index: string;
  shard: number;
  error: string;
}

export interface BackfillProgress {
  /** No working state yet (no worker has started). */
  initialized: boolean;
  /** The first worker has planned the work items. */
  planned: boolean;
  snapshot?: string;
  shards: { total: number; completed: number; incomplete: number; inProgress: number; unclaimed: number; failed: number };
  items: { total: number; completed: number; inProgress: number; unclaimed: number; failed: number };
  documents: { total: number; migrated: number; failed: number };
  bytesMigrated: number;
  leasesExpired: number;
  startedAt?: number;
  /** Time of the last completed item, once everything is done. */
  finishedAt?: number;
  failedItems: FailedItem[];
}

export async function readBackfillProgress(client: ClusterClient, options: { sessionName?: string; now?: number } = {}): Promise<BackfillProgress> {
  const state = new WorkingState(client, options.sessionName);
  const now = options.now ?? Date.now();
  const empty: BackfillProgress = {
    initialized: false,
    planned: false,
    shards: { total: 0, completed: 0, incomplete: 0, inProgress: 0, unclaimed: 0, failed: 0 },
    items: { total: 0, completed: 0, inProgress: 0, unclaimed: 0, failed: 0 },
    documents: { total: 0, migrated: 0, failed: 0 },
    bytesMigrated: 0,
    leasesExpired: 0,
    failedItems: [],
  };
  const exists = await client.request('HEAD', `/${state.index}`, { expectStatus: [404] });
  if (exists.status === 404) return empty;
  await client.request('POST', `/${state.index}/_refresh`, { idempotent: true });
  const setup = await state.get<SetupDoc>(SETUP_ID);
  const progress: BackfillProgress = { ...empty, initialized: true, planned: setup?.doc.completedAt !== undefined, snapshot: setup?.doc.snapshot, startedAt: setup?.doc.startedAt };
  const shardState = new Map<string, { items: number; completed: number; failed: number; inProgress: number }>();
  let lastCompletion = 0;
  for (const { id, doc } of await state.items()) {
    const key = `${doc.index}/${doc.shard}`;
    const shard = shardState.get(key) ?? { items: 0, completed: 0, failed: 0, inProgress: 0 };
    shard.items++;
    progress.items.total++;
    progress.documents.total += doc.documents;
    progress.documents.migrated += doc.docsMigrated;
    progress.documents.failed += doc.docsFailed;
    progress.bytesMigrated += doc.bytesMigrated;
    progress.leasesExpired += doc.leasesExpired;
    if (doc.status === 'completed') {
      progress.items.completed++;
      shard.completed++;
      lastCompletion = Math.max(lastCompletion, doc.completedAt ?? 0);
    } else if (doc.status === 'failed') {
      progress.items.failed++;
      shard.failed++;
      progress.failedItems.push({ id, index: doc.index, shard: doc.shard, error: doc.error ?? 'unknown error' });
    } else if (doc.status === 'leased' && doc.expiration >= now) {
      progress.items.inProgress++;
      shard.inProgress++;
    } else {
      progress.items.unclaimed++;
    }
    shardState.set(key, shard);
  }
  for (const shard of shardState.values()) {
    progress.shards.total++;
    if (shard.completed === shard.items) progress.shards.completed++;
    else {
      progress.shards.incomplete++;
      if (shard.failed > 0) progress.shards.failed++;
      else if (shard.inProgress > 0) progress.shards.inProgress++;
      else progress.shards.unclaimed++;
    }
  }
  // Items inside a split shard carry estimated counts; the plan's total is exact.
  if (setup?.doc.totalDocuments !== undefined) progress.documents.total = setup.doc.totalDocuments;
  if (progress.planned && progress.items.completed + progress.items.failed === progress.items.total && lastCompletion) progress.finishedAt = lastCompletion;
  return progress;
}

/** Writes every working-state document to `out` (JSON lines) so a stopped backfill leaves a record. */
export async function archiveWorkingState(client: ClusterClient, options: { sessionName?: string }, out: { write(line: string): unknown }): Promise<number> {
  const state = new WorkingState(client, options.sessionName);
  const setup = await state.get<SetupDoc>(SETUP_ID);
  let count = 0;
  if (setup) {
    out.write(JSON.stringify({ _id: SETUP_ID, ...setup.doc }) + '\n');
    count++;
  }
  for (const { id, doc } of await state.items()) {
    out.write(JSON.stringify({ _id: id, ...doc }) + '\n');
    count++;
  }
  return count;
}

export async function deleteWorkingState(client: ClusterClient, options: { sessionName?: string }): Promise<boolean> {
  const state = new WorkingState(client, options.sessionName);
  const response = await client.request('DELETE', `/${state.index}`, { expectStatus: [404] });
  return response.status !== 404;
}
