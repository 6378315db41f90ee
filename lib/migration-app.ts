/**
 * Builds every stack of one stage from its validated options, directly in the app or, for the pipeline,
 * in a `Stage` per deployed stage. `bin/app.ts` calls this with the options read from the context; tests
 * call it with options of their own.
 */
import { App, Environment, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StageOptions } from './config/options';
import { PipelineDeployment } from './config/pipeline-options';
import { PipelineStack } from './stacks/pipeline-stack';
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

/** The stage's stacks directly in the app, checked by cdk-nag. */
export function addMigrationStacks(app: App, options: StageOptions, env?: Environment): MigrationStacks {
  const stacks = buildMigrationStacks(app, options, env);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}

/** The pipeline that deploys each of its stages, checked (its stages' stacks included) by cdk-nag. */
export function addPipelineStack(app: App, deployment: PipelineDeployment, env?: Environment): PipelineStack {
  const stack = new PipelineStack(app, 'MigrationAssistant-Pipeline', {
    env,
    deployment,
    stage: (scope, options) => new MigrationStage(scope, options.stage, { env, options }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

export interface MigrationStageProps extends StageProps {
  readonly options: StageOptions;
}

/** One stage's stacks as a unit the pipeline deploys; the stacks keep the names a direct `cdk deploy` gives them. */
export class MigrationStage extends Stage {
  readonly stacks: MigrationStacks;

  constructor(scope: Construct, id: string, props: MigrationStageProps) {
    super(scope, id, props);
    this.stacks = buildMigrationStacks(this, props.options, props.env);
  }
}

function buildMigrationStacks(scope: App | Stage, options: StageOptions, env?: Environment): MigrationStacks {
  const prefix = `MigrationAssistant-${options.stage}`;
  // Explicit names: in a Stage the default would prefix the stage's id, so a pipeline would create new stacks beside directly deployed ones.
  const named = (suffix: string) => ({ env, stackName: `${prefix}-${suffix}` });
  const network = new NetworkStack(scope, `${prefix}-Network`, { ...named('Network'), options });
  const infra = new MigrationInfraStack(scope, `${prefix}-Infra`, { ...named('Infra'), options, vpc: network.vpc });
  const shared = { env, options, cluster: infra.cluster, subnets: network.subnets, securityGroup: infra.serviceSecurityGroup, snapshot: infra.snapshot };
  let msk: MskStack | undefined;
  let captureProxy: CaptureProxyStack | undefined;
  let kafkaBootstrapServers = options.kafka.existingBootstrapServers;
  if (options.captureProxy.enabled) {
    if (!kafkaBootstrapServers) {
      msk = new MskStack(scope, `${prefix}-Msk`, { ...named('Msk'), options, vpc: network.vpc, subnets: network.subnets, clientSecurityGroup: infra.serviceSecurityGroup });
      kafkaBootstrapServers = msk.bootstrapServers;
    }
    captureProxy = new CaptureProxyStack(scope, `${prefix}-CaptureProxy`, {
      ...named('CaptureProxy'),
      options,
      vpc: network.vpc,
      subnets: network.subnets,
      cluster: infra.cluster,
      kafkaBootstrapServers,
      msk: msk && { clusterArn: msk.clusterArn, brokerSecurityGroup: msk.brokerSecurityGroup },
    });
  }
  const backfill = options.backfill.enabled ? new BackfillStack(scope, `${prefix}-Backfill`, { ...shared, ...named('Backfill') }) : undefined;
  const console = new ConsoleStack(scope, `${prefix}-Console`, {
    ...shared,
    ...named('Console'),
    snapshotRole: infra.snapshotRole,
    backfillService: backfill?.service,
    backfillServiceName: backfill?.serviceName,
    kafkaBootstrapServers,
    kafkaIsMsk: msk !== undefined,
    cutoverFunction: captureProxy?.cutover?.function,
    captureProxyService: captureProxy?.service,
    mskClusterArn: msk?.clusterArn,
  });
  Tags.of(scope).add('migration-assistant:stage', options.stage);
  return { network, infra, msk, captureProxy, backfill, console };
}
