/**
 * The one list of metric names the programs emit and the CDK dashboard and alarms read.
 * Namespace and dimensions follow the CloudWatch Embedded Metric Format convention of the project:
 * namespace `MigrationAssistant`, dimensions `stage` and `component`.
 */
export const METRICS_NAMESPACE = 'MigrationAssistant';
export const METRIC_DIMENSIONS = ['stage', 'component'] as const;

export const COMPONENTS = {
  backfill: 'backfill',
  captureProxy: 'captureProxy',
} as const;

export const BACKFILL_METRICS = {
  documentsMigrated: 'DocumentsMigrated',
  bytesMigrated: 'BytesMigrated',
  bulkLatency: 'BulkLatency',
  bulkThrottled: 'BulkThrottled',
  documentsFailed: 'DocumentsFailed',
  workItemsCompleted: 'WorkItemsCompleted',
  leasesExpired: 'LeasesExpired',
  checkpointAge: 'CheckpointAge',
} as const;

export const CAPTURE_METRICS = {
  requests: 'CaptureRequests',
  bytes: 'CaptureBytes',
  records: 'CaptureRecords',
  kafkaErrors: 'CaptureKafkaErrors',
  lostCaptures: 'CaptureLost',
  addedLatency: 'CaptureAddedLatency',
  /** Mutating requests whose capture was not acknowledged before the policy applied (forwarded or refused). */
  unacknowledgedMutations: 'CaptureUnacknowledgedMutations',
} as const;

export type BackfillMetricName = (typeof BACKFILL_METRICS)[keyof typeof BACKFILL_METRICS];
export type CaptureMetricName = (typeof CAPTURE_METRICS)[keyof typeof CAPTURE_METRICS];
