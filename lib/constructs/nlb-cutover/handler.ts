/**
 * NLB cutover, one Lambda with four actions, each safe to repeat:
 * - prepare: a target group of type `alb` (TCP 9200) holding the assistant's ALB, behind a new test listener;
 * - status: health of the ALB in that target group;
 * - promote: the customer's listener forwards to that target group; its previous default actions are saved
 *   first in an SSM parameter (tags are limited to 256 characters, too short for real actions);
 * - rollback: the saved actions are put back and the parameter removed.
 */
import {
  Action,
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
import { CutoverError } from './cutover-error';

export interface CutoverConfig {
  readonly stage: string;
  readonly nlbArn: string;
  readonly listenerArn: string;
  readonly albArn: string;
  readonly vpcId: string;
  readonly testListenerPort: number;
  readonly savedActionsParameter: string;
}

export type CutoverAction = 'prepare' | 'status' | 'promote' | 'rollback';

export interface CutoverResult {
  readonly action: CutoverAction;
  readonly changed: boolean;
  readonly targetGroupArn?: string;
  readonly testListenerArn?: string;
  readonly health?: string;
}

export const ALB_TARGET_PORT = 9200;

export interface CutoverClients {
  readonly elb: ElasticLoadBalancingV2Client;
  readonly ssm: SSMClient;
}

/** Runs one AWS call; any failure becomes a CutoverError naming the operation and the resource. */
async function aws<T>(operation: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CutoverError) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    throw new CutoverError(`MA_CUTOVER_${operation.toUpperCase()}_FAILED`, `${operation} on ${resource} failed: ${name}: ${(error as Error).message}`);
  }
}

export function targetGroupName(stage: string): string {
  return `ma-${stage}-cutover`;
}

async function findTargetGroup(clients: CutoverClients, config: CutoverConfig): Promise<string | undefined> {
  const name = targetGroupName(config.stage);
  try {
    const found = await clients.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    return found.TargetGroups?.[0]?.TargetGroupArn;
  } catch (error) {
    if ((error as { name?: string }).name === 'TargetGroupNotFoundException') return undefined;
    return aws('DescribeTargetGroups', name, () => Promise.reject(error));
  }
}

async function listeners(clients: CutoverClients, config: CutoverConfig) {
  const result = await aws('DescribeListeners', config.nlbArn, () => clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: config.nlbArn })));
  return result.Listeners ?? [];
}

function forwardsTo(actions: Action[] | undefined, targetGroupArn: string): boolean {
  return actions?.length === 1 && actions[0].Type === 'forward' && (actions[0].TargetGroupArn === targetGroupArn || actions[0].ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn === targetGroupArn);
}

async function requireTargetGroup(clients: CutoverClients, config: CutoverConfig): Promise<string> {
  const arn = await findTargetGroup(clients, config);
  if (!arn) throw new CutoverError('MA_CUTOVER_NOT_PREPARED', `target group ${targetGroupName(config.stage)} does not exist: run prepare first`);
  return arn;
}

export async function prepare(clients: CutoverClients, config: CutoverConfig): Promise<CutoverResult> {
  let changed = false;
  let targetGroupArn = await findTargetGroup(clients, config);
  if (!targetGroupArn) {
    const created = await aws('CreateTargetGroup', targetGroupName(config.stage), () =>
      clients.elb.send(
        new CreateTargetGroupCommand({ Name: targetGroupName(config.stage), TargetType: 'alb', Protocol: 'TCP', Port: ALB_TARGET_PORT, VpcId: config.vpcId, HealthCheckProtocol: 'HTTPS', HealthCheckPath: '/__health' }),
      ),
    );
    targetGroupArn = created.TargetGroups?.[0]?.TargetGroupArn;
    if (!targetGroupArn) throw new CutoverError('MA_CUTOVER_UNEXPECTED_RESPONSE', `CreateTargetGroup for ${targetGroupName(config.stage)} returned no target group`);
    changed = true;
  }
  const groupArn = targetGroupArn;
  // Registering an already registered target is a no-op in ELB, so repeating prepare is safe.
  await aws('RegisterTargets', groupArn, () => clients.elb.send(new RegisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: config.albArn, Port: ALB_TARGET_PORT }] })));
  const onPort = (await listeners(clients, config)).find((listener) => listener.Port === config.testListenerPort);
  let testListenerArn = onPort?.ListenerArn;
  if (onPort && !forwardsTo(onPort.DefaultActions, groupArn)) {
    throw new CutoverError('MA_CUTOVER_PORT_IN_USE', `port ${config.testListenerPort} of ${config.nlbArn} already has a listener (${onPort.ListenerArn}) forwarding elsewhere; choose another testListenerPort`);
  }
  if (!onPort) {
    const created = await aws('CreateListener', config.nlbArn, () =>
      clients.elb.send(new CreateListenerCommand({ LoadBalancerArn: config.nlbArn, Protocol: 'TCP', Port: config.testListenerPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }] })),
    );
    testListenerArn = created.Listeners?.[0]?.ListenerArn;
    changed = true;
  }
  return { action: 'prepare', changed, targetGroupArn: groupArn, testListenerArn };
}

export async function status(clients: CutoverClients, config: CutoverConfig): Promise<CutoverResult> {
  const targetGroupArn = await requireTargetGroup(clients, config);
  const health = await aws('DescribeTargetHealth', targetGroupArn, () => clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })));
  const state = health.TargetHealthDescriptions?.find((target) => target.Target?.Id === config.albArn)?.TargetHealth?.State ?? 'unregistered';
  return { action: 'status', changed: false, targetGroupArn, health: state };
}

export async function promote(clients: CutoverClients, config: CutoverConfig): Promise<CutoverResult> {
  const targetGroupArn = await requireTargetGroup(clients, config);
  const { health } = await status(clients, config);
  if (health !== 'healthy') throw new CutoverError('MA_CUTOVER_NOT_HEALTHY', `the assistant's ALB is "${health}" in ${targetGroupArn}; promote only once it is healthy`);
  const listener = (await listeners(clients, config)).find((candidate) => candidate.ListenerArn === config.listenerArn);
  if (!listener) throw new CutoverError('MA_CUTOVER_LISTENER_NOT_FOUND', `listener ${config.listenerArn} is not on ${config.nlbArn}`);
  if (forwardsTo(listener.DefaultActions, targetGroupArn)) return { action: 'promote', changed: false, targetGroupArn };
  await aws('PutParameter', config.savedActionsParameter, () =>
    clients.ssm.send(new PutParameterCommand({ Name: config.savedActionsParameter, Type: 'String', Overwrite: true, Value: JSON.stringify(listener.DefaultActions ?? []) })),
  );
  await aws('ModifyListener', config.listenerArn, () => clients.elb.send(new ModifyListenerCommand({ ListenerArn: config.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] })));
  return { action: 'promote', changed: true, targetGroupArn };
}

export async function rollback(clients: CutoverClients, config: CutoverConfig): Promise<CutoverResult> {
  let saved: string | undefined;
  try {
    saved = (await clients.ssm.send(new GetParameterCommand({ Name: config.savedActionsParameter }))).Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ParameterNotFound') await aws('GetParameter', config.savedActionsParameter, () => Promise.reject(error));
  }
  if (saved === undefined) return { action: 'rollback', changed: false };
  let actions: Action[];
  try {
    actions = JSON.parse(saved) as Action[];
  } catch {
    throw new CutoverError('MA_CUTOVER_SAVED_ACTIONS_INVALID', `parameter ${config.savedActionsParameter} does not hold JSON listener actions`);
  }
  await aws('ModifyListener', config.listenerArn, () => clients.elb.send(new ModifyListenerCommand({ ListenerArn: config.listenerArn, DefaultActions: actions })));
  await aws('DeleteParameter', config.savedActionsParameter, () => clients.ssm.send(new DeleteParameterCommand({ Name: config.savedActionsParameter })));
  return { action: 'rollback', changed: true };
}

const ACTIONS: Record<CutoverAction, (clients: CutoverClients, config: CutoverConfig) => Promise<CutoverResult>> = { prepare, status, promote, rollback };

export function configFromEnvironment(env: NodeJS.ProcessEnv): CutoverConfig {
  const read = (name: string): string => {
    const value = env[name];
    if (!value) throw new CutoverError('MA_CUTOVER_CONFIG_MISSING', `environment variable ${name} is not set`);
    return value;
  };
  return {
    stage: read('STAGE'),
    nlbArn: read('NLB_ARN'),
    listenerArn: read('LISTENER_ARN'),
    albArn: read('ALB_ARN'),
    vpcId: read('VPC_ID'),
    testListenerPort: Number(read('TEST_LISTENER_PORT')),
    savedActionsParameter: read('SAVED_ACTIONS_PARAMETER'),
  };
}

export async function runCutover(event: { action?: string }, clients: CutoverClients, config: CutoverConfig): Promise<CutoverResult> {
  const action = event.action as CutoverAction;
  if (!Object.hasOwn(ACTIONS, action)) throw new CutoverError('MA_CUTOVER_UNKNOWN_ACTION', `action must be one of ${Object.keys(ACTIONS).join(', ')}, got "${event.action}"`);
  return ACTIONS[action](clients, config);
}

/** Lambda entry point: `{ "action": "prepare" | "status" | "promote" | "rollback" }`. */
export async function handler(event: { action?: string }): Promise<CutoverResult> {
  try {
    return await runCutover(event, { elb: new ElasticLoadBalancingV2Client({}), ssm: new SSMClient({}) }, configFromEnvironment(process.env));
  } catch (error) {
    // Lambda reports only name and message: the code leads the message so `console cutover nlb` can read it.
    if (error instanceof CutoverError) throw new CutoverError(error.code, `${error.code}: ${error.message}`);
    throw error;
  }
}
