/**
 * A worker's hold on one work item: claims it, renews it by heartbeat, writes checkpoints, and releases or
 * completes it. All writes go through one queue and are optimistic-concurrency updates; a conflict means
 * another worker took the item, and this lease is then lost for good.
 */
import type { DocPosition } from '../lucene';
import type { Versioned, WorkItemDoc, WorkingState } from './working-state';

export interface LeaseTiming {
  leaseMs: number;
  heartbeatMs: number;
  now: () => number;
}

export class Lease {
  #current: Versioned<WorkItemDoc>;
  #queue: Promise<unknown> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #lost = false;
  #pending = { docs: 0, bytes: 0, failed: 0 };
  lastCheckpointAt: number;

  private constructor(
    readonly state: WorkingState,
    current: Versioned<WorkItemDoc>,
    readonly workerId: string,
    readonly timing: LeaseTiming,
  ) {
    this.#current = current;
    this.lastCheckpointAt = timing.now();
  }

  /** Claims the item as seen; undefined when another worker changed it first. */
  static async claim(state: WorkingState, seen: Versioned<WorkItemDoc>, workerId: string, timing: LeaseTiming): Promise<Lease | undefined> {
    const now = timing.now();
    const takenOver = seen.doc.status === 'leased';
    const doc: WorkItemDoc = {
      ...seen.doc,
      status: 'leased',
      leaseHolderId: workerId,
      expiration: now + timing.leaseMs,
      attempts: seen.doc.attempts + 1,
      leasesExpired: seen.doc.leasesExpired + (takenOver ? 1 : 0),
      updatedAt: now,
    };
    const claimed = await state.replace(seen, doc);
    if (!claimed) return undefined;
    const lease = new Lease(state, claimed, workerId, timing);
    lease.#timer = setInterval(() => void lease.heartbeat(), timing.heartbeatMs);
    lease.#timer.unref();
    return lease;
  }

  get item(): WorkItemDoc & { id: string } {
    return { ...this.#current.doc, id: this.#current.id };
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Adds what a bulk achieved; written with the next checkpoint (not by heartbeats: counts move with the position). */
  record(docs: number, bytes: number, failed: number): void {
    this.#pending.docs += docs;
    this.#pending.bytes += bytes;
    this.#pending.failed += failed;
  }

  /** `withProgress`: also write the recorded counts (every write but the heartbeat, which moves no position). */
  #update(change: (doc: WorkItemDoc) => WorkItemDoc, refresh = false, withProgress = true): Promise<boolean> {
    const next = this.#queue.then(async () => {
      if (this.#lost) return false;
      const pending = withProgress ? this.#pending : { docs: 0, bytes: 0, failed: 0 };
      if (withProgress) this.#pending = { docs: 0, bytes: 0, failed: 0 };
      const base = this.#current.doc;
      const doc = change({
        ...base,
        docsMigrated: base.docsMigrated + pending.docs,
        bytesMigrated: base.bytesMigrated + pending.bytes,
        docsFailed: base.docsFailed + pending.failed,
        updatedAt: this.timing.now(),
      });
      let written: Versioned<WorkItemDoc> | undefined;
      try {
        written = await this.state.replace(this.#current, doc, refresh);
      } catch (error) {
        // The write did not happen (target unreachable, overloaded): keep the progress for the next one.
        this.record(pending.docs, pending.bytes, pending.failed);
        throw error;
      }
      if (!written) {
        this.#lost = true;
        this.stop();
        return false;
      }
      this.#current = written;
      return true;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  heartbeat(): Promise<boolean> {
    return this.#update((doc) => ({ ...doc, expiration: this.timing.now() + this.timing.leaseMs }), false, false);
  }

  checkpoint(cursor: DocPosition): Promise<boolean> {
    this.lastCheckpointAt = this.timing.now();
    return this.#update((doc) => ({ ...doc, cursor, expiration: this.timing.now() + this.timing.leaseMs }));
  }

  complete(): Promise<boolean> {
    this.stop();
    return this.#update((doc) => ({ ...doc, status: 'completed', completedAt: this.timing.now(), expiration: 0, leaseHolderId: undefined, error: undefined }), true);
  }

  /** Gives the item back (SIGTERM, transient failure): another worker resumes from the checkpoint. */
  release(error?: string): Promise<boolean> {
    this.stop();
    return this.#update((doc) => ({ ...doc, status: 'pending', expiration: 0, leaseHolderId: undefined, ...(error ? { error } : {}) }), true);
  }

  fail(error: string): Promise<boolean> {
    this.stop();
    return this.#update((doc) => ({ ...doc, status: 'failed', expiration: 0, leaseHolderId: undefined, error }), true);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
