/**
 * Backfill workers: a Fargate service left at zero tasks (the console scales it), reading the snapshot
 * prefix only, writing refused documents under `failed-documents/`, signing with SigV4 when the target
 * asks for it; plus the backfill dashboard and alarms.
 */
import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { BackfillDashboard } from '../constructs/backfill-dashboard';
import { backfillCommand } from '../constructs/backfill-command';
import { acknowledgeBucketGrant, acknowledgeNag } from '../constructs/nag';
import { programImage } from '../constructs/program-image';
import { importSnapshotBucket, nagBucketArn, SnapshotLocation } from './migration-infra-stack';

export interface BackfillStackProps extends StackProps {
  readonly options: StageOptions;
  readonly cluster: ecs.ICluster;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly snapshot: SnapshotLocation;
}

export class BackfillStack extends Stack {
  readonly service: ecs.FargateService;
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: BackfillStackProps) {
    super(scope, id, props);
    const { options, snapshot } = props;
    const bucket = importSnapshotBucket(this, snapshot);
    this.serviceName = `migration-${options.stage}-backfill`;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: this.serviceName,
      cpu: options.backfill.cpu,
      memoryLimitMiB: options.backfill.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/migration/${options.stage}/backfill`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: options.removalPolicies.logs === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const failedDocsPrefix = 'failed-documents';
    const secrets: Record<string, ecs.Secret> = {};
    const target = options.targetCluster;
    if (target.auth.type === 'basic') {
      const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'TargetSecret', target.auth.secretArn);
      secrets.TARGET_USERNAME = ecs.Secret.fromSecretsManager(secret, 'username');
      secrets.TARGET_PASSWORD = ecs.Secret.fromSecretsManager(secret, 'password');
    }
    taskDefinition.addContainer('worker', {
      image: programImage('backfill-worker'),
      command: backfillCommand({
        options,
        region: this.region,
        snapshotRepoUri: snapshot.repoUri,
        failedDocsS3Uri: `s3://${snapshot.bucketName}/${failedDocsPrefix}`,
      }),
      secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'worker' }),
    });
    const taskRole = taskDefinition.taskRole;
    bucket.grantRead(taskRole, snapshot.prefix ? `${snapshot.prefix}/*` : '*');
    taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: snapshot.prefix ? { StringLike: { 's3:prefix': [`${snapshot.prefix}/*`, snapshot.prefix] } } : undefined,
      }),
    );
    bucket.grantPut(taskRole, `${failedDocsPrefix}/*`);
    if (target.auth.type === 'sigv4' && target.domainArn) {
      taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'], resources: [target.domainArn, `${target.domainArn}/*`] }));
      acknowledgeNag(taskRole, `IAM5[Resource::${target.domainArn}/*]`, 'Backfill task role: HTTP access to the paths (indices) of the one target domain');
    }

    acknowledgeBucketGrant(taskRole, `${nagBucketArn(snapshot.bucketName)}/${snapshot.prefix ? `${snapshot.prefix}/` : ''}*`, 'Backfill task role: reads snapshot files of unknown names under the repository prefix');
    acknowledgeNag(taskRole, `IAM5[Resource::${nagBucketArn(snapshot.bucketName)}/${failedDocsPrefix}/*]`, 'Backfill task role: writes failed-document logs of generated names under failed-documents/');
    acknowledgeNag(taskDefinition.obtainExecutionRole(), 'IAM5[Resource::*]', 'Backfill execution role: ecr:GetAuthorizationToken has no resource-level permissions');
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: this.serviceName,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: 0,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 0,
      circuitBreaker: { enable: true },
    });
    new BackfillDashboard(this, 'Dashboard', { stage: options.stage, captureEnabled: options.captureProxy.enabled });
  }
}
