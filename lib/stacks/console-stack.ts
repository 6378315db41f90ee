/**
 * Migration console: one long-running Fargate task with ECS Exec enabled, its services.yaml handed over in
 * an SSM parameter, and IAM limited to what `console` drives (the backfill service, the snapshot bucket,
 * the target domain).
 *
 * Open a shell:  aws ecs execute-command --cluster migration-<stage> --task <task id> --container console --interactive --command /bin/sh
 */
import { Aws, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { programImage } from '../constructs/program-image';
import { renderServicesYaml } from '../constructs/services-yaml';
import { importSnapshotBucket, nagBucketArn, SnapshotLocation } from './migration-infra-stack';
import { acknowledgeBucketGrant, acknowledgeNag, nagText } from '../constructs/nag';

export interface ConsoleStackProps extends StackProps {
  readonly options: StageOptions;
  readonly cluster: ecs.ICluster;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly snapshot: SnapshotLocation;
  readonly snapshotRole: iam.IRole;
  /** The backfill service the console scales. @default no backfill section */
  readonly backfillService?: ecs.IBaseService;
  readonly backfillServiceName?: string;
  /** Kafka holding captured traffic. @default no kafka section */
  readonly kafkaBootstrapServers?: string;
  readonly kafkaIsMsk?: boolean;
  /** The capture proxy service the console scales. @default none */
  readonly captureProxyService?: ecs.IBaseService;
  /** MSK cluster the console reads captured traffic from. @default none */
  readonly mskClusterArn?: string;
  /** Cutover function the console invokes. @default none */
  readonly cutoverFunction?: lambda.IFunction;
}

export class ConsoleStack extends Stack {
  readonly servicesYaml: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { options, snapshot } = props;
    this.servicesYaml = new ssm.StringParameter(this, 'ServicesYaml', {
      parameterName: `/migration/${options.stage}/services-yaml`,
      description: 'services.yaml of the migration console',
      stringValue: renderServicesYaml({
        options,
        region: this.region,
        ecsClusterName: props.cluster.clusterName,
        backfillServiceName: props.backfillServiceName,
        snapshotRepoUri: snapshot.repoUri,
        snapshotRoleArn: props.snapshotRole.roleArn,
        kafkaBootstrapServers: props.kafkaBootstrapServers,
        kafkaIsMsk: props.kafkaIsMsk ?? false,
      }),
    });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `migration-${options.stage}-console`,
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/migration/${options.stage}/console`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: options.removalPolicies.logs === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    taskDefinition.addContainer('console', {
      image: programImage('console'),
      // The image's entrypoint writes MIGRATION_SERVICES_YAML to /config/migration_services.yaml and waits.
      secrets: { MIGRATION_SERVICES_YAML: ecs.Secret.fromSsmParameter(this.servicesYaml) },
      environment: props.cutoverFunction ? { MIGRATION_CUTOVER_FUNCTION: props.cutoverFunction.functionName } : undefined,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'console' }),
    });
    const role = taskDefinition.taskRole;
    const services = [props.backfillService, props.captureProxyService].flatMap((service) => (service ? [service.serviceArn] : []));
    if (services.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService', 'ecs:DescribeServices'], resources: services }));
    }
    if (props.mskClusterArn) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], resources: [props.mskClusterArn] }));
      const topics = `arn:${Aws.PARTITION}:kafka:${this.region}:${this.account}:topic/migration-${options.stage}/*`;
      const groups = `arn:${Aws.PARTITION}:kafka:${this.region}:${this.account}:group/migration-${options.stage}/*`;
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [topics] }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [groups] }));
      acknowledgeNag(role, `IAM5[Resource::${nagText(topics)}]`, 'Console task role: reads the capture topics of the one MSK cluster (topic ARNs carry the cluster UUID)');
      acknowledgeNag(role, `IAM5[Resource::${nagText(groups)}]`, 'Console task role: its consumer groups on the one MSK cluster (group ARNs carry the cluster UUID)');
    }
    if (props.cutoverFunction) {
      acknowledgeNag(taskDefinition, 'ECS2', 'Console task: its only environment variable is the name of the cutover function, not a secret');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.cutoverFunction.functionArn] }));
    }
    importSnapshotBucket(this, snapshot).grantReadWrite(role);
    acknowledgeBucketGrant(role, `${nagBucketArn(snapshot.bucketName)}/*`, 'Console task role: manages snapshots, failed-document logs and their clean-up anywhere in the one snapshot bucket');
    acknowledgeNag(role, 'IAM5[Resource::*]', 'Console task role: ECS Exec (CDK default) needs ssmmessages channel actions, which have no resource-level permissions, and session logging to CloudWatch Logs');
    acknowledgeNag(taskDefinition.obtainExecutionRole(), 'IAM5[Resource::*]', 'Console execution role: ecr:GetAuthorizationToken has no resource-level permissions');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.snapshotRole.roleArn] }));
    for (const cluster of [options.sourceCluster, options.targetCluster]) {
      if (cluster.auth.type === 'basic') {
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [cluster.auth.secretArn] }));
      }
      if (cluster.domainArn) {
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'], resources: [cluster.domainArn, `${cluster.domainArn}/*`] }));
        acknowledgeNag(role, `IAM5[Resource::${cluster.domainArn}/*]`, 'Console task role: HTTP access to the paths (indices, snapshots) of this cluster domain');
      }
    }

    new ecs.FargateService(this, 'Service', {
      serviceName: `migration-${options.stage}-console`,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: 1,
      enableExecuteCommand: true,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 0,
      circuitBreaker: { enable: true },
    });
  }
}
