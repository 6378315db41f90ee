/**
 * Amazon MSK for captured traffic: IAM authentication only, TLS between clients and brokers and inside the
 * cluster, encryption at rest (AWS-managed key), broker logs in CloudWatch. Only the tasks' security group
 * reaches the brokers, on the SASL/IAM port.
 */
import { Aws, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { acknowledgeNag } from '../constructs/nag';

export const MSK_IAM_PORT = 9098;

export interface MskStackProps extends StackProps {
  readonly options: StageOptions;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

export class MskStack extends Stack {
  readonly clusterArn: string;
  readonly bootstrapServers: string;
  readonly brokerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: MskStackProps) {
    super(scope, id, props);
    const { options } = props;
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const securityGroup = (this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', { vpc: props.vpc, description: 'MSK brokers: SASL/IAM from the migration tasks only', allowAllOutbound: false }));
    securityGroup.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Kafka SASL/IAM over TLS from the migration tasks');
    const brokerLogs = new logs.LogGroup(this, 'BrokerLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: options.removalPolicies.logs === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const azCount = options.vpc.vpcId ? (options.vpc.subnetIds?.length ?? 2) : options.vpc.azCount;
    const cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: `migration-${options.stage}`,
      kafkaVersion: '3.6.0',
      numberOfBrokerNodes: options.kafka.brokersPerAz * azCount,
      brokerNodeGroupInfo: {
        instanceType: options.kafka.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: options.kafka.storageGiB } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
      enhancedMonitoring: 'PER_BROKER',
    });
    this.clusterArn = cluster.attrArn;

    const lookup = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: cluster.attrArn },
        physicalResourceId: cr.PhysicalResourceId.of(`migration-${options.stage}-msk-bootstrap`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [cluster.attrArn] })]),
      installLatestAwsSdk: false,
    });
    this.bootstrapServers = lookup.getResponseField('BootstrapBrokerStringSaslIam');
    acknowledgeNag(this, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'Bootstrap-broker lookup function of AwsCustomResource: the managed policy only lets it write its own logs');
    acknowledgeNag(this, 'L1', 'Bootstrap-broker lookup function of AwsCustomResource: its runtime is chosen by the CDK version in use');
  }

  /** ARN pattern of the cluster's topics (any cluster UUID), built without a cross-stack reference. */
  static topicsArn(scope: Stack, stage: string): string {
    return `arn:${Aws.PARTITION}:kafka:${scope.region}:${scope.account}:topic/migration-${stage}/*`;
  }
}
