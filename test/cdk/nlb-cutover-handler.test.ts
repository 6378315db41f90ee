import {
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { CutoverError } from '../../lib/constructs/nlb-cutover/cutover-error';
import { configFromEnvironment, CutoverConfig, runCutover } from '../../lib/constructs/nlb-cutover/handler';

const elb = mockClient(ElasticLoadBalancingV2Client);
const ssm = mockClient(SSMClient);
const clients = { elb: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) };

const config: CutoverConfig = {
  stage: 'dev',
  nlbArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/customer/1',
  listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:listener/net/customer/1/main',
  albArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/ma/2',
  vpcId: 'vpc-1',
  testListenerPort: 19200,
  savedActionsParameter: '/migration/dev/cutover/previous-default-actions',
};
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/ma-dev-cutover/3';
const SOURCE_TG = 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/source/4';
const mainListener = { ListenerArn: config.listenerArn, Port: 9200, DefaultActions: [{ Type: 'forward' as const, TargetGroupArn: SOURCE_TG }] };
const awsError = (name: string) => Object.assign(new Error(`${name} message`), { name });

beforeEach(() => {
  elb.reset();
  ssm.reset();
});

async function failure(promise: Promise<unknown>): Promise<CutoverError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CutoverError);
  return error as CutoverError;
}

describe('prepare', () => {
  it('creates an alb-type target group on 9200 with the ALB, and a test listener', async () => {
    elb.on(DescribeTargetGroupsCommand).rejects(awsError('TargetGroupNotFoundException'));
    elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
    elb.on(RegisterTargetsCommand).resolves({});
    elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener] });
    elb.on(CreateListenerCommand).resolves({ Listeners: [{ ListenerArn: 'test-listener' }] });
    const result = await runCutover({ action: 'prepare' }, clients, config);
    expect(result).toEqual({ action: 'prepare', changed: true, targetGroupArn: TG, testListenerArn: 'test-listener' });
    expect(elb.commandCalls(CreateTargetGroupCommand)[0].args[0].input).toMatchObject({ Name: 'ma-dev-cutover', TargetType: 'alb', Protocol: 'TCP', Port: 9200, VpcId: 'vpc-1' });
    expect(elb.commandCalls(RegisterTargetsCommand)[0].args[0].input).toEqual({ TargetGroupArn: TG, Targets: [{ Id: config.albArn, Port: 9200 }] });
    expect(elb.commandCalls(CreateListenerCommand)[0].args[0].input).toMatchObject({ Port: 19200, DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] });
  });

  it('changes nothing when run again', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
    elb.on(RegisterTargetsCommand).resolves({});
    elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener, { ListenerArn: 'test-listener', Port: 19200, DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] }] });
    const result = await runCutover({ action: 'prepare' }, clients, config);
    expect(result).toEqual({ action: 'prepare', changed: false, targetGroupArn: TG, testListenerArn: 'test-listener' });
    expect(elb.commandCalls(CreateTargetGroupCommand)).toHaveLength(0);
    expect(elb.commandCalls(CreateListenerCommand)).toHaveLength(0);
  });

  it('refuses a test port already used by another listener', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
    elb.on(RegisterTargetsCommand).resolves({});
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ ...mainListener, Port: 19200 }] });
    const error = await failure(runCutover({ action: 'prepare' }, clients, config));
    expect(error.code).toBe('MA_CUTOVER_PORT_IN_USE');
    expect(error.message).toContain('19200');
  });

  it.each([
    ['DescribeTargetGroups', () => elb.on(DescribeTargetGroupsCommand).rejects(awsError('AccessDenied'))],
    ['CreateTargetGroup', () => {
      elb.on(DescribeTargetGroupsCommand).rejects(awsError('TargetGroupNotFoundException'));
      elb.on(CreateTargetGroupCommand).rejects(awsError('DuplicateTargetGroupNameException'));
    }],
    ['RegisterTargets', () => {
      elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
      elb.on(RegisterTargetsCommand).rejects(awsError('InvalidTargetException'));
    }],
    ['DescribeListeners', () => {
      elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
      elb.on(RegisterTargetsCommand).resolves({});
      elb.on(DescribeListenersCommand).rejects(awsError('LoadBalancerNotFoundException'));
    }],
    ['CreateListener', () => {
      elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
      elb.on(RegisterTargetsCommand).resolves({});
      elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener] });
      elb.on(CreateListenerCommand).rejects(awsError('TooManyListenersException'));
    }],
  ])('names the failed %s call and its AWS error', async (operation, arrange) => {
    arrange();
    const error = await failure(runCutover({ action: 'prepare' }, clients, config));
    expect(error.code).toBe(`MA_CUTOVER_${operation.toUpperCase()}_FAILED`);
    expect(error.message).toMatch(new RegExp(`^${operation} on \\S+ failed: \\w+`));
  });
});

describe('promote and rollback', () => {
  const prepared = (health: string) => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG }] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: config.albArn }, TargetHealth: { State: health as 'healthy' } }] });
  };

  it('saves the previous default actions, then forwards the listener to the assistant', async () => {
    prepared('healthy');
    elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener] });
    ssm.on(PutParameterCommand).resolves({});
    elb.on(ModifyListenerCommand).resolves({});
    expect(await runCutover({ action: 'promote' }, clients, config)).toEqual({ action: 'promote', changed: true, targetGroupArn: TG });
    expect(ssm.commandCalls(PutParameterCommand)[0].args[0].input).toMatchObject({ Name: config.savedActionsParameter, Value: JSON.stringify(mainListener.DefaultActions) });
    expect(elb.commandCalls(ModifyListenerCommand)[0].args[0].input).toEqual({ ListenerArn: config.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] });
  });

  it('changes nothing, and keeps the saved actions, when already promoted', async () => {
    prepared('healthy');
    elb.on(DescribeListenersCommand).resolves({ Listeners: [{ ...mainListener, DefaultActions: [{ Type: 'forward', TargetGroupArn: TG }] }] });
    expect(await runCutover({ action: 'promote' }, clients, config)).toEqual({ action: 'promote', changed: false, targetGroupArn: TG });
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('refuses to promote before the ALB is healthy', async () => {
    prepared('initial');
    const error = await failure(runCutover({ action: 'promote' }, clients, config));
    expect(error.code).toBe('MA_CUTOVER_NOT_HEALTHY');
    expect(error.message).toContain('"initial"');
  });

  it('refuses to promote before prepare', async () => {
    elb.on(DescribeTargetGroupsCommand).rejects(awsError('TargetGroupNotFoundException'));
    expect((await failure(runCutover({ action: 'promote' }, clients, config))).code).toBe('MA_CUTOVER_NOT_PREPARED');
  });

  it('names a listener that is not on the NLB', async () => {
    prepared('healthy');
    elb.on(DescribeListenersCommand).resolves({ Listeners: [] });
    expect((await failure(runCutover({ action: 'promote' }, clients, config))).code).toBe('MA_CUTOVER_LISTENER_NOT_FOUND');
  });

  it('does not switch the listener when the previous actions cannot be saved', async () => {
    prepared('healthy');
    elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener] });
    ssm.on(PutParameterCommand).rejects(awsError('AccessDeniedException'));
    expect((await failure(runCutover({ action: 'promote' }, clients, config))).code).toBe('MA_CUTOVER_PUTPARAMETER_FAILED');
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('names a failed ModifyListener and a failed DescribeTargetHealth', async () => {
    prepared('healthy');
    elb.on(DescribeListenersCommand).resolves({ Listeners: [mainListener] });
    ssm.on(PutParameterCommand).resolves({});
    elb.on(ModifyListenerCommand).rejects(awsError('ListenerNotFoundException'));
    expect((await failure(runCutover({ action: 'promote' }, clients, config))).code).toBe('MA_CUTOVER_MODIFYLISTENER_FAILED');
    elb.on(DescribeTargetHealthCommand).rejects(awsError('Throttling'));
    expect((await failure(runCutover({ action: 'status' }, clients, config))).code).toBe('MA_CUTOVER_DESCRIBETARGETHEALTH_FAILED');
  });

  it('rolls back to the saved actions and forgets them; a second rollback changes nothing', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: JSON.stringify(mainListener.DefaultActions) } }).rejects(awsError('ParameterNotFound'));
    elb.on(ModifyListenerCommand).resolves({});
    ssm.on(DeleteParameterCommand).resolves({});
    expect(await runCutover({ action: 'rollback' }, clients, config)).toEqual({ action: 'rollback', changed: true });
    expect(elb.commandCalls(ModifyListenerCommand)[0].args[0].input).toEqual({ ListenerArn: config.listenerArn, DefaultActions: mainListener.DefaultActions });
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(1);
    expect(await runCutover({ action: 'rollback' }, clients, config)).toEqual({ action: 'rollback', changed: false });
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(1);
  });

  it('names saved actions that are not JSON, and failed SSM calls', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'not json' } });
    expect((await failure(runCutover({ action: 'rollback' }, clients, config))).code).toBe('MA_CUTOVER_SAVED_ACTIONS_INVALID');
    ssm.on(GetParameterCommand).rejects(awsError('AccessDeniedException'));
    expect((await failure(runCutover({ action: 'rollback' }, clients, config))).code).toBe('MA_CUTOVER_GETPARAMETER_FAILED');
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '[]' } });
    elb.on(ModifyListenerCommand).resolves({});
    ssm.on(DeleteParameterCommand).rejects(awsError('InternalServerError'));
    expect((await failure(runCutover({ action: 'rollback' }, clients, config))).code).toBe('MA_CUTOVER_DELETEPARAMETER_FAILED');
  });
});

describe('handler input', () => {
  it('names an unknown action', async () => {
    const error = await failure(runCutover({ action: 'switch' }, clients, config));
    expect(error.code).toBe('MA_CUTOVER_UNKNOWN_ACTION');
    expect(error.message).toContain('"switch"');
  });

  it('names a missing environment variable', () => {
    expect(() => configFromEnvironment({ STAGE: 'dev' })).toThrow(/NLB_ARN/);
  });
});
