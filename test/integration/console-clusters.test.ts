/** `console clusters …` end to end against the test bed: Elasticsearch 7.10 as source, OpenSearch 2.19 as target. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const dir = mkdtempSync(join(tmpdir(), 'ma-console-clusters-'));
const source = new ClusterClient({ endpoint: endpoints.source });
const target = new ClusterClient({ endpoint: endpoints.target });
const index = `console-${randomUUID()}`;

function services(name: string, targetEndpoint = endpoints.target): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `source_cluster:\n  endpoint: ${endpoints.source}\n  no_auth:\ntarget_cluster:\n  endpoint: ${targetEndpoint}\n  basic_auth:\n    username: admin\n    password: not-checked-here\n`);
  return path;
}

async function loadDocs(client: ClusterClient, docs: Record<string, unknown>[]): Promise<void> {
  const lines = docs.flatMap((d, i) => [JSON.stringify({ index: { _index: index, _id: `d${i}` } }), JSON.stringify(d)]);
  await client.request('POST', '/_bulk', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson', query: { refresh: 'true' } });
}

beforeAll(async () => {
  await loadDocs(source, [{ n: 1 }, { n: 2, tags: ['a', 'b'] }, { n: 3, nested: { x: 'y' } }]);
});

afterAll(async () => {
  for (const c of [source, target]) {
    await c.request('DELETE', `/${index}`, { expectStatus: [404] });
    c.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('clusters connection-check', () => {
  it('reports both clusters with their engines and versions', async () => {
    const config = services('ok');
    const text = await runConsole(['--config-file', config, 'clusters', 'connection-check']);
    expect(text).toMatchObject({ exitCode: 0, stderr: '' });
    expect(text.stdout).toMatch(/^SOURCE CLUSTER\nSuccessfully connected! \(Elasticsearch 7\.10\.2\)\nTARGET CLUSTER\nSuccessfully connected! \(OpenSearch 2\.19\.\d+\)\n$/);

    const json = envelope<{ result: Record<string, { cluster_version: string }> }>((await runConsole(['--config-file', config, '--json', 'clusters', 'connection-check'])).stdout, 'clusters connection-check');
    expect(json).toMatchObject({ version: 1, command: 'clusters connection-check', status: 0 });
    expect(json.result.source_cluster).toEqual({ connection_established: true, connection_message: 'Successfully connected!', cluster_version: '7.10.2', engine: 'Elasticsearch 7.10.2' });
    expect(json.result.target_cluster.cluster_version).toMatch(/^2\.19\./);
  });

  it('exits 1 naming the unreachable cluster, still showing the reachable one', async () => {
    const config = services('unreachable', 'http://127.0.0.1:1');
    const run = await runConsole(['--config-file', config, 'clusters', 'connection-check']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^SOURCE CLUSTER\nSuccessfully connected! .*\nTARGET CLUSTER\nUnable to connect to cluster with error: .*127\.0\.0\.1:1.*\n$/);
    expect(run.stderr).toBe('Error: cannot connect to the target cluster\n');
    expect(run.stdout + run.stderr).not.toContain('not-checked-here');

    const json = envelope((await runConsole(['--config-file', config, '--json', 'clusters', 'connection-check'])).stdout, 'clusters connection-check');
    expect(json).toMatchObject({ version: 1, status: 1, error: { code: 'MA_CLUSTER_UNREACHABLE' }, result: { target_cluster: { connection_established: false } } });
  });
});

describe('clusters cat-indices', () => {
  it('lists the source index with its document count after --refresh', async () => {
    const config = services('cat');
    const json = await runConsole(['--config-file', config, '--json', 'clusters', 'cat-indices', '--refresh']);
    expect(json.exitCode).toBe(0);
    const cat = envelope<{ result: { refreshed: boolean; source_cluster: Record<string, string>[]; target_cluster: Record<string, string>[] } }>(json.stdout, 'clusters cat-indices');
    expect(cat.result.refreshed).toBe(true);
    expect(cat.result.source_cluster.find((r) => r.index === index)).toMatchObject({ 'docs.count': '3', pri: '1' });
    expect(cat.result.target_cluster.find((r) => r.index === index)).toBeUndefined();

    const text = await runConsole(['--config-file', config, 'clusters', 'cat-indices']);
    expect(text.stdout).toMatch(/^\nWARNING: Cluster information may be stale\. Use --refresh to update\.\nSOURCE CLUSTER\nhealth +status +index +uuid +pri +rep +docs\.count +docs\.deleted +store\.size +pri\.store\.size\n/);
    expect(text.stdout).toMatch(new RegExp(`\\n\\w+ +open +${index} +\\S+ +1 +\\d+ +3 +0 `));
    expect(text.stdout).toContain('\nTARGET CLUSTER\nhealth');
  });
});

describe('clusters curl', () => {
  it('sends a body with the method asked for and prints the raw answer', async () => {
    const config = services('curl');
    const run = await runConsole(['--config-file', config, 'clusters', 'curl', 'target', '-X', 'PUT', `/${index}`, '-d', '{"settings":{"number_of_shards":1,"number_of_replicas":0}}']);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ acknowledged: true, index });
  });

  it('exits 1 on a non-2xx answer, printing Error: <status> before the body', async () => {
    const run = await runConsole(['--config-file', services('curl404'), 'clusters', 'curl', 'source', `no-such-${index}`]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^Error: 404\n\{.*index_not_found_exception/);
    expect(run.stderr).toBe('Error: the source cluster answered 404\n');
  });
});

describe('clusters compare', () => {
  it('exits 0 when the target holds the same documents and 1 when one differs', async () => {
    const config = services('compare');
    await target.request('DELETE', `/${index}`, { expectStatus: [404] });
    await loadDocs(target, [{ n: 1 }, { tags: ['a', 'b'], n: 2 }, { nested: { x: 'y' }, n: 3 }]);
    const same = await runConsole(['--config-file', config, '--json', 'clusters', 'compare', '--index', index]);
    expect(same.exitCode).toBe(0);
    expect(envelope(same.stdout, 'clusters compare')).toMatchObject({ status: 0, result: { equal: true, indices: [{ index, source: 3, target: 3, equal: true }] } });

    const sameSampled = await runConsole(['--config-file', config, 'clusters', 'compare', '--index', index, '--sample', '2']);
    expect(sameSampled.exitCode).toBe(0);
    await target.request('PUT', `/${index}/_doc/d2`, { body: { n: 3, nested: { x: 'z' } }, query: { refresh: 'true' } });
    const different = await runConsole(['--config-file', config, 'clusters', 'compare', '--index', index]);
    expect(different.exitCode).toBe(1);
    expect(different.stderr).toBe('Error: the target differs from the source\n');
    // A sample as large as the index sees the same difference; counts are exact either way.
    const sampled = await runConsole(['--config-file', config, '--json', 'clusters', 'compare', '--index', index, '--sample', '3']);
    expect(sampled.exitCode).toBe(1);
    expect(envelope(sampled.stdout, 'clusters compare')).toMatchObject({ status: 1, error: { code: 'MA_COMPARE_DIFFERENT' } });
    const sampledText = await runConsole(['--config-file', config, 'clusters', 'compare', '--index', index, '--sample', '3']);
    expect(sampledText.stdout).toMatch(new RegExp(`${index} +3 +3 +0 +0 +1 +DIFFERENT\\n[^]*${index}/d2 differs`));
  });
});
