/**
 * Shared migration infrastructure: the ECS cluster, the snapshot bucket (SSL only, encrypted), the role
 * the source cluster passes when it registers its S3 snapshot repository, and the tasks' security group.
 */
import { Aws, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { acknowledgeBucketGrant, acknowledgeNag, nagText } from '../constructs/nag';

export interface MigrationInfraStackProps extends StackProps {
  readonly options: StageOptions;
  readonly vpc: ec2.IVpc;
}

/** Where snapshots live: a bucket the app owns or one named by `snapshot.s3Uri`. */
export interface SnapshotLocation {
  readonly bucket: s3.IBucket;
  /** Literal, or built from pseudo parameters only, so other stacks import it without a cross-stack export. */
  readonly bucketName: string;
  readonly prefix: string;
  readonly repoUri: string;
}

export class MigrationInfraStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly snapshot: SnapshotLocation;
  readonly snapshotRole: iam.Role;
  readonly serviceSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: MigrationInfraStackProps) {
    super(scope, id, props);
    const { options } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: `migration-${options.stage}`,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: 'Migration Assistant tasks: reach the clusters, Kafka and the VPC endpoints',
      allowAllOutbound: true,
    });

    if (options.snapshot.s3Uri) {
      const [, , bucketName, ...rest] = options.snapshot.s3Uri.split('/');
      const prefix = rest.join('/').replace(/\/$/, '');
      this.snapshot = { bucket: s3.Bucket.fromBucketName(this, 'SnapshotBucket', bucketName), bucketName, prefix, repoUri: options.snapshot.s3Uri };
    } else {
      const destroy = options.removalPolicies.bucket === 'destroy';
      const bucketName = `migration-${options.stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
      const bucket = new s3.Bucket(this, 'SnapshotBucket', {
        bucketName,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        versioned: false,
        removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        autoDeleteObjects: destroy,
        lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      });
      this.snapshot = { bucket, bucketName, prefix: 'snapshots', repoUri: `s3://${bucketName}/snapshots` };
      acknowledgeNag(bucket, 'S1', 'Snapshot bucket: holds snapshot blobs written by the source cluster; CloudTrail data events, not server access logs, are the audit trail here');
    }

    // Managed OpenSearch/Elasticsearch domains assume this role to write snapshots (iam:PassRole by the console).
    this.snapshotRole = new iam.Role(this, 'SnapshotRole', {
      assumedBy: new iam.ServicePrincipal('es.amazonaws.com'),
      description: 'Passed by the source cluster when registering its S3 snapshot repository',
    });
    this.snapshot.bucket.grantReadWrite(this.snapshotRole, this.snapshot.prefix ? `${this.snapshot.prefix}/*` : '*');
    this.snapshotRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.snapshot.bucket.bucketArn] }));
    const snapshotObjects = this.snapshot.bucket instanceof s3.Bucket ? `<${this.getLogicalId(this.snapshot.bucket.node.defaultChild as s3.CfnBucket)}.Arn>` : nagBucketArn(this.snapshot.bucketName);
    acknowledgeBucketGrant(this.snapshotRole, `${snapshotObjects}/${this.snapshot.prefix ? `${this.snapshot.prefix}/` : ''}*`, 'SnapshotRole: the source cluster writes snapshot files of unknown names under the repository prefix');
  }
}

/** The snapshot bucket seen from another stack, by name (no cross-stack export). */
export function importSnapshotBucket(scope: Construct, snapshot: SnapshotLocation): s3.IBucket {
  return s3.Bucket.fromBucketName(scope, 'SnapshotBucket', snapshot.bucketName);
}

/** How cdk-nag spells the ARN of a bucket imported by name, in its finding details. */
export function nagBucketArn(bucketName: string): string {
  return `arn:<AWS::Partition>:s3:::${nagText(bucketName)}`;
}
