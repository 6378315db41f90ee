import { parse } from 'yaml';
import { parseStageOptions } from '../../lib/config/options';
import { renderServicesYaml } from '../../lib/constructs/services-yaml';

const options = parseStageOptions(
  {
    stage: 'dev',
    sourceCluster: { endpoint: 'https://source:9200', version: 'ES_7.10', auth: { type: 'basic', secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:src' } },
    targetCluster: { endpoint: 'https://target:443', version: 'OS_2.19', auth: { type: 'sigv4' } },
    backfill: { maxWorkers: 12 },
  },
  'dev',
);

describe('services.yaml for the console', () => {
  it('follows the console schema: clusters with one auth block, ECS backfill, S3 snapshot, MSK kafka', () => {
    const yaml = renderServicesYaml({
      options,
      region: 'eu-west-1',
      ecsClusterName: 'migration-dev',
      backfillServiceName: 'migration-dev-backfill',
      snapshotRepoUri: 's3://bucket/snapshots',
      snapshotRoleArn: 'arn:aws:iam::1:role/snapshot',
      kafkaBootstrapServers: 'b-1:9098,b-2:9098',
      kafkaIsMsk: true,
    });
    expect(parse(yaml)).toEqual({
      source_cluster: { endpoint: 'https://source:9200', version: 'ES_7.10', allow_insecure: false, basic_auth: { user_secret_arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:src' } },
      target_cluster: { endpoint: 'https://target:443', version: 'OS_2.19', allow_insecure: false, sigv4: { region: 'eu-west-1', service: 'es' } },
      metrics_source: { cloudwatch: { qualifier: 'dev', aws_region: 'eu-west-1' } },
      snapshot: {
        snapshot_name: 'migration-assistant-snapshot',
        snapshot_repo_name: 'migration-assistant-repo',
        s3: { repo_uri: 's3://bucket/snapshots', aws_region: 'eu-west-1', role: 'arn:aws:iam::1:role/snapshot' },
      },
      backfill: { reindex_from_snapshot: { ecs: { cluster_name: 'migration-dev', service_name: 'migration-dev-backfill', aws_region: 'eu-west-1' }, scale: 12 } },
      kafka: { broker_endpoints: 'b-1:9098,b-2:9098', msk: '' },
    });
  });

  it('leaves out backfill and kafka when there are none, and marks plain Kafka as standard', () => {
    const base = { options, region: 'eu-west-1', ecsClusterName: 'c', snapshotRepoUri: 's3://b/p', snapshotRoleArn: 'r', kafkaIsMsk: false };
    const without = parse(renderServicesYaml(base)) as Record<string, unknown>;
    expect(Object.keys(without).sort()).toEqual(['metrics_source', 'snapshot', 'source_cluster', 'target_cluster']);
    const standard = parse(renderServicesYaml({ ...base, kafkaBootstrapServers: 'kafka:9092' })) as { kafka: unknown };
    expect(standard.kafka).toEqual({ broker_endpoints: 'kafka:9092', standard: '' });
  });
});
