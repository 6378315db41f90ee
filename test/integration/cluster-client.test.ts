/** The cluster client against every test-bed cluster: version detection, index, gzip bulk, search. */
import { randomUUID } from 'node:crypto';
import { ClusterClient } from '../../src/cluster';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
// Every server the test bed starts by default; one that is missing fails here rather than being passed over.
const started = (name: string, endpoint: string | undefined) => endpoint ?? `http://${name}-was-not-started-by-the-test-bed.invalid`;
const clusters: [string, string, 'elasticsearch' | 'opensearch', number][] = [
  ['Elasticsearch 7.10', endpoints.source, 'elasticsearch', 7],
  ['OpenSearch 2.19', endpoints.target, 'opensearch', 2],
  ['Elasticsearch 6.8', started('es68', endpoints.es68), 'elasticsearch', 6],
  ['Elasticsearch 5.6', started('es56', endpoints.es56), 'elasticsearch', 5],
  ['OpenSearch 3.3', started('os3', endpoints.os3), 'opensearch', 3],
  // These test-bed builds lack the root endpoint's module: the version comes from nodes info.
  ['Elasticsearch 8.19', started('es8', endpoints.es8), 'elasticsearch', 8],
  ['Elasticsearch 9.2', started('es9', endpoints.es9), 'elasticsearch', 9],
];

describe.each(clusters)('ClusterClient on %s', (_label, endpoint, flavor, major) => {
  const client = new ClusterClient({ endpoint, compressRequests: true });
  const index = `client-${randomUUID()}`;
  afterAll(async () => {
    await client.request('DELETE', `/${index}`, { expectStatus: [404] });
    client.close();
  });

  it('detects the engine and major version', async () => {
    expect(await client.info()).toMatchObject({ flavor, major });
  });

  it('indexes with a gzip bulk body and finds the documents', async () => {
    // GIVEN an index and a bulk body large enough to be compressed
    await client.request('PUT', `/${index}`, { body: { settings: { number_of_shards: 2, number_of_replicas: 0 } } });
    // Elasticsearch 6 wants a type in bulk actions; 5 also refuses type names that start with an underscore.
    const type = flavor === 'elasticsearch' && major < 7 ? { _type: major < 6 ? 'doc' : '_doc' } : {};
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(JSON.stringify({ index: { _index: index, _id: `d${i}`, ...type } }), JSON.stringify({ n: i, text: 'lorem ipsum '.repeat(5) }));

    // WHEN bulk-indexing and searching
    const bulk = await client.request<{ errors: boolean; items: unknown[] }>('POST', '/_bulk', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson', query: { refresh: 'true' } });
    const search = await client.request<{ hits: { hits: { _id: string }[] } }>('POST', `/${index}/_search`, { body: { query: { term: { n: 42 } } }, idempotent: true });

    // THEN every document was accepted and the search finds the one asked for
    expect(bulk.body.errors).toBe(false);
    expect(bulk.body.items).toHaveLength(200);
    expect(search.body.hits.hits.map((h) => h._id)).toEqual(['d42']);
  });

  it('turns a missing index into a clear HTTP error', async () => {
    await expect(client.request('GET', `/${index}-missing/_doc/1`)).rejects.toMatchObject({ code: 'MA_CLUSTER_HTTP', status: 404 });
  });
});
