/**
 * The console's `services.yaml`, rendered from the deployment options (the reference console schema:
 * source_cluster, target_cluster, backfill, snapshot, kafka, metrics_source) and stored in an SSM
 * parameter the console task reads at start.
 */
import { stringify } from 'yaml';
import { StageOptions } from '../config/options';

export interface ServicesYamlInputs {
  readonly options: StageOptions;
  readonly region: string;
  readonly ecsClusterName: string;
  readonly backfillServiceName?: string;
  readonly snapshotRepoUri: string;
  readonly snapshotRoleArn: string;
  readonly kafkaBootstrapServers?: string;
  readonly kafkaIsMsk: boolean;
}

type Cluster = StageOptions['sourceCluster'];

function clusterYaml(cluster: Cluster, region: string): Record<string, unknown> {
  const auth =
    cluster.auth.type === 'basic'
      ? { basic_auth: { user_secret_arn: cluster.auth.secretArn } }
      : cluster.auth.type === 'sigv4'
        ? { sigv4: { region: cluster.auth.region ?? region, service: cluster.auth.service } }
        : { no_auth: '' };
  return { endpoint: cluster.endpoint, version: cluster.version, allow_insecure: cluster.allowInsecure, ...auth };
}

export function renderServicesYaml(inputs: ServicesYamlInputs): string {
  const { options, region } = inputs;
  const document: Record<string, unknown> = {
    source_cluster: clusterYaml(options.sourceCluster, region),
    target_cluster: clusterYaml(options.targetCluster, region),
    metrics_source: { cloudwatch: { qualifier: options.stage, aws_region: region } },
    snapshot: {
      snapshot_name: options.snapshot.snapshotName,
      snapshot_repo_name: options.snapshot.repositoryName,
      s3: { repo_uri: inputs.snapshotRepoUri, aws_region: region, role: inputs.snapshotRoleArn },
    },
  };
  if (inputs.backfillServiceName) {
    document.backfill = {
      reindex_from_snapshot: {
        ecs: { cluster_name: inputs.ecsClusterName, service_name: inputs.backfillServiceName, aws_region: region },
        scale: options.backfill.maxWorkers,
      },
    };
  }
  if (inputs.kafkaBootstrapServers) {
    document.kafka = inputs.kafkaIsMsk ? { broker_endpoints: inputs.kafkaBootstrapServers, msk: '' } : { broker_endpoints: inputs.kafkaBootstrapServers, standard: '' };
  }
  return stringify(document, { nullStr: '' });
}
