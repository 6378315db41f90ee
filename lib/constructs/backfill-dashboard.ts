/**
 * Backfill dashboard and alarms. Worker and capture metrics come from `src/metrics/names.ts`, the module
 * the programs emit with, so a renamed metric cannot silently empty a widget. Target-domain widgets use
 * AWS/ES metrics through a `DomainName` dropdown filled from the account's domains.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { BACKFILL_METRICS, CAPTURE_METRICS, COMPONENTS, METRICS_NAMESPACE } from '../../src/metrics/names';

export interface BackfillDashboardProps {
  readonly stage: string;
  /** Adds capture-proxy widgets and the capture-error alarm. @default false */
  readonly captureEnabled?: boolean;
}

/** Placeholder the dashboard variable replaces with the chosen domain name. */
export const DOMAIN_NAME_PATTERN = 'TARGET_DOMAIN_NAME';

export class BackfillDashboard extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly alarms: cw.Alarm[] = [];

  constructor(scope: Construct, id: string, props: BackfillDashboardProps) {
    super(scope, id);
    const { stage } = props;
    const account = Stack.of(this).account;
    const worker = (metricName: string, statistic: string) =>
      new cw.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { stage, component: COMPONENTS.backfill }, statistic, period: Duration.minutes(1) });
    const capture = (metricName: string, statistic: string) =>
      new cw.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { stage, component: COMPONENTS.captureProxy }, statistic, period: Duration.minutes(1) });
    const domain = (metricName: string, statistic: string) =>
      new cw.Metric({ namespace: 'AWS/ES', metricName, dimensionsMap: { DomainName: DOMAIN_NAME_PATTERN, ClientId: account }, statistic, period: Duration.minutes(1) });

    this.dashboard = new cw.Dashboard(this, 'Resource', {
      dashboardName: `MigrationAssistant-Backfill-${stage}`,
      defaultInterval: Duration.hours(3),
      variables: [
        new cw.DashboardVariable({
          id: 'DomainName',
          type: cw.VariableType.PATTERN,
          inputType: cw.VariableInputType.SELECT,
          value: DOMAIN_NAME_PATTERN,
          label: 'Target domain',
          values: cw.Values.fromSearch('{AWS/ES,ClientId,DomainName} MetricName="CPUUtilization"', 'DomainName'),
        }),
      ],
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({ markdown: `# Backfill workers (${stage})`, width: 24, height: 1 }),
      new cw.GraphWidget({ title: 'Documents migrated / min', left: [worker(BACKFILL_METRICS.documentsMigrated, 'Sum')], width: 8 }),
      new cw.GraphWidget({ title: 'Bytes migrated / min', left: [worker(BACKFILL_METRICS.bytesMigrated, 'Sum')], width: 8 }),
      new cw.GraphWidget({ title: 'Bulk latency (ms)', left: [worker(BACKFILL_METRICS.bulkLatency, 'p50'), worker(BACKFILL_METRICS.bulkLatency, 'p99')], width: 8 }),
      new cw.GraphWidget({ title: 'Throttled bulks (429) and failed documents', left: [worker(BACKFILL_METRICS.bulkThrottled, 'Sum'), worker(BACKFILL_METRICS.documentsFailed, 'Sum')], width: 8 }),
      new cw.GraphWidget({ title: 'Work items completed, leases expired', left: [worker(BACKFILL_METRICS.workItemsCompleted, 'Sum'), worker(BACKFILL_METRICS.leasesExpired, 'Sum')], width: 8 }),
      new cw.GraphWidget({ title: 'Oldest checkpoint (s)', left: [worker(BACKFILL_METRICS.checkpointAge, 'Maximum')], width: 8 }),
      new cw.TextWidget({ markdown: '# Target domain (choose it in the DomainName dropdown)', width: 24, height: 1 }),
      new cw.GraphWidget({ title: 'Indexing rate', left: [domain('IndexingRate', 'Average')], width: 8 }),
      new cw.GraphWidget({ title: 'Searchable documents', left: [domain('SearchableDocuments', 'Average')], width: 8 }),
      new cw.GraphWidget({ title: 'CPU and JVM memory pressure', left: [domain('CPUUtilization', 'Maximum'), domain('JVMMemoryPressure', 'Maximum')], width: 8 }),
      new cw.GraphWidget({ title: 'Write thread-pool rejections', left: [domain('ThreadpoolWriteRejected', 'Sum')], width: 12 }),
      new cw.GraphWidget({ title: 'HTTP status codes', left: [domain('2xx', 'Sum'), domain('4xx', 'Sum'), domain('5xx', 'Sum')], width: 12 }),
    );

    // Workers checkpoint after every acknowledged bulk, so an old checkpoint means no progress.
    this.alarms.push(
      new cw.Alarm(this, 'StalledAlarm', {
        alarmDescription: `Backfill ${stage}: no checkpoint for 15 minutes while workers run`,
        metric: worker(BACKFILL_METRICS.checkpointAge, 'Maximum').with({ period: Duration.minutes(5) }),
        threshold: 900,
        evaluationPeriods: 2,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'ThrottlingAlarm', {
        alarmDescription: `Backfill ${stage}: the target throttles (HTTP 429) more than 100 bulk requests in 5 minutes`,
        metric: worker(BACKFILL_METRICS.bulkThrottled, 'Sum').with({ period: Duration.minutes(5) }),
        threshold: 100,
        evaluationPeriods: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'FailedDocumentsAlarm', {
        alarmDescription: `Backfill ${stage}: the target refused documents (see the failed-documents log)`,
        metric: worker(BACKFILL_METRICS.documentsFailed, 'Sum').with({ period: Duration.minutes(5) }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
    );
    if (props.captureEnabled) {
      this.dashboard.addWidgets(
        new cw.TextWidget({ markdown: '# Capture proxy', width: 24, height: 1 }),
        new cw.GraphWidget({ title: 'Captured requests', left: [capture(CAPTURE_METRICS.requests, 'Sum'), capture(CAPTURE_METRICS.records, 'Sum')], width: 12 }),
        new cw.GraphWidget({ title: 'Kafka errors and lost captures', left: [capture(CAPTURE_METRICS.kafkaErrors, 'Sum'), capture(CAPTURE_METRICS.lostCaptures, 'Sum')], width: 12 }),
      );
      this.alarms.push(
        new cw.Alarm(this, 'CaptureErrorsAlarm', {
          alarmDescription: `Capture proxy ${stage}: captures were lost or Kafka writes failed`,
          metric: new cw.MathExpression({
            expression: 'errors + lost',
            usingMetrics: {
              errors: capture(CAPTURE_METRICS.kafkaErrors, 'Sum').with({ period: Duration.minutes(5) }),
              lost: capture(CAPTURE_METRICS.lostCaptures, 'Sum').with({ period: Duration.minutes(5) }),
            },
            period: Duration.minutes(5),
          }),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
