/** `console metadata evaluate/migrate`: an Elasticsearch 7.10 snapshot's index created on OpenSearch 2.19. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const dir = mkdtempSync(join(tmpdir(), 'ma-console-metadata-'));
const source = new ClusterClient({ endpoint: endpoints.source });
const target = new ClusterClient({ endpoint: endpoints.target });
const id = randomUUID();
const index = `metadata-${id}`;
const repository = `metadata-repo-${id}`;
const repoPath = join(endpoints.repoDir, repository);
const config = join(dir, 'services.yaml');

beforeAll(async () => {
  await source.request('PUT', `/${index}`, {
    body: { settings: { number_of_shards: 2, number_of_replicas: 0 }, mappings: { properties: { title: { type: 'text' }, at: { type: 'date' } } }, aliases: { [`${index}-alias`]: {} } },
  });
  await source.request('PUT', `/_snapshot/${repository}`, { body: { type: 'fs', settings: { location: repoPath } } });
  await source.request('PUT', `/_snapshot/${repository}/snap`, { body: { indices: index }, query: { wait_for_completion: true } });
  writeFileSync(config, `target_cluster:\n  endpoint: ${endpoints.target}\nsnapshot:\n  snapshot_name: snap\n  fs:\n    repo_path: ${repoPath}\n`);
});

afterAll(async () => {
  await target.request('DELETE', `/${index}`, { expectStatus: [404] });
  await source.request('DELETE', `/${index}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repository}/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repository}`, { expectStatus: [404] });
  source.close();
  target.close();
  rmSync(dir, { recursive: true, force: true });
});

it('evaluates without creating, migrates, then leaves the existing index alone', async () => {
  const evaluated = await runConsole(['--config-file', config, 'metadata', 'evaluate', '--index-allowlist', index]);
  expect(evaluated).toMatchObject({ exitCode: 0, stderr: '' });
  expect(evaluated.stdout).toMatch(new RegExp(`^Evaluating index metadata of snapshot snap\\nSOURCE INDEX +TARGET INDEX +RESULT\\n${index} +${index} +would create\\n$`));
  expect((await target.request('HEAD', `/${index}`, { expectStatus: [404] })).status).toBe(404);

  const migrated = await runConsole(['--config-file', config, '--json', 'metadata', 'migrate', '--index-allowlist', index]);
  expect(migrated.exitCode).toBe(0);
  expect(envelope(migrated.stdout, 'metadata migrate')).toEqual({ version: 1, command: 'metadata migrate', status: 0, result: { snapshot: 'snap', dryRun: false, indices: [{ source: index, target: index, status: 'created' }] } });
  const created = await target.request<Record<string, { settings: { index: { number_of_shards: string } }; mappings: { properties: Record<string, unknown> }; aliases: Record<string, unknown> }>>('GET', `/${index}`);
  expect(created.body[index].settings.index.number_of_shards).toBe('2');
  expect(created.body[index].mappings.properties).toEqual({ title: { type: 'text' }, at: { type: 'date' } });
  expect(Object.keys(created.body[index].aliases)).toEqual([`${index}-alias`]);

  const again = await runConsole(['--config-file', config, 'metadata', 'migrate', '--index-allowlist', index]);
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`\\n${index} +${index} +exists\\n$`));
});
