/**
 * Builds every stack of one stage from its validated options. `bin/app.ts` calls this with the options
 * read from the context; tests call it with options of their own.
 */
import { App, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { StageOptions } from './config/options';
import { CaptureProxyStack } from './stacks/capture-proxy-stack';
import { MskStack } from './stacks/msk-stack';
import { BackfillStack } from './stacks/backfill-stack';
import { ConsoleStack } from './stacks/console-stack';
import { MigrationInfraStack } from './stacks/migration-infra-stack';
import { NetworkStack } from './stacks/network-stack';

export interface MigrationStacks {
  readonly network: NetworkStack;
  readonly infra: MigrationInfraStack;
  readonly msk?: MskStack;
  readonly captureProxy?: CaptureProxyStack;
  readonly backfill?: BackfillStack;
  readonly console: ConsoleStack;
}

export function addMigrationStacks(app: App, options: StageOptions, env?: { account?: string; region?: string }): MigrationStacks {
  const prefix = `MigrationAssistant-${options.stage}`;
  const network = new NetworkStack(app, `${prefix}-Network`, { env, options });
  const infra = new MigrationInfraStack(app, `${prefix}-Infra`, { env, options, vpc: network.vpc });
  const shared = { env, options, cluster: infra.cluster, subnets: network.subnets, securityGroup: infra.serviceSecurityGroup, snapshot: infra.snapshot };
  let msk: MskStack | undefined;
  let captureProxy: CaptureProxyStack | undefined;
  let kafkaBootstrapServers = options.kafka.existingBootstrapServers;
  if (options.captureProxy.enabled) {
    if (!kafkaBootstrapServers) {
      msk = new MskStack(app, `${prefix}-Msk`, { env, options, vpc: network.vpc, subnets: network.subnets, clientSecurityGroup: infra.serviceSecurityGroup });
      kafkaBootstrapServers = msk.bootstrapServers;
    }
    captureProxy = new CaptureProxyStack(app, `${prefix}-CaptureProxy`, {
      env,
      options,
      vpc: network.vpc,
      subnets: network.subnets,
      cluster: infra.cluster,
      kafkaBootstrapServers,
      msk: msk && { clusterArn: msk.clusterArn, brokerSecurityGroup: msk.brokerSecurityGroup },
    });
  }
  const backfill = options.backfill.enabled ? new BackfillStack(app, `${prefix}-Backfill`, shared) : undefined;
  const console = new ConsoleStack(app, `${prefix}-Console`, {
    ...shared,
    snapshotRole: infra.snapshotRole,
    backfillService: backfill?.service,
    backfillServiceName: backfill?.serviceName,
    kafkaBootstrapServers,
    kafkaIsMsk: msk !== undefined,
    cutoverFunction: captureProxy?.cutover?.function,
    captureProxyService: captureProxy?.service,
    mskClusterArn: msk?.clusterArn,
  });
  Tags.of(app).add('migration-assistant:stage', options.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { network, infra, msk, captureProxy, backfill, console };
}
