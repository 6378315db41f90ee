/**
 * Migrates one work item: reads its range of the shard from the snapshot, sends the documents in bulks
 * with several in flight, and checkpoints the exact position after every acknowledged bulk (and with each
 * heartbeat), so a worker killed at any moment loses at most the bulks that were in flight.
 */
import type { Logger } from 'pino';
import { BACKFILL_METRICS } from '../metrics/names';
import type { EmfEmitter } from '../metrics/emf';
import type { DocPosition, ShardReader } from '../lucene';
import { BulkBodyBuilder } from './bulk-body';
import type { BulkDocument, BulkSink } from './bulk-sink';
import type { FailedDocumentLog } from './failed-documents';
import type { Lease } from './lease';

export interface BatchLimits {
  maxDocs: number;
  maxBytes: number;
}

export interface ProcessResult {
  outcome: 'completed' | 'stopped' | 'lost';
}

interface Batch {
  documents: BulkDocument[];
  /** Position after the batch's last document. */
  next: DocPosition;
  done: boolean;
  /** What the target did with the batch, once acknowledged; recorded when the position passes it. */
  counts?: { indexed: number; bytes: number; rejected: number };
  promise?: Promise<void>;
}

export interface ItemContext {
  reader: ShardReader;
  lease: Lease;
  sink: BulkSink;
  failedLog: FailedDocumentLog;
  metrics: EmfEmitter;
  log: Logger;
  limits: BatchLimits;
  targetIndexFor: (type: string | undefined) => string;
  /** Becomes true when the worker must stop (SIGTERM). */
  stopping: () => boolean;
}

export async function processItem(context: ItemContext): Promise<ProcessResult> {
  const { reader, lease, sink, limits } = context;
  const item = lease.item;
  const from = item.cursor ?? item.range.from;
  const inFlight: Batch[] = [];
  let firstError: unknown;
  let checkpoints: Promise<void> = Promise.resolve();

  // Backpressure: keep as many bulks in flight as the sink allows (it lowers that while the target
  // throttles), and no more, so memory stays bounded by a few batches.
  const backpressure = async () => {
    for (let sending = inFlight.filter((b) => !b.done); sending.length >= sink.concurrency && !firstError; sending = inFlight.filter((b) => !b.done)) {
      await Promise.race(sending.map((b) => b.promise));
    }
  };

  // Commits the position after the longest prefix of acknowledged batches, with their counts: progress
  // and position move together, so a worker killed at any moment leaves counts that match its position.
  const commitDone = async () => {
    let next: DocPosition | undefined;
    while (inFlight.length > 0 && inFlight[0].done) {
      const batch = inFlight.shift()!;
      if (batch.counts) lease.record(batch.counts.indexed, batch.counts.bytes, batch.counts.rejected);
      next = batch.next;
    }
    if (next) await lease.checkpoint(next);
  };

  const submit = (builder: BulkBodyBuilder, next: DocPosition) => {
    const { body, documents } = builder.finish();
    const batch: Batch = { documents, next, done: false };
    batch.promise = sink.send(documents, body).then(
      async (outcome) => {
        context.metrics.count(BACKFILL_METRICS.documentsMigrated, outcome.indexed);
        context.metrics.count(BACKFILL_METRICS.bytesMigrated, outcome.bytes, 'Bytes');
        context.metrics.observe(BACKFILL_METRICS.bulkLatency, outcome.latencyMs);
        if (outcome.throttled) context.metrics.count(BACKFILL_METRICS.bulkThrottled, outcome.throttled);
        if (outcome.rejected.length) {
          context.metrics.count(BACKFILL_METRICS.documentsFailed, outcome.rejected.length);
          await context.failedLog.write(outcome.rejected);
          context.log.warn({ item: item.id, rejected: outcome.rejected.length, first: outcome.rejected[0].reason }, 'documents rejected by the target');
        }
        batch.counts = { indexed: outcome.indexed, bytes: outcome.bytes, rejected: outcome.rejected.length };
        batch.done = true;
        batch.documents = [];
        // The checkpoint is written in the background: the next bulk need not wait for it.
        checkpoints = checkpoints.then(commitDone).catch((error: unknown) => {
          firstError ??= error;
        });
      },
      (error: unknown) => {
        firstError ??= error;
      },
    );
    inFlight.push(batch);
  };

  // Each batch's buffer is sized like the previous batch, so that it rarely has to grow.
  let builder = new BulkBodyBuilder(Math.min(limits.maxBytes, INITIAL_BATCH_BYTES));
  let last: DocPosition | undefined;
  for await (const doc of reader.documents({ from, to: item.range.to })) {
    if (context.stopping() || lease.lost || firstError) break;
    const index = context.targetIndexFor(doc.type);
    // A batch stays within maxBytes (a document larger than that goes alone).
    if (last && builder.count > 0 && builder.byteLength + actionBytes(index, doc.id, doc.routing) + doc.source.length > limits.maxBytes) {
      submit(builder, after(last));
      builder = new BulkBodyBuilder(builder.byteLength);
      await backpressure();
    }
    builder.add(index, doc.id, doc.routing, doc.source);
    last = doc.position;
    if (builder.count >= limits.maxDocs) {
      submit(builder, after(last));
      builder = new BulkBodyBuilder(builder.byteLength);
      await backpressure();
    }
  }
  const interrupted = context.stopping() || lease.lost || firstError !== undefined;
  if (!interrupted && builder.count > 0 && last) submit(builder, after(last));
  await Promise.all(inFlight.map((b) => b.promise));
  await checkpoints;
  if (firstError) throw firstError;
  await commitDone();
  if (lease.lost) return { outcome: 'lost' };
  if (interrupted) return { outcome: 'stopped' };
  return { outcome: 'completed' };
}

const INITIAL_BATCH_BYTES = 16 * 1024 * 1024;

/** The position right after a document: where the next batch, or a resumed worker, starts. */
function after(position: DocPosition): DocPosition {
  return { segment: position.segment, doc: position.doc + 1 };
}

/** Bytes of a document's action line, near enough to keep a batch within its byte limit. */
function actionBytes(index: string, id: string, routing: string | undefined): number {
  return 40 + index.length + id.length + (routing === undefined ? 0 : routing.length + 12);
}
