/**
 * The backfill worker: the first one to start plans the work items; then every worker claims items,
 * migrates them and checkpoints, until no item is left. Idle workers wait while another worker still
 * holds an item (it may die and its item come back), and exit 0 once every item is completed or failed,
 * so a fleet drains by itself.
 */
import type { Logger } from 'pino';
import { ClusterClient, type ClusterConfig } from '../cluster';
import { CorruptIndexError, UnsupportedFormatError } from '../lucene';
import { EmfEmitter } from '../metrics/emf';
import { BACKFILL_METRICS, COMPONENTS } from '../metrics/names';
import { assertSourceHoldsVectors, openRepository, openSnapshotShard, SnapshotError, type IndexMetadata, type SnapshotRepository, type SnapshotSummary } from '../snapshot';
import { BulkSink } from './bulk-sink';
import { fileFailedDocumentLog, s3FailedDocumentLog, type FailedDocumentLog } from './failed-documents';
import { mergedTypes, targetIndexFor, targetIndices, type MultiTypeRule } from './index-metadata';
import { processItem } from './item-processor';
import { Lease } from './lease';
import { splitShard, type WorkItemSpec } from './work-item';
import { SETUP_ID, STATE_VERSION, WorkingState, type SetupDoc } from './working-state';

export interface WorkerConfig {
  snapshotName: string;
  repoUri: string;
  s3Region?: string;
  s3Endpoint?: string;
  target: ClusterConfig;
  indexAllowlist?: string[];
  sessionName?: string;
  workerId: string;
  maxDocsPerBatch: number;
  maxBytesPerBatch: number;
  maxConcurrentBulks: number;
  docsPerWorkItem: number;
  leaseMs: number;
  clockSkewMs: number;
  multiTypeRule: MultiTypeRule;
  createIndices: boolean;
  failedDocsDir: string;
  /** When set, refused documents go to S3 rather than to `failedDocsDir`. */
  failedDocsS3Uri?: string;
  failedDocsIncludeSource: boolean;
  stage: string;
  /** Failed attempts after which an item is marked failed. */
  maxAttempts: number;
  /** How long a signalled worker may take to stop before it exits anyway. */
  shutdownTimeoutMs: number;
}

export interface WorkerRun {
  itemsCompleted: number;
  itemsFailed: number;
  stoppedBySignal: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class BackfillWorker {
  readonly #config: WorkerConfig;
  readonly #log: Logger;
  readonly #client: ClusterClient;
  readonly #state: WorkingState;
  readonly #repo: SnapshotRepository;
  readonly #metrics: EmfEmitter;
  readonly #sink: BulkSink;
  readonly #failedLog: FailedDocumentLog;
  #stopping = false;
  #metadata = new Map<string, Promise<IndexMetadata>>();
  #createdIndices = new Set<string>();

  constructor(config: WorkerConfig, log: Logger, metricsSink: { write(line: string): void }) {
    this.#config = config;
    this.#log = log;
    this.#client = new ClusterClient(config.target);
    this.#state = new WorkingState(this.#client, config.sessionName);
    this.#repo = openRepository(config.repoUri, { region: config.s3Region, endpoint: config.s3Endpoint });
    this.#metrics = new EmfEmitter({ stage: config.stage, component: COMPONENTS.backfill }, metricsSink);
    this.#sink = new BulkSink(this.#client, { maxConcurrency: config.maxConcurrentBulks });
    this.#failedLog = config.failedDocsS3Uri
      ? s3FailedDocumentLog(config.failedDocsS3Uri, config.workerId, config.failedDocsIncludeSource, { region: config.s3Region, endpoint: config.s3Endpoint })
      : fileFailedDocumentLog(config.failedDocsDir, config.workerId, config.failedDocsIncludeSource);
  }

  /** Stop claiming, finish or abandon the current bulks, checkpoint, release the lease. */
  stop(): void {
    this.#stopping = true;
  }

  async run(): Promise<WorkerRun> {
    const flush = setInterval(() => this.#metrics.flush(), 10_000);
    flush.unref();
    const run: WorkerRun = { itemsCompleted: 0, itemsFailed: 0, stoppedBySignal: false };
    try {
      const snapshot = await this.#repo.snapshot(this.#config.snapshotName);
      await this.#setup(snapshot);
      while (!this.#stopping) {
        const candidates = await this.#state.claimable(Date.now(), this.#config.clockSkewMs);
        if (candidates.length === 0) {
          if (await this.#allDone()) break;
          await sleep(2000);
          continue;
        }
        let lease: Lease | undefined;
        for (const candidate of candidates) {
          lease = await Lease.claim(this.#state, candidate, this.#config.workerId, { leaseMs: this.#config.leaseMs, heartbeatMs: this.#heartbeatMs(), now: Date.now });
          if (lease) break;
        }
        if (!lease) continue;
        if (lease.item.leasesExpired > 0 && lease.item.attempts > 1) this.#metrics.count(BACKFILL_METRICS.leasesExpired, 1);
        const result = await this.#work(snapshot, lease);
        if (result === 'completed') run.itemsCompleted++;
        if (result === 'failed') run.itemsFailed++;
      }
      run.stoppedBySignal = this.#stopping;
      return run;
    } finally {
      clearInterval(flush);
      this.#metrics.flush();
      this.#client.close();
    }
  }

  #heartbeatMs(): number {
    return Math.min(30_000, Math.max(500, Math.floor(this.#config.leaseMs / 4)));
  }

  async #work(snapshot: SnapshotSummary, lease: Lease): Promise<'completed' | 'failed' | 'released' | 'lost'> {
    const item = lease.item;
    const log = this.#log.child({ item: item.id, index: item.index, shard: item.shard, part: item.part });
    log.info({ from: item.cursor ?? item.range.from ?? 'start', attempt: item.attempts }, 'claimed work item');
    const checkpointAge = setInterval(() => this.#metrics.observe(BACKFILL_METRICS.checkpointAge, (Date.now() - lease.lastCheckpointAt) / 1000, 'Seconds'), 10_000);
    checkpointAge.unref();
    try {
      const metadata = await this.#indexMetadata(snapshot, item.index);
      assertSourceHoldsVectors(metadata);
      await this.#ensureTargetIndices(metadata);
      const { reader } = await openSnapshotShard(this.#repo, snapshot, item.index, item.shard);
      const result = await processItem({
        reader,
        lease,
        sink: this.#sink,
        failedLog: this.#failedLog,
        metrics: this.#metrics,
        log,
        limits: { maxDocs: this.#config.maxDocsPerBatch, maxBytes: this.#config.maxBytesPerBatch },
        targetIndexFor: (type) => targetIndexFor(metadata, this.#config.multiTypeRule, type),
        stopping: () => this.#stopping,
      });
      if (result.outcome === 'lost') {
        log.warn('lease lost to another worker; leaving the item to it');
        return 'lost';
      }
      if (result.outcome === 'stopped') {
        await lease.release();
        log.info({ cursor: lease.item.cursor }, 'stopped; item released at its checkpoint');
        return 'released';
      }
      await lease.complete();
      this.#metrics.count(BACKFILL_METRICS.workItemsCompleted, 1);
      log.info({ docs: lease.item.docsMigrated }, 'work item completed');
      return 'completed';
    } catch (error) {
      const message = (error as Error).message;
      // A damaged or unreadable snapshot will not heal by retrying; anything else gets a few more attempts.
      const permanent = error instanceof CorruptIndexError || error instanceof UnsupportedFormatError || (error instanceof SnapshotError && error.code !== 'MA_SNAPSHOT_NOT_FOUND');
      if (permanent || item.attempts >= this.#config.maxAttempts) {
        await lease.fail(message);
        log.error({ err: message }, 'work item failed');
        return 'failed';
      }
      await lease.release(message);
      log.warn({ err: message }, 'work item attempt failed; released for a retry');
      return 'released';
    } finally {
      clearInterval(checkpointAge);
      lease.stop();
    }
  }

  #indexMetadata(snapshot: SnapshotSummary, index: string): Promise<IndexMetadata> {
    let cached = this.#metadata.get(index);
    if (!cached) {
      cached = this.#repo.indexMetadata(snapshot, index);
      this.#metadata.set(index, cached);
    }
    return cached;
  }

  async #ensureTargetIndices(metadata: IndexMetadata): Promise<void> {
    if (!this.#config.createIndices) return;
    for (const target of targetIndices(metadata, this.#config.multiTypeRule)) {
      if (this.#createdIndices.has(target.name)) continue;
      const exists = await this.#client.request('HEAD', `/${encodeURIComponent(target.name)}`, { expectStatus: [404] });
      if (exists.status === 404) {
        const created = await this.#client.request<{ error?: { type?: string } }>('PUT', `/${encodeURIComponent(target.name)}`, { body: target.body, expectStatus: [400] });
        if (created.status === 400 && created.body.error?.type !== 'resource_already_exists_exception') {
          throw new Error(`creating target index ${target.name} failed: ${JSON.stringify(created.body.error)}`);
        }
        if (created.status === 200) {
          this.#log.info({ index: target.name }, 'created target index from snapshot metadata');
          if (target.notes.length > 0) this.#log.warn({ index: target.name, changes: target.notes }, 'target index mapping adapted for OpenSearch');
          const types = mergedTypes(metadata, this.#config.multiTypeRule);
          if (types.length > 0) {
            this.#log.warn({ index: target.name, types }, 'several mapping types merged into one index: documents of different types that share an id overwrite each other (--multi-type-rule split keeps them apart)');
          }
        }
      }
      this.#createdIndices.add(target.name);
    }
  }

  /** Plans the work items exactly once per session, even with many workers starting together. */
  async #setup(snapshot: SnapshotSummary): Promise<void> {
    await this.#state.ensureIndex();
    for (;;) {
      const now = Date.now();
      const setup = await this.#state.get<SetupDoc>(SETUP_ID);
      if (setup?.doc.completedAt) return;
      const fresh: SetupDoc = { kind: 'setup', stateVersion: STATE_VERSION, snapshot: snapshot.name, creatorId: this.#config.workerId, expiration: now + this.#config.leaseMs, startedAt: now };
      let mine = false;
      if (!setup) mine = await this.#state.create(SETUP_ID, fresh);
      else if (setup.doc.expiration + this.#config.clockSkewMs < now) mine = (await this.#state.replace(setup, fresh)) !== undefined;
      if (!mine) {
        await sleep(1000);
        continue;
      }
      this.#log.info({ snapshot: snapshot.name }, 'planning work items');
      const { items, totalDocuments } = await this.#planItems(snapshot);
      await this.#state.createItems(items, Date.now());
      const current = await this.#state.get<SetupDoc>(SETUP_ID);
      if (!current || current.doc.creatorId !== this.#config.workerId) continue;
      const shards = new Set(items.map((i) => `${i.index}/${i.shard}`)).size;
      const done = await this.#state.replace(current, {
        ...current.doc,
        completedAt: Date.now(),
        totalItems: items.length,
        totalShards: shards,
        totalDocuments,
      });
      if (done) {
        this.#log.info({ items: items.length, shards }, 'work items planned');
        return;
      }
    }
  }

  /** Work items for every shard; the exact live total comes from the commits (item counts are estimates). */
  async #planItems(snapshot: SnapshotSummary): Promise<{ items: WorkItemSpec[]; totalDocuments: number }> {
    const allow = this.#config.indexAllowlist;
    const indices = snapshot.indices.filter((name) => (allow?.length ? allow.includes(name) : !name.startsWith('.')));
    const missing = allow?.filter((name) => !snapshot.indices.includes(name)) ?? [];
    if (missing.length) throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `--index-allowlist names indices that snapshot "${snapshot.name}" does not hold: ${missing.join(', ')}`);
    const items: WorkItemSpec[] = [];
    let totalDocuments = 0;
    for (const index of indices) {
      const metadata = await this.#indexMetadata(snapshot, index);
      for (let shard = 0; shard < metadata.numberOfShards; shard++) {
        try {
          const { reader } = await openSnapshotShard(this.#repo, snapshot, index, shard);
          items.push(...splitShard(index, shard, reader.segments, this.#config.docsPerWorkItem));
          totalDocuments += reader.liveDocCount;
        } catch (error) {
          // An unreadable shard still gets its item, which fails with the reason when a worker takes it.
          this.#log.error({ index, shard, err: (error as Error).message }, 'cannot read shard while planning');
          items.push({ ...splitShard(index, shard, [], this.#config.docsPerWorkItem)[0], documents: 0 });
        }
      }
    }
    return { items, totalDocuments };
  }

  async #allDone(): Promise<boolean> {
    const items = await this.#state.items();
    return items.every((i) => i.doc.status === 'completed' || i.doc.status === 'failed');
  }
}
