/**
 * The `--json` contract: one schema per command result, typed against the command's Result type so the
 * two cannot drift. `schemas/<group>-<command>.json` holds these as JSON Schema; a unit test keeps the
 * files equal to what this module generates, and the end-to-end tests parse real output with them.
 */
import { z } from 'zod';
import type { CatIndicesResult } from './commands/clusters/cat-indices';
import type { ClearIndicesResult } from './commands/clusters/clear-indices';
import type { CompareResult } from './commands/clusters/compare';
import type { ConnectionCheckResult, ConnectionResult } from './commands/clusters/connection-check';
import type { CurlResult } from './commands/clusters/curl';
import type { MetadataMigrateResult } from './commands/metadata/migrate';
import type { SnapshotCreateResult } from './commands/snapshot/create';
import type { SnapshotDeleteResult } from './commands/snapshot/delete';
import type { SnapshotStatusResult } from './commands/snapshot/status';
import type { BackfillScaleResult } from './commands/backfill/scale';
import type { BackfillStatusResult } from './commands/backfill/status';
import type { BackfillStopResult } from './commands/backfill/stop';
import type { CreateTopicResult } from './commands/kafka/create-topic';
import type { DeleteTopicResult } from './commands/kafka/delete-topic';
import type { DescribeConsumerGroupResult } from './commands/kafka/describe-consumer-group';
import type { DescribeTopicResult } from './commands/kafka/describe-topic';
import type { TopicRecordsResult } from './commands/kafka/describe-topic-records';
import type { ListConsumerGroupsResult } from './commands/kafka/list-consumer-groups';
import type { ListTopicsResult } from './commands/kafka/list-topics';
import { JSON_ENVELOPE_VERSION } from './io';

const catRows = z.array(z.record(z.string(), z.string().nullable()));
const catIndices: z.ZodType<CatIndicesResult> = z.strictObject({ refreshed: z.boolean(), source_cluster: catRows.optional(), target_cluster: catRows.optional() });

const connection: z.ZodType<ConnectionResult> = z.strictObject({
  connection_established: z.boolean(),
  connection_message: z.string(),
  cluster_version: z.string().optional(),
  engine: z.string().optional(),
  error_code: z.string().optional(),
});
const connectionCheck: z.ZodType<ConnectionCheckResult> = z.strictObject({ source_cluster: connection.optional(), target_cluster: connection.optional() });

const curl: z.ZodType<CurlResult> = z.strictObject({ status: z.number().int(), body: z.string() });

const role = z.enum(['source', 'target']);
const clearIndices: z.ZodType<ClearIndicesResult> = z.strictObject({ cluster: role, deleted: z.array(z.string()) });

const count = z.number().int().min(0);
const compare: z.ZodType<CompareResult> = z.strictObject({
  equal: z.boolean(),
  indices: z.array(
    z.strictObject({ index: z.string(), source: count, target: count, missing: count, extra: count, different: count, equal: z.boolean(), examples: z.array(z.string()) }),
  ),
});

const snapshotCreate: z.ZodType<SnapshotCreateResult> = z.strictObject({ snapshot: z.string(), repository: z.string(), state: z.string(), waited: z.boolean() });
const snapshotDelete: z.ZodType<SnapshotDeleteResult> = z.strictObject({ snapshot: z.string(), repository: z.string(), existed: z.boolean() });
const snapshotStatus: z.ZodType<SnapshotStatusResult> = z.strictObject({
  snapshot: z.string(),
  state: z.string(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  percent: z.number(),
  shards: z.strictObject({ total: count, done: count, failed: count }),
  bytes: z.strictObject({ processed: count, total: count }),
  throughputMibPerSec: z.number().optional(),
  etaMs: z.number().optional(),
  indices: z.array(z.strictObject({ index: z.string(), shardsDone: count, shardsTotal: count, bytesProcessed: count, bytesTotal: count })).optional(),
});

const metadataMigrate: z.ZodType<MetadataMigrateResult> = z.strictObject({
  snapshot: z.string(),
  dryRun: z.boolean(),
  templates: z.array(z.strictObject({ kind: z.enum(['component', 'index', 'legacy']), name: z.string(), status: z.enum(['created', 'would create', 'exists', 'skipped', 'failed']), reason: z.string().optional() })),
  indices: z.array(z.strictObject({ source: z.string(), target: z.string(), status: z.enum(['created', 'would create', 'exists', 'failed']), error: z.string().optional() })),
});

const topicRecords: z.ZodType<TopicRecordsResult> = z.strictObject({
  topic: z.string(),
  records: count,
  partitions: z.array(z.strictObject({ partition: count, earliest: count, latest: count, records: count })),
});
const listTopics: z.ZodType<ListTopicsResult> = z.strictObject({ topics: z.array(z.string()) });
const createTopic: z.ZodType<CreateTopicResult> = z.strictObject({ topic: z.string(), partitions: z.number().int().min(1), replicationFactor: z.number().int().min(1) });
const deleteTopic: z.ZodType<DeleteTopicResult> = z.strictObject({ topic: z.string() });
const brokerId = z.number().int();
const describeTopic: z.ZodType<DescribeTopicResult> = z.strictObject({
  topic: z.string(),
  replicationFactor: count,
  records: count,
  partitions: z.array(
    z.strictObject({ partition: count, leader: brokerId, replicas: z.array(brokerId), isr: z.array(brokerId), earliest: count, latest: count, records: count }),
  ),
});
const listConsumerGroups: z.ZodType<ListConsumerGroupsResult> = z.strictObject({ groups: z.array(z.strictObject({ groupId: z.string(), protocolType: z.string() })) });
const describeConsumerGroup: z.ZodType<DescribeConsumerGroupResult> = z.strictObject({
  group: z.string(),
  state: z.string(),
  protocolType: z.string(),
  lag: count,
  members: z.array(
    z.strictObject({ memberId: z.string(), clientId: z.string(), host: z.string(), assignment: z.array(z.strictObject({ topic: z.string(), partitions: z.array(count) })) }),
  ),
  partitions: z.array(
    z.strictObject({ topic: z.string(), partition: count, committed: count.nullable(), end: count.nullable(), lag: count.nullable(), memberId: z.string().nullable() }),
  ),
});

const workers = z.strictObject({ running: count, pending: count, desired: count });
const backfillScale: z.ZodType<BackfillScaleResult> = z.strictObject({ action: z.enum(['start', 'pause', 'scale']), platform: z.string(), running: count, pending: count, desired: count });
const backfillStatus: z.ZodType<BackfillStatusResult> = z.strictObject({
  status: z.enum(['RUNNING', 'STARTING', 'STOPPED', 'COMPLETED', 'COMPLETED_WITH_ERRORS']),
  workers,
  progress: z.strictObject({
    initialized: z.boolean(),
    planned: z.boolean(),
    snapshot: z.string().optional(),
    shards: z.strictObject({ total: count, completed: count, incomplete: count, inProgress: count, unclaimed: count, failed: count }),
    items: z.strictObject({ total: count, completed: count, inProgress: count, unclaimed: count, failed: count }),
    documents: z.strictObject({ total: count, migrated: count, failed: count }),
    bytesMigrated: count,
    leasesExpired: count,
    startedAt: z.number().optional(),
    finishedAt: z.number().optional(),
    failedItems: z.array(z.strictObject({ id: z.string(), index: z.string(), shard: count, error: z.string() })),
  }),
  docsPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
});
const backfillStop: z.ZodType<BackfillStopResult> = z.strictObject({ archive: z.string().optional(), documents: count, removed: z.boolean() });

/** Result schemas by command name. */
export const RESULT_SCHEMAS: Record<string, z.ZodType> = {
  'clusters cat-indices': catIndices,
  'clusters connection-check': connectionCheck,
  'clusters curl': curl,
  'clusters clear-indices': clearIndices,
  'clusters compare': compare,
  'snapshot create': snapshotCreate,
  'snapshot status': snapshotStatus,
  'snapshot delete': snapshotDelete,
  'metadata migrate': metadataMigrate,
  'metadata evaluate': metadataMigrate,
  'kafka describe-topic-records': topicRecords,
  'kafka list-topics': listTopics,
  'kafka create-topic': createTopic,
  'kafka delete-topic': deleteTopic,
  'kafka describe-topic': describeTopic,
  'kafka list-consumer-groups': listConsumerGroups,
  'kafka describe-consumer-group': describeConsumerGroup,
  'backfill start': backfillScale,
  'backfill pause': backfillScale,
  'backfill scale': backfillScale,
  'backfill status': backfillStatus,
  'backfill stop': backfillStop,
};

/** The envelope every `--json` run prints: a result on success; an error, and maybe a partial result, on failure. */
export function envelopeSchema(command: string): z.ZodType {
  const result = RESULT_SCHEMAS[command] ?? z.unknown();
  return z.union([
    z.strictObject({ version: z.literal(JSON_ENVELOPE_VERSION), command: z.literal(command), status: z.literal(0), result }),
    z.strictObject({
      version: z.literal(JSON_ENVELOPE_VERSION),
      command: z.literal(command),
      status: z.number().int().min(1),
      result: result.optional(),
      error: z.strictObject({ code: z.string().regex(/^MA_[A-Z0-9_]+$/), message: z.string() }),
    }),
  ]);
}
