/**
 * `console cutover nlb <prepare|status|promote|rollback>`: runs one step of the NLB cutover by invoking the
 * cutover Lambda the CDK app deploys (its name is in MIGRATION_CUTOVER_FUNCTION inside the console task).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Command } from 'commander';
import { ConsoleError } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';

export const CUTOVER_ACTIONS = ['prepare', 'status', 'promote', 'rollback'] as const;
export type CutoverStep = (typeof CUTOVER_ACTIONS)[number];

export interface CutoverNlbFlags {
  functionName?: string;
}

export interface CutoverNlbResult {
  action: CutoverStep;
  changed: boolean;
  targetGroupArn?: string;
  testListenerArn?: string;
  health?: string;
}

export const cutoverNlb: CommandDefinition<CutoverNlbResult> = {
  name: 'cutover nlb',
  text: (result) =>
    `${result.action}: ${result.changed ? 'changed' : 'nothing to change'}` +
    (result.health ? `, assistant ALB is ${result.health}` : '') +
    (result.targetGroupArn ? `\ntarget group ${result.targetGroupArn}` : '') +
    (result.testListenerArn ? `\ntest listener ${result.testListenerArn}` : '') +
    '\n',
};

export async function runCutoverNlb(action: string, flags: CutoverNlbFlags, io: ConsoleIo, lambda: LambdaClient = new LambdaClient({})): Promise<CutoverNlbResult> {
  if (!(CUTOVER_ACTIONS as readonly string[]).includes(action)) {
    throw new ConsoleError('MA_CUTOVER_UNKNOWN_ACTION', `action must be one of ${CUTOVER_ACTIONS.join(', ')}, got "${action}"`);
  }
  const functionName = flags.functionName ?? process.env.MIGRATION_CUTOVER_FUNCTION;
  if (!functionName) {
    throw new ConsoleError('MA_CUTOVER_NOT_DEPLOYED', '--function-name is not given and MIGRATION_CUTOVER_FUNCTION is not set: deploy with the nlbCutover option');
  }
  let response;
  try {
    response = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ action })) }));
  } catch (error) {
    throw new ConsoleError('MA_CUTOVER_INVOKE_FAILED', `invoking ${functionName} failed: ${(error as Error).name}: ${(error as Error).message}`);
  }
  const payload = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  if (response.FunctionError) {
    const failure = (() => {
      try {
        return JSON.parse(payload) as { errorMessage?: string };
      } catch {
        return { errorMessage: payload };
      }
    })();
    const message = failure.errorMessage ?? 'no error message';
    const coded = /^(MA_[A-Z0-9_]+): (.*)$/s.exec(message);
    throw new ConsoleError(coded ? coded[1] : 'MA_CUTOVER_FAILED', `cutover ${action} failed: ${coded ? coded[2] : message}`);
  }
  const result = JSON.parse(payload) as CutoverNlbResult;
  emit(io, cutoverNlb, result);
  return result;
}

export function registerCutoverNlb(group: Command, io: () => ConsoleIo): void {
  group
    .command('nlb')
    .description('move clients behind your NLB to the assistant and back: prepare, status, promote, rollback (each safe to repeat)')
    .argument('<action>', CUTOVER_ACTIONS.join(' | '))
    .option('--function-name <name>', 'cutover Lambda (default: MIGRATION_CUTOVER_FUNCTION)')
    .addHelpText('after', '\nExample:\n  console cutover nlb prepare && console cutover nlb status && console cutover nlb promote')
    .action(async (action: string, flags: CutoverNlbFlags) => {
      await runCutoverNlb(action, flags, io());
    });
}
