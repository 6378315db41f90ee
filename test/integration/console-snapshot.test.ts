/** `console snapshot create/status/delete` against Elasticsearch 7.10 with a filesystem repository. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const dir = mkdtempSync(join(tmpdir(), 'ma-console-snapshot-'));
const source = new ClusterClient({ endpoint: endpoints.source });
const id = randomUUID();
const repository = `console-repo-${id}`;
const snapshot = `console-snap-${id}`;
const config = join(dir, 'services.yaml');

beforeAll(() => {
  writeFileSync(
    config,
    `source_cluster:\n  endpoint: ${endpoints.source}\n  no_auth:\nsnapshot:\n  snapshot_name: ${snapshot}\n  snapshot_repo_name: ${repository}\n  fs:\n    repo_path: ${join(endpoints.repoDir, repository)}\n`,
  );
});

afterAll(async () => {
  await source.request('DELETE', `/_snapshot/${repository}/${snapshot}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repository}`, { expectStatus: [404] });
  source.close();
  rmSync(dir, { recursive: true, force: true });
});

it('creates and waits, reports status (plain and deep), then deletes the snapshot', async () => {
  const created = await runConsole(['--config-file', config, 'snapshot', 'create', '--wait', '--max-snapshot-rate-mb-per-node', '50']);
  expect(created.exitCode).toBe(0);
  expect(created.stdout).toBe(`Snapshot ${snapshot} creation initiated successfully\nSnapshot ${snapshot} finished: SUCCESS\n`);
  const repo = await source.request<Record<string, { settings: Record<string, string> }>>('GET', `/_snapshot/${repository}`);
  expect(repo.body[repository].settings).toMatchObject({ max_snapshot_bytes_per_sec: '50mb' });

  expect(await runConsole(['--config-file', config, 'snapshot', 'status'])).toEqual({ exitCode: 0, stdout: 'SUCCESS\n', stderr: '' });
  const deepJson = envelope<{ result: { state: string; percent: number } }>((await runConsole(['--config-file', config, '--json', 'snapshot', 'status', '--deep-check'])).stdout, 'snapshot status');
  expect(deepJson.result).toMatchObject({ state: 'SUCCESS', percent: 100 });
  const deep = await runConsole(['--config-file', config, 'snapshot', 'status', '--deep-check']);
  expect(deep.stdout).toMatch(
    /^Snapshot status: SUCCESS\nStart time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nFinished time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nPercent completed: 100\.00%\nEstimated time to completion: 0h 0m 0s\nData processed: \d+\.\d{3}\/\d+\.\d{3} MiB\nThroughput: \d+\.\d{3} MiB\/sec\nTotal shards: (\d+)\nSuccessful shards: \1\n/,
  );

  const declined = await runConsole(['--config-file', config, 'snapshot', 'delete'], 'no\n');
  expect(declined.exitCode).toBe(1);
  expect((await source.request('GET', `/_snapshot/${repository}/${snapshot}`, { expectStatus: [404] })).status).toBe(200);
  const deleted = await runConsole(['--config-file', config, '--json', 'snapshot', 'delete', '--acknowledge-risk']);
  expect(envelope(deleted.stdout, 'snapshot delete')).toEqual({ version: 1, command: 'snapshot delete', status: 0, result: { snapshot, repository, existed: true } });
  expect((await source.request('GET', `/_snapshot/${repository}/${snapshot}`, { expectStatus: [404] })).status).toBe(404);
});

it('exits 1 saying the snapshot does not exist yet', async () => {
  const missing = join(dir, 'missing.yaml');
  writeFileSync(missing, `source_cluster:\n  endpoint: ${endpoints.source}\nsnapshot:\n  snapshot_name: never-${id}\n  snapshot_repo_name: ${repository}\n  fs:\n    repo_path: ${join(endpoints.repoDir, repository)}\n`);
  await source.request('PUT', `/_snapshot/${repository}`, { body: { type: 'fs', settings: { location: join(endpoints.repoDir, repository) } } });
  const run = await runConsole(['--config-file', missing, '--json', 'snapshot', 'status']);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe(`Error: snapshot never-${id} is not in repository ${repository} on the source cluster: not started yet (console snapshot create), or deleted\n`);
  expect(envelope(run.stdout, 'snapshot status')).toMatchObject({ status: 1, error: { code: 'MA_SNAPSHOT_NOT_FOUND' } });
});

it('exits 1 naming the missing snapshot section', async () => {
  const bare = join(dir, 'bare.yaml');
  writeFileSync(bare, `source_cluster:\n  endpoint: ${endpoints.source}\n`);
  const run = await runConsole(['--config-file', bare, 'snapshot', 'status']);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe(`Error: ${bare} has no "snapshot" section, which this command needs\n`);
});
