/**
 * Capture proxy behind an ALB: clients connect with HTTPS on 9200 (certificate from `albAcmCertArn`), the
 * ALB forwards to the proxy tasks on their own port, health-checked with `GET /__health` (answered by the
 * proxy itself, never forwarded to the source). Only the configured client CIDRs or security groups reach
 * the listener; only the ALB reaches the tasks.
 */
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { SelfSignedCertificate } from '../constructs/self-signed-certificate/self-signed-certificate';
import { CAPTURE_PROXY_PORT, captureProxyCommand } from '../constructs/capture-proxy-command';
import { acknowledgeNag, nagText } from '../constructs/nag';
import { MSK_IAM_PORT, MskStack } from './msk-stack';
import { NlbCutover } from '../constructs/nlb-cutover/nlb-cutover';
import { programImage } from '../constructs/program-image';

export const ALB_LISTENER_PORT = 9200;

export interface CaptureProxyStackProps extends StackProps {
  readonly options: StageOptions;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly cluster: ecs.ICluster;
  readonly kafkaBootstrapServers: string;
  /** MSK cluster to authenticate to with IAM. @default plain Kafka at kafkaBootstrapServers */
  readonly msk?: { readonly clusterArn: string; readonly brokerSecurityGroup: ec2.ISecurityGroup };
}

export class CaptureProxyStack extends Stack {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly service: ecs.FargateService;
  readonly cutover?: NlbCutover;

  constructor(scope: Construct, id: string, props: CaptureProxyStackProps) {
    super(scope, id, props);
    const { options } = props;
    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', { vpc: props.vpc, description: 'Capture proxy ALB: HTTPS 9200 from the allowed clients', allowAllOutbound: false });
    const { allowedClientCidrs, allowedClientSecurityGroupIds, scheme } = options.alb;
    const cidrs = allowedClientCidrs.length || allowedClientSecurityGroupIds.length ? allowedClientCidrs : [props.vpc.vpcCidrBlock];
    if (cidrs.includes(props.vpc.vpcCidrBlock)) {
      acknowledgeNag(albSecurityGroup, 'EC23', 'Capture proxy ALB: with no client CIDR or security group configured, port 9200 is open to the VPC CIDR only (an intrinsic nag cannot read)');
    }
    for (const cidr of cidrs) albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(ALB_LISTENER_PORT), `Clients of the source cluster (${cidr === props.vpc.vpcCidrBlock ? 'the VPC' : cidr})`);
    allowedClientSecurityGroupIds.forEach((groupId, index) =>
      albSecurityGroup.addIngressRule(ec2.SecurityGroup.fromSecurityGroupId(this, `Client${index}`, groupId), ec2.Port.tcp(ALB_LISTENER_PORT), `Clients in ${groupId}`),
    );
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: scheme === 'internet-facing',
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      http2Enabled: false,
    });
    acknowledgeNag(this.loadBalancer, 'ELB2', 'Capture proxy ALB: every request through it is recorded by the capture proxy into Kafka; access logs would duplicate that record');

    const taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', { vpc: props.vpc, description: 'Capture proxy tasks: from the ALB only', allowAllOutbound: true });
    taskSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(CAPTURE_PROXY_PORT), 'ALB to capture proxy');
    albSecurityGroup.addEgressRule(taskSecurityGroup, ec2.Port.tcp(CAPTURE_PROXY_PORT), 'ALB to capture proxy');

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `migration-${options.stage}-capture-proxy`,
      cpu: options.captureProxy.cpu,
      memoryLimitMiB: options.captureProxy.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/migration/${options.stage}/capture-proxy`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: options.removalPolicies.logs === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    taskDefinition.addContainer('proxy', {
      image: programImage('capture-proxy'),
      command: captureProxyCommand({ options, region: this.region, kafkaBootstrapServers: props.kafkaBootstrapServers, mskIamAuth: props.msk !== undefined }),
      portMappings: [{ containerPort: CAPTURE_PROXY_PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'proxy' }),
    });
    if (props.msk) {
      // The rule lives here, not in the MSK stack, so the MSK stack does not depend on this one.
      new ec2.CfnSecurityGroupIngress(this, 'ProxyToMsk', {
        groupId: props.msk.brokerSecurityGroup.securityGroupId,
        sourceSecurityGroupId: taskSecurityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: MSK_IAM_PORT,
        toPort: MSK_IAM_PORT,
        description: 'Kafka SASL/IAM over TLS from the capture proxy',
      });
      const role = taskDefinition.taskRole;
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], resources: [props.msk.clusterArn] }));
      const topicsArn = MskStack.topicsArn(this, options.stage);
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: [topicsArn] }));
      acknowledgeNag(role, `IAM5[Resource::${nagText(topicsArn)}]`, 'Capture proxy task role: writes the capture topic (named by --kafkaTopic) of the one MSK cluster; topic ARNs carry the cluster UUID only known at deploy');
    }
    acknowledgeNag(taskDefinition.obtainExecutionRole(), 'IAM5[Resource::*]', 'Capture proxy execution role: ecr:GetAuthorizationToken has no resource-level permissions');

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: `migration-${options.stage}-capture-proxy`,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: options.captureProxy.taskCount,
      vpcSubnets: props.subnets,
      securityGroups: [taskSecurityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true },
      minHealthyPercent: 100,
    });
    const listener = this.loadBalancer.addListener('Https', {
      port: ALB_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [
        options.albAcmCertArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', options.albAcmCertArn) : new SelfSignedCertificate(this, 'SelfSignedCertificate').certificate,
      ],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
    });
    listener.addTargets('CaptureProxy', {
      port: CAPTURE_PROXY_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: '/__health', port: String(CAPTURE_PROXY_PORT), healthyHttpCodes: '200', interval: Duration.seconds(10), healthyThresholdCount: 2 },
    });
    if (options.nlbCutover) {
      this.cutover = new NlbCutover(this, 'NlbCutover', { stage: options.stage, ...options.nlbCutover, albArn: this.loadBalancer.loadBalancerArn, vpc: props.vpc });
    }
  }
}
