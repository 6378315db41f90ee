/**
 * The NLB cutover Lambda (`handler.ts` beside this file), bundled with the local esbuild at synth (no Docker),
 * allowed to touch only the customer's NLB and listener, its own target group and its own SSM parameter.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag, nagText } from '../nag';
import { targetGroupName } from './handler';

export interface NlbCutoverProps {
  readonly stage: string;
  readonly nlbArn: string;
  readonly listenerArn: string;
  readonly albArn: string;
  readonly vpc: ec2.IVpc;
  /** Port of the test listener created on the NLB. @default 19200 */
  readonly testListenerPort?: number;
}

export class NlbCutover extends Construct {
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: NlbCutoverProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const savedActionsParameter = `/migration/${props.stage}/cutover/previous-default-actions`;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: path.join(__dirname, 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(1),
      logGroup,
      environment: {
        STAGE: props.stage,
        NLB_ARN: props.nlbArn,
        LISTENER_ARN: props.listenerArn,
        ALB_ARN: props.albArn,
        VPC_ID: props.vpc.vpcId,
        TEST_LISTENER_PORT: String(props.testListenerPort ?? 19200),
        SAVED_ACTIONS_PARAMETER: savedActionsParameter,
      },
      bundling: { forceDockerBundling: false, minify: true, sourceMap: false, target: 'node24', externalModules: [] },
    });
    const targetGroupArn = `arn:${Aws.PARTITION}:elasticloadbalancing:${stack.region}:${stack.account}:targetgroup/${targetGroupName(props.stage)}/*`;
    const role = this.function.role as iam.Role;
    // Describe calls of ELB have no resource-level permissions.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:RegisterTargets'], resources: [targetGroupArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:CreateListener'], resources: [props.nlbArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyListener'], resources: [props.listenerArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        resources: [`arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:parameter${savedActionsParameter}`],
      }),
    );
    acknowledgeNag(role, 'IAM5[Resource::*]', 'NLB cutover function: ELB Describe* actions have no resource-level permissions');
    acknowledgeNag(role, `IAM5[Resource::${nagText(targetGroupArn)}]`, 'NLB cutover function: its own target group, whose ARN suffix is assigned by ELB');
    acknowledgeNag(role, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'NLB cutover function: the managed policy only lets it write its own logs');
  }
}
