/**
 * Templates of real snapshots (Elasticsearch 6.8 and 7.10 fixtures) turned into OpenSearch requests: which
 * are taken and why the others are not, types removed, source-only settings dropped, older shapes converted.
 */
import { openRepository, type GlobalMetadata } from '../../../src/snapshot';
import { convertIndexTemplate, convertLegacyTemplate, planTemplates } from '../../../src/backfill/template-metadata';
import { fixture } from '../../support/fixtures';

async function globalMetadata(name: string): Promise<GlobalMetadata> {
  const repo = openRepository(fixture(name));
  return repo.globalMetadata(await repo.snapshot());
}

test('Elasticsearch 7.10: the user templates are taken, the source own ones skipped with the reason, components first', async () => {
  const plans = planTemplates(await globalMetadata('ES_7_10_Single'));
  const taken = plans.filter((p) => !p.skipped).map((p) => `${p.kind}:${p.name}`);
  expect(taken).toEqual(['component:posts_template', 'index:posts_index_template']);
  const reasons = Object.fromEntries(plans.filter((p) => p.skipped).map((p) => [`${p.kind}:${p.name}`, p.skipped]));
  expect(reasons['index:logs']).toBe('installed by the source for its own features (_meta.managed)');
  expect(reasons['component:logs-settings']).toBe('installed by the source for its own features (_meta.managed)');
  expect(reasons['legacy:.monitoring-es']).toBe('system template (name starts with a dot)');
  expect(plans.find((p) => p.name === 'posts_template')).toMatchObject({
    path: '/_component_template/posts_template',
    body: { template: { mappings: { properties: { contents: { type: 'text' }, author: { type: 'keyword' }, tags: { type: 'keyword' } } } } },
  });
  expect(plans.find((p) => p.kind === 'index' && p.name === 'posts_index_template')).toMatchObject({
    path: '/_index_template/posts_index_template',
    body: { index_patterns: ['posts_*'], composed_of: ['posts_template'], template: { settings: { 'index.number_of_shards': '1', 'index.number_of_replicas': '1' }, aliases: { current_posts: {} } } },
  });
});

test('Elasticsearch 6.8: the legacy template loses its _doc type and keeps patterns, order, settings and aliases', async () => {
  const plans = planTemplates(await globalMetadata('ES_6_8_Single'));
  expect(plans.filter((p) => !p.skipped).map((p) => p.name)).toEqual(['logstash-index-template', 'posts_index_template', 'security-index-template', 'security_audit_log']);
  const posts = plans.find((p) => p.name === 'posts_index_template')!;
  expect(posts.path).toBe('/_template/posts_index_template');
  expect(posts.body).toEqual({
    index_patterns: ['posts_*'],
    order: 0,
    settings: { 'index.number_of_shards': '1', 'index.number_of_replicas': '1' },
    mappings: { properties: { contents: { type: 'text' }, author: { type: 'keyword' }, tags: { type: 'keyword' } } },
    aliases: { '{index}-alias': {}, alias2: { filter: { term: { user: 'kimchy' } }, index_routing: 'kimchy', search_routing: 'kimchy' }, alias1: {} },
  });
});

test('an allowlist takes exactly the templates it names, the source own ones included, and reports names the snapshot lacks', async () => {
  const plans = planTemplates(await globalMetadata('ES_7_10_Single'), { indexTemplateAllowlist: ['logs', 'nope'], componentTemplateAllowlist: ['logs-settings'] });
  expect(plans.map((p) => [p.kind, p.name, p.skipped ?? (p.missing ? 'missing' : 'take')])).toEqual([
    ['component', 'logs-settings', 'take'],
    ['index', 'logs', 'take'],
    ['legacy', 'nope', 'missing'],
  ]);
  // The lifecycle policy belongs to the source cluster; OpenSearch would refuse the setting.
  expect(plans[0].body).toEqual({ template: { settings: { 'index.codec': 'best_compression', 'index.query.default_field': ['message'] } }, version: 0, _meta: { managed: true, description: 'default settings for the logs index template installed by x-pack' } });
  expect(plans[1].body).toMatchObject({ index_patterns: ['logs-*-*'], data_stream: {}, priority: 100 });
});

test('older shapes: the Elasticsearch 5 pattern, several types merged, a 7.9 data stream timestamp field', () => {
  expect(
    convertLegacyTemplate('old', {
      template: 'logs-*',
      order: 2,
      settings: { index: { number_of_shards: '3', 'lifecycle.name': 'x', routing: { allocation: { require: { box: 'hot' } } } } },
      mappings: [{ event: { _all: { enabled: false }, properties: { a: { type: 'keyword', include_in_all: false } } }, metric: { properties: { b: { type: 'long' } } } }],
    }),
  ).toEqual({ index_patterns: ['logs-*'], order: 2, settings: { 'index.number_of_shards': '3' }, mappings: { properties: { a: { type: 'keyword' }, b: { type: 'long' } } }, aliases: {} });
  expect(convertIndexTemplate('ds', { index_patterns: ['ds-*'], data_stream: { timestamp_field: '@timestamp' } })).toEqual({ index_patterns: ['ds-*'], data_stream: { timestamp_field: { name: '@timestamp' } } });
});
