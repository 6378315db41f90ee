/**
 * `console metadata evaluate/migrate`: an Elasticsearch 7.10 snapshot's templates (component, composable and
 * legacy) and index created on OpenSearch 2.19.
 */
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
const component = `metadata-ct-${id}`;
const indexTemplate = `metadata-it-${id}`;
const legacyTemplate = `metadata-lt-${id}`;
const templateAllowlists = ['--index-template-allowlist', `${indexTemplate},${legacyTemplate}`, '--component-template-allowlist', component];

beforeAll(async () => {
  await source.request('PUT', `/${index}`, {
    body: { settings: { number_of_shards: 2, number_of_replicas: 0 }, mappings: { properties: { title: { type: 'text' }, at: { type: 'date' } } }, aliases: { [`${index}-alias`]: {} } },
  });
  await source.request('PUT', `/_component_template/${component}`, { body: { template: { mappings: { properties: { sku: { type: 'keyword' } } }, settings: { 'index.routing.allocation.require.box': 'hot' } } } });
  await source.request('PUT', `/_index_template/.${indexTemplate}-system`, { body: { index_patterns: [`.${indexTemplate}-system-*`] } });
  await source.request('PUT', `/_index_template/${indexTemplate}-managed`, { body: { index_patterns: [`${indexTemplate}-managed-*`], _meta: { managed: true } } });
  await source.request('PUT', `/_index_template/${indexTemplate}`, { body: { index_patterns: [`${indexTemplate}-*`], composed_of: [component], priority: 7, template: { aliases: { [`${indexTemplate}-all`]: {} } } } });
  await source.request('PUT', `/_template/${legacyTemplate}`, { body: { index_patterns: [`${legacyTemplate}-*`], order: 3, settings: { number_of_shards: 2 }, mappings: { properties: { n: { type: 'long' } } } } });
  await source.request('PUT', `/_snapshot/${repository}`, { body: { type: 'fs', settings: { location: repoPath } } });
  await source.request('PUT', `/_snapshot/${repository}/snap`, { body: { indices: index }, query: { wait_for_completion: true } });
  writeFileSync(config, `target_cluster:\n  endpoint: ${endpoints.target}\nsnapshot:\n  snapshot_name: snap\n  fs:\n    repo_path: ${repoPath}\n`);
});

afterAll(async () => {
  await target.request('DELETE', `/${index}`, { expectStatus: [404] });
  for (const client of [source, target]) {
    for (const name of [indexTemplate, `.${indexTemplate}-system`, `${indexTemplate}-managed`]) await client.request('DELETE', `/_index_template/${name}`, { expectStatus: [404] });
    await client.request('DELETE', `/_component_template/${component}`, { expectStatus: [404] });
    await client.request('DELETE', `/_template/${legacyTemplate}`, { expectStatus: [404] });
  }
  await source.request('DELETE', `/${index}`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repository}/snap`, { expectStatus: [404] });
  await source.request('DELETE', `/_snapshot/${repository}`, { expectStatus: [404] });
  source.close();
  target.close();
  rmSync(dir, { recursive: true, force: true });
});

it('evaluates without creating, migrates, then leaves the existing index alone', async () => {
  const evaluated = await runConsole(['--config-file', config, 'metadata', 'evaluate', '--index-allowlist', index, ...templateAllowlists]);
  expect(evaluated).toMatchObject({ exitCode: 0, stderr: '' });
  expect(evaluated.stdout).toMatch(
    new RegExp(
      `^Evaluating index metadata of snapshot snap\\nTEMPLATE +TYPE +RESULT\\n${component} +component template +would create\\n${indexTemplate} +index template +would create\\n${legacyTemplate} +legacy template +would create\\n\\n` +
        `SOURCE INDEX +TARGET INDEX +RESULT\\n${index} +${index} +would create\\n$`,
    ),
  );
  expect((await target.request('HEAD', `/${index}`, { expectStatus: [404] })).status).toBe(404);
  expect((await target.request('HEAD', `/_index_template/${indexTemplate}`, { expectStatus: [404] })).status).toBe(404);

  const migrated = await runConsole(['--config-file', config, '--json', 'metadata', 'migrate', '--index-allowlist', index, ...templateAllowlists]);
  expect(migrated.exitCode).toBe(0);
  expect(envelope(migrated.stdout, 'metadata migrate')).toEqual({
    version: 1,
    command: 'metadata migrate',
    status: 0,
    result: {
      snapshot: 'snap',
      dryRun: false,
      templates: [
        { kind: 'component', name: component, status: 'created' },
        { kind: 'index', name: indexTemplate, status: 'created' },
        { kind: 'legacy', name: legacyTemplate, status: 'created' },
      ],
      indices: [{ source: index, target: index, status: 'created' }],
    },
  });
  const created = await target.request<Record<string, { settings: { index: { number_of_shards: string } }; mappings: { properties: Record<string, unknown> }; aliases: Record<string, unknown> }>>('GET', `/${index}`);
  expect(created.body[index].settings.index.number_of_shards).toBe('2');
  expect(created.body[index].mappings.properties).toEqual({ title: { type: 'text' }, at: { type: 'date' } });
  expect(Object.keys(created.body[index].aliases)).toEqual([`${index}-alias`]);

  // The templates work on the target: a new index matching the composable one gets the component's mapping and the alias.
  const simulated = await target.request<{ template: { mappings: unknown; aliases: Record<string, unknown>; settings: Record<string, unknown> } }>('POST', `/_index_template/_simulate_index/${indexTemplate}-x`);
  expect(simulated.body.template.mappings).toEqual({ properties: { sku: { type: 'keyword' } } });
  expect(Object.keys(simulated.body.template.aliases)).toEqual([`${indexTemplate}-all`]);
  expect(JSON.stringify(simulated.body.template.settings)).not.toContain('allocation');
  const legacy = await target.request<Record<string, { order: number; settings: { index: { number_of_shards: string } }; mappings: unknown }>>('GET', `/_template/${legacyTemplate}`);
  expect(legacy.body[legacyTemplate]).toMatchObject({ order: 3, settings: { index: { number_of_shards: '2' } }, mappings: { properties: { n: { type: 'long' } } } });

  const again = await runConsole(['--config-file', config, 'metadata', 'migrate', '--index-allowlist', index, ...templateAllowlists]);
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`\\n${component} +component template +exists\\n`));
  expect(again.stdout).toMatch(new RegExp(`\\n${index} +${index} +exists\\n$`));
});

it('without allowlists, skips the source own templates and says why; names the snapshot lacks fail the command', async () => {
  const evaluated = await runConsole(['--config-file', config, '--json', 'metadata', 'evaluate', '--index-allowlist', index]);
  expect(evaluated.exitCode).toBe(0);
  const templates = envelope<{ result: { templates: { kind: string; name: string; status: string; reason?: string }[] } }>(evaluated.stdout, 'metadata evaluate').result.templates;
  expect(templates).toContainEqual({ kind: 'index', name: `${indexTemplate}-managed`, status: 'skipped', reason: 'installed by the source for its own features (_meta.managed)' });
  expect(templates).toContainEqual({ kind: 'index', name: `.${indexTemplate}-system`, status: 'skipped', reason: 'system template (name starts with a dot)' });
  expect(templates.find((t) => t.name === component)).toEqual({ kind: 'component', name: component, status: 'exists' });

  const typo = await runConsole(['--config-file', config, 'metadata', 'evaluate', '--index-allowlist', `${index},no-such-index`, '--index-template-allowlist', 'no-such-template']);
  expect(typo.exitCode).not.toBe(0);
  expect(typo.stdout).toMatch(/no-such-template +legacy template +failed: not in the snapshot/);
  expect(typo.stdout).toMatch(/no-such-index +no-such-index +failed: not in the snapshot/);
  expect(typo.stderr).toContain('2 of 4 templates and indices could not be created on the target (first: legacy template no-such-template)');
});
