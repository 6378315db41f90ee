/**
 * `console backfill start|pause|scale|stop` with workers as an ECS service, mocked at the SDK boundary:
 * the calls made, the counts shown, and every AWS failure as one sentence with a non-zero exit.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcsWorkers } from '../../../src/console/workers/ecs';
import { envelope, runConsole } from './capture';

const ecs = mockClient(ECSClient);
const dir = mkdtempSync(join(tmpdir(), 'ma-console-ecs-'));
const config = join(dir, 'services.yaml');
writeFileSync(
  config,
  ['backfill:', '  reindex_from_snapshot:', '    scale: 4', '    ecs:', '      cluster_name: migration-dev', '      service_name: migration-dev-backfill', '      aws_region: eu-west-1', ''].join('\n'),
);

function service(desiredCount: number, runningCount: number, pendingCount = 0) {
  return { serviceName: 'migration-dev-backfill', status: 'ACTIVE', desiredCount, runningCount, pendingCount };
}

beforeEach(() => ecs.reset());
afterAll(() => ecs.restore());

test('start sets the desired count to the configured scale on the configured service', async () => {
  ecs.on(UpdateServiceCommand).resolves({ service: service(4, 1, 3) });
  const run = await runConsole(['--config-file', config, 'backfill', 'start']);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'migration-dev', service: 'migration-dev-backfill', desiredCount: 4 }]);
  expect(run.stdout).toBe('Backfill started successfully.\nWorkers (ECS service migration-dev-backfill in cluster migration-dev) set to 4 desired count. Currently 1 running and 3 pending.\n');
});

test('scale N and pause set exactly that count; --json carries the counts', async () => {
  ecs.on(UpdateServiceCommand).callsFake((input: { desiredCount: number }) => ({ service: service(input.desiredCount, 2) }));
  const scaled = await runConsole(['--json', '--config-file', config, 'backfill', 'scale', '7']);
  expect(scaled.exitCode).toBe(0);
  expect(envelope(scaled.stdout, 'backfill scale')).toMatchObject({ result: { action: 'scale', desired: 7, running: 2, pending: 0 } });
  const paused = await runConsole(['--config-file', config, 'backfill', 'pause']);
  expect(paused.exitCode).toBe(0);
  expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).toEqual([7, 0]);
});

test('a negative or fractional count is refused before any AWS call', async () => {
  for (const bad of ['-1', '2.5', 'three']) {
    const run = await runConsole(['--config-file', config, 'backfill', 'scale', bad]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain(`got "${bad}"`);
  }
  expect(ecs.calls()).toHaveLength(0);
});

test.each([
  ['ClusterNotFoundException', 'the cluster does not exist; check backfill.reindex_from_snapshot.ecs.cluster_name'],
  ['ServiceNotFoundException', 'the service does not exist or is not active; check backfill.reindex_from_snapshot.ecs.service_name'],
  ['AccessDeniedException', 'was denied: User is not authorized to perform ecs:UpdateService'],
  ['ThrottlingException', 'failed: ThrottlingException: User is not authorized to perform ecs:UpdateService'],
])('%s becomes one sentence naming the call and the service', async (name, expected) => {
  ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('User is not authorized to perform ecs:UpdateService'), { name }));
  const run = await runConsole(['--config-file', config, 'backfill', 'scale', '2']);
  expect(run.exitCode).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('ECS UpdateService on service migration-dev-backfill in cluster migration-dev');
  expect(run.stderr).toContain(expected);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
});

test('a service DescribeServices reports missing is named as missing', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:111122223333:service/migration-dev/migration-dev-backfill', reason: 'MISSING' }] });
  const workers = new EcsWorkers('migration-dev', 'migration-dev-backfill', { client: new ECSClient({ region: 'eu-west-1' }) });
  await expect(workers.counts()).rejects.toThrow('ECS service migration-dev-backfill does not exist in cluster migration-dev (MISSING)');
});

test('waitUntilStopped polls until no task runs or starts, and gives up at its deadline', async () => {
  ecs
    .on(DescribeServicesCommand)
    .resolvesOnce({ services: [service(0, 2, 1)] })
    .resolvesOnce({ services: [service(0, 1)] })
    .resolves({ services: [service(0, 0)] });
  const workers = new EcsWorkers('migration-dev', 'migration-dev-backfill', { client: new ECSClient({ region: 'eu-west-1' }), pollIntervalMs: 5 });
  await expect(workers.waitUntilStopped(5_000)).resolves.toBe(true);
  expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3);

  ecs.reset();
  ecs.on(DescribeServicesCommand).resolves({ services: [service(0, 1)] });
  await expect(workers.waitUntilStopped(30)).resolves.toBe(false);
});

test('stop keeps the working state when the tasks do not stop in time, and says so', async () => {
  ecs.on(UpdateServiceCommand).resolves({ service: service(0, 2) });
  ecs.on(DescribeServicesCommand).resolves({ services: [service(0, 2)] });
  const run = await runConsole(['--config-file', config, 'backfill', 'stop', '--stop-timeout', '0']);
  expect(run.exitCode).not.toBe(0);
  expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input.desiredCount).toBe(0);
  expect(run.stderr).toContain('2 worker(s) still running and 0 starting 0 s after they were told to stop');
  expect(run.stderr).toContain('the working state was left in place');
});
