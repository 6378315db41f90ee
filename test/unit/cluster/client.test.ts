/**
 * The cluster client against a real local HTTP server on port 0: retries, Retry-After, timeouts, gzip,
 * auth headers and version detection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ClusterClient, ClusterError } from '../../../src/cluster';
import { backoffDelay, parseRetryAfter } from '../../../src/cluster/retry';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: Server;
let base: string;
let seen: Seen[];
let respond: (req: Seen, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(entry);
      respond(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
});

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('ClusterClient', () => {
  it('retries an idempotent call on 429 and 503, then returns the parsed body', async () => {
    // GIVEN a server that throttles, then fails, then answers
    const statuses = [429, 503, 200];
    respond = (_req, res) => json(res, statuses.shift() ?? 500, { ok: true });
    const client = new ClusterClient({ endpoint: base, ...noSleep });

    // WHEN getting a document
    const response = await client.request<{ ok: boolean }>('GET', '/idx/_doc/1');

    // THEN it took three attempts
    expect(response.body).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    client.close();
  });

  it('does not retry a POST unless told it is idempotent', async () => {
    respond = (_req, res) => json(res, 503, { error: { type: 'unavailable', reason: 'busy' } });
    const client = new ClusterClient({ endpoint: base, ...noSleep });

    await expect(client.request('POST', '/idx/_doc', { body: { a: 1 } })).rejects.toMatchObject({ code: 'MA_CLUSTER_HTTP', status: 503 });
    expect(seen).toHaveLength(1);

    seen = [];
    await expect(client.request('POST', '/_search', { body: {}, idempotent: true })).rejects.toThrow(/HTTP 503: unavailable: busy/);
    expect(seen).toHaveLength(6);
    client.close();
  });

  it('waits at least Retry-After before retrying', async () => {
    // GIVEN a throttling answer asking for 2 seconds
    const statuses = [429, 200];
    respond = (_req, res) => json(res, statuses.shift() ?? 500, {}, { 'retry-after': '2' });
    const delays: number[] = [];
    const client = new ClusterClient({ endpoint: base, random: () => 0, sleep: async (ms) => void delays.push(ms) });

    // WHEN calling
    await client.request('GET', '/');

    // THEN the client slept 2 s although its jitter alone would have been 0
    expect(delays).toEqual([2000]);
    client.close();
  });

  it('times out a call that gets no answer, naming the endpoint', async () => {
    respond = () => undefined; // never answers
    const client = new ClusterClient({ endpoint: base, timeoutMs: 100, maxRetries: 0 });
    const failure = client.request('GET', '/slow');
    await expect(failure).rejects.toBeInstanceOf(ClusterError);
    await expect(failure).rejects.toMatchObject({ code: 'MA_CLUSTER_TIMEOUT', message: expect.stringContaining(base) });
    client.close();
  });

  it('reports an unreachable cluster with a clear code', async () => {
    const client = new ClusterClient({ endpoint: 'http://127.0.0.1:1', maxRetries: 1, ...noSleep });
    await expect(client.request('GET', '/')).rejects.toMatchObject({ code: 'MA_CLUSTER_UNREACHABLE', message: expect.stringContaining('cannot reach http://127.0.0.1:1') });
    client.close();
  });

  it('gzips large bodies and sends basic auth without ever putting the password in errors', async () => {
    respond = (_req, res) => json(res, 401, { error: 'unauthorized' });
    const client = new ClusterClient({ endpoint: base, compressRequests: true, auth: { type: 'basic', username: 'admin', password: 's3cret!' } });
    const body = { text: 'x'.repeat(5000) };

    const failure = await client.request('PUT', '/idx', { body }).catch((e: ClusterError) => e);

    expect(failure).toMatchObject({ code: 'MA_CLUSTER_AUTH', status: 401 });
    expect((failure as Error).message).not.toContain('s3cret');
    expect(seen[0].headers.authorization).toBe('Basic ' + Buffer.from('admin:s3cret!').toString('base64'));
    expect(seen[0].headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(seen[0].body).toString())).toEqual(body);
    client.close();
  });

  it('signs requests with SigV4 for the es service', async () => {
    respond = (_req, res) => json(res, 200, {});
    const client = new ClusterClient({
      endpoint: base,
      auth: { type: 'sigv4', region: 'us-west-2', service: 'es', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } },
    });

    await client.request('GET', '/_cat/indices', { query: { format: 'json' } });

    const authorization = String(seen[0].headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(seen[0].headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    client.close();
  });

  it('detects OpenSearch even in compatibility mode, and Elasticsearch', async () => {
    respond = (_req, res) => json(res, 200, { version: { distribution: 'opensearch', number: '7.10.2' }, tagline: 'The OpenSearch Project' });
    const os = new ClusterClient({ endpoint: base });
    expect(await os.info()).toMatchObject({ flavor: 'opensearch', major: 7, number: '7.10.2' });
    os.close();
    respond = (_req, res) => json(res, 200, { version: { number: '8.15.1' }, tagline: 'You Know, for Search' });
    const es = new ClusterClient({ endpoint: base });
    expect(await es.info()).toEqual({ flavor: 'elasticsearch', number: '8.15.1', major: 8, minor: 15, patch: 1 });
    es.close();
  });

  it.each([
    ['Elasticsearch 8 (build_flavor)', { version: '8.19.0', build_flavor: 'default' }, 'elasticsearch', 8],
    ['OpenSearch 2 (no build_flavor)', { version: '2.19.1' }, 'opensearch', 2],
    ['Elasticsearch 5 (before build_flavor)', { version: '5.6.16' }, 'elasticsearch', 5],
  ])('falls back to the local node info when the root endpoint is closed: %s', async (_label, node, flavor, major) => {
    // GIVEN a cluster whose root answers 405 (as a build without the root module does), and nodes info
    respond = (req, res) =>
      req.url === '/' ? json(res, 405, { error: 'Incorrect HTTP method for uri [/] and method [GET], allowed: [DELETE]', status: 405 }) : json(res, 200, { nodes: { n1: node } });
    const client = new ClusterClient({ endpoint: base });

    // WHEN asking for the version, THEN it comes from nodes info, asked for only the fields it needs
    expect(await client.info()).toMatchObject({ flavor, major, number: node.version });
    expect(seen.map((s) => s.url)).toEqual(['/', '/_nodes/_local?filter_path=nodes.*.version%2Cnodes.*.build_flavor']);
    client.close();
  });

  it('rejects an endpoint that is not an http(s) URL, naming it', () => {
    expect(() => new ClusterClient({ endpoint: 'localhost:9200' })).toThrow(/"localhost:9200" must start with http/);
    expect(() => new ClusterClient({ endpoint: 'not a url' })).toThrow(/"not a url" is not a URL/);
  });
});

describe('back-off', () => {
  it('grows exponentially within its ceiling and honours Retry-After', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(1, policy, () => 0, 500)).toBe(500);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
