/**
 * Network: a new VPC (private isolated subnets reached through VPC endpoints, no NAT) or an imported
 * one described fully in the options, so synth never looks anything up in an AWS account.
 */
import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StageOptions } from '../config/options';
import { acknowledgeNag } from '../constructs/nag';

export interface NetworkStackProps extends StackProps {
  readonly options: StageOptions;
}

export class NetworkStack extends Stack {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { vpc: vpcOptions, removalPolicies } = props.options;
    if (vpcOptions.vpcId) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: vpcOptions.vpcId,
        availabilityZones: vpcOptions.availabilityZones ?? [],
        privateSubnetIds: vpcOptions.subnetIds,
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
      return;
    }
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(vpcOptions.cidr),
      // Explicit zones keep synth offline and deterministic (no account lookup of the region's zones).
      availabilityZones: ['a', 'b', 'c'].slice(0, vpcOptions.azCount).map((zone) => `${this.region}${zone}`),
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: removalPolicies.logs === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    // What Fargate tasks need without internet access: image pulls, logs, metrics, secrets, ECS Exec, scaling.
    const interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Ecr: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
      SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
      Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
      Kafka: ec2.InterfaceVpcEndpointAwsService.KAFKA,
      ElasticLoadBalancing: ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING,
    };
    for (const [name, service] of Object.entries(interfaceEndpoints)) {
      const endpoint = vpc.addInterfaceEndpoint(name, { service });
      acknowledgeNag(endpoint, 'EC23', `VPC endpoint ${name}: HTTPS ingress only from the VPC's own CIDR, an intrinsic value nag cannot read`);
    }
    this.vpc = vpc;
    this.subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  }
}
