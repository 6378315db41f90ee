import { PassThrough } from 'node:stream';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { runCutoverNlb } from '../../src/console/commands/cutover/nlb';
import { ConsoleError } from '../../src/console/errors';
import type { ConsoleIo } from '../../src/console/io';

const lambdaMock = mockClient(LambdaClient);
const lambda = new LambdaClient({ region: 'eu-west-1' });

function io(json = false): ConsoleIo & { output: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stdout, stderr: new PassThrough(), json, verbose: false, configFile: 'unused.yaml', output: () => Buffer.concat(chunks).toString('utf8') };
}

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

beforeEach(() => lambdaMock.reset());

async function failure(promise: Promise<unknown>): Promise<ConsoleError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConsoleError);
  return error as ConsoleError;
}

describe('console cutover nlb', () => {
  it('invokes the cutover function with the action and prints its result', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ action: 'status', changed: false, targetGroupArn: 'tg', health: 'healthy' }) });
    const out = io();
    const result = await runCutoverNlb('status', { functionName: 'cutover-fn' }, out, lambda);
    expect(result.health).toBe('healthy');
    expect(JSON.parse(Buffer.from(lambdaMock.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array).toString())).toEqual({ action: 'status' });
    expect(out.output()).toBe('status: nothing to change, assistant ALB is healthy\ntarget group tg\n');
  });

  it('prints the JSON envelope with --json', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ action: 'promote', changed: true }) });
    const out = io(true);
    await runCutoverNlb('promote', { functionName: 'cutover-fn' }, out, lambda);
    expect(JSON.parse(out.output())).toEqual({ version: 1, command: 'cutover nlb', status: 0, result: { action: 'promote', changed: true } });
  });

  it('keeps the code of a cutover error raised in the function', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'CutoverError', errorMessage: 'MA_CUTOVER_NOT_HEALTHY: the ALB is "initial"' }) });
    const error = await failure(runCutoverNlb('promote', { functionName: 'cutover-fn' }, io(), lambda));
    expect(error.code).toBe('MA_CUTOVER_NOT_HEALTHY');
    expect(error.message).toBe('cutover promote failed: the ALB is "initial"');
  });

  it('names a failed invocation and an uncoded function error', async () => {
    lambdaMock.on(InvokeCommand).rejects(Object.assign(new Error('no such function'), { name: 'ResourceNotFoundException' }));
    expect((await failure(runCutoverNlb('status', { functionName: 'missing' }, io(), lambda))).message).toMatch(/invoking missing failed: ResourceNotFoundException/);
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'Task timed out after 60.00 seconds' }) });
    expect((await failure(runCutoverNlb('status', { functionName: 'fn' }, io(), lambda))).code).toBe('MA_CUTOVER_FAILED');
  });

  it('refuses an unknown action and a missing function name before calling AWS', async () => {
    expect((await failure(runCutoverNlb('switch', { functionName: 'fn' }, io(), lambda))).code).toBe('MA_CUTOVER_UNKNOWN_ACTION');
    const saved = process.env.MIGRATION_CUTOVER_FUNCTION;
    delete process.env.MIGRATION_CUTOVER_FUNCTION;
    try {
      expect((await failure(runCutoverNlb('status', {}, io(), lambda))).code).toBe('MA_CUTOVER_NOT_DEPLOYED');
    } finally {
      if (saved !== undefined) process.env.MIGRATION_CUTOVER_FUNCTION = saved;
    }
    expect(lambdaMock.calls()).toHaveLength(0);
  });
});
