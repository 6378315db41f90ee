/**
 * The capture proxy in front of the real Elasticsearch source, recording to the real Kafka broker: for a mix
 * of traffic the records read back from Kafka rebuild the exact request and response bytes of every
 * connection, with one end-of-message per request and a close at the end.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { CaptureProxy } from '../../src/capture-proxy/proxy-server';
import { KafkaSink } from '../../src/capture-proxy/kafka-sink';
import { decodeTrafficStream, type TrafficStream } from '../../src/capture-proxy/traffic-stream';
import { EmfEmitter } from '../../src/metrics/emf';
import { chunked, type Piece, rawExchange, request, type RawExchange } from '../support/raw-http';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const log = pino({ level: 'silent' });
const metrics = () => new EmfEmitter({ stage: 'test', component: 'captureProxy' }, { write: () => undefined });

interface Rebuilt {
  reads: Buffer;
  writes: Buffer;
  eoms: number;
  closed: boolean;
  records: number;
}

function rebuild(streams: TrafficStream[]): Map<string, Rebuilt> {
  const byConnection = new Map<string, Rebuilt>();
  for (const stream of streams) {
    const entry = byConnection.get(stream.connectionId) ?? { reads: Buffer.alloc(0), writes: Buffer.alloc(0), eoms: 0, closed: false, records: 0 };
    entry.records++;
    for (const o of stream.subStream) {
      const data = (o as { read?: { data: Buffer } }).read?.data ?? (o as { readSegment?: { data: Buffer } }).readSegment?.data;
      if (data) entry.reads = Buffer.concat([entry.reads, data]);
      const written = (o as { write?: { data: Buffer } }).write?.data ?? (o as { writeSegment?: { data: Buffer } }).writeSegment?.data;
      if (written) entry.writes = Buffer.concat([entry.writes, written]);
      if ('endOfMessageIndicator' in o) entry.eoms++;
      if ('close' in o) entry.closed = true;
    }
    byConnection.set(stream.connectionId, entry);
  }
  return byConnection;
}

async function consume(topic: string, until: (streams: TrafficStream[]) => boolean, timeoutMs = 30_000): Promise<{ key: string; stream: TrafficStream }[]> {
  const kafka = new Kafka({ clientId: 'capture-test', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `capture-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: { key: string; stream: TrafficStream }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${records.length} records within ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push({ key: message.key!.toString(), stream: decodeTrafficStream(message.value!) });
        if (until(records.map((r) => r.stream))) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}

describe('capture proxy with Kafka', () => {
  const topic = `capture-${randomUUID()}`;
  let proxy: CaptureProxy;
  let port: number;
  const index = `capture-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const sink = new KafkaSink({ brokers: [endpoints.kafka], topic, clientId: 'test-proxy', auth: { type: 'none' }, deliveryTimeoutMs: 10_000 });
    proxy = new CaptureProxy({
      listenPort: 0,
      listenHost: '127.0.0.1',
      destination: new URL(endpoints.source),
      insecureDestination: false,
      sink,
      nodeId: 'node-under-test',
      maxRecordBytes: 256 * 1024,
      flushIntervalMs: 200,
      mutationPolicy: 'forward',
      captureTimeoutMs: 10_000,
      suppressHeaderMatches: [['x-no-capture', /^yes$/]],
      redactAuthorization: true,
      maxHeadBytes: 64 * 1024,
      metrics: metrics(),
      log,
    });
    port = await proxy.start();
  });

  afterAll(async () => {
    await proxy.stop();
    await fetch(`${endpoints.source}/${index}`, { method: 'DELETE' });
  });

  it('records every connection byte for byte: keep-alive, pipelined, chunked, large, mutating, expect-continue', async () => {
    // GIVEN a mix of connections, each ending with a request that asks the server to close
    const bulkLines = Array.from({ length: 3000 }, (_, i) => `{"index":{"_index":"${index}","_id":"b${i}"}}\n{"n":${i},"text":"${'y'.repeat(200)}"}\n`).join('');
    const expecting = request('PUT', `/${index}/_doc/2`, { 'x-conn': 'expect-continue', 'content-type': 'application/json', expect: '100-continue' }, '{"b":2}');
    const headEnd = expecting.indexOf('\r\n\r\n') + 4;
    const conversations: Piece[][] = [
      // keep-alive: a GET, a PUT, a DELETE, one after another
      [request('GET', '/', { 'x-conn': 'keepalive' }), request('PUT', `/${index}/_doc/1?refresh=true`, { 'content-type': 'application/json' }, '{"a":1}'), request('DELETE', `/${index}/_doc/1`, { connection: 'close' })],
      // pipelined: three GETs written at once
      [Buffer.concat([request('GET', '/_cluster/health', { 'x-conn': 'pipelined' }), request('GET', '/_cat/indices'), request('GET', '/', { connection: 'close' })])],
      // chunked large bulk (about 700 KB, so it spans several records), then close
      [request('POST', '/_bulk', { 'x-conn': 'chunked-bulk', 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' }, chunked(Buffer.from(bulkLines), 16 * 1024)), request('GET', `/${index}/_count`, { connection: 'close' })],
      // authorization is stored redacted, same length
      [request('GET', '/', { authorization: 'Basic c2VjcmV0OnNlY3JldA==', connection: 'close' })],
      // a client that sends a body only once the source said 100 Continue (as curl does for large bodies):
      // the interim answer reaches it through the proxy before the request is complete
      [expecting.subarray(0, headEnd), { until: '100 Continue' }, expecting.subarray(headEnd), request('GET', '/', { connection: 'close' })],
    ];
    const exchanges: RawExchange[] = [];
    for (const pieces of conversations) exchanges.push(await rawExchange(port, pieces, 50));
    // A health check is answered by the proxy and never recorded.
    const health = await rawExchange(port, [request('GET', '/__health', { connection: 'close' })]);
    expect(health.received.toString()).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"status":"ok"/);

    // WHEN reading the topic until six connections are closed (the health check's among them)
    const records = await consume(topic, (streams) => [...rebuild(streams).values()].filter((c) => c.closed).length >= 6);
    const connections = rebuild(records.map((r) => r.stream));

    // THEN every record is keyed by its connection, and each connection rebuilds exactly
    for (const r of records) expect(r.key).toBe(r.stream.connectionId);
    const withTraffic = [...connections.values()].filter((c) => c.reads.length > 0);
    expect(withTraffic).toHaveLength(5);
    const requestCounts = [3, 3, 2, 1, 2];
    exchanges.forEach((exchange, i) => {
      const sent = i === 3 ? Buffer.from(exchange.sent.toString('latin1').replace(/(authorization: )(.*)/, (_, p: string, v: string) => p + '*'.repeat(v.length)), 'latin1') : exchange.sent;
      const match = withTraffic.find((c) => c.reads.equals(sent));
      expect(match).toBeDefined();
      expect(match!.writes.equals(exchange.received)).toBe(true);
      expect(match!.eoms).toBe(requestCounts[i]);
      expect(match!.closed).toBe(true);
    });
    // The large bulk was cut into several records.
    expect(Math.max(...withTraffic.map((c) => c.records))).toBeGreaterThan(2);
    // The health check's connection left only an empty close.
    expect([...connections.values()].filter((c) => c.reads.length === 0).every((c) => c.eoms === 0)).toBe(true);
    expect(proxy.stats.capturesLost).toBe(0);
  }, 60_000);
});

describe('capture proxy without Kafka', () => {
  it('keeps proxying, counts lost captures, and rejects mutations only when told to', async () => {
    // GIVEN proxies whose Kafka is a closed port
    const make = async (policy: 'forward' | 'reject') => {
      const proxy = new CaptureProxy({
        listenPort: 0,
        listenHost: '127.0.0.1',
        destination: new URL(endpoints.source),
        insecureDestination: false,
        sink: new KafkaSink({ brokers: ['127.0.0.1:1'], topic: 'unused', clientId: 't', auth: { type: 'none' }, deliveryTimeoutMs: 500 }),
        nodeId: 'n',
        maxRecordBytes: 1 << 20,
        flushIntervalMs: 100,
        mutationPolicy: policy,
        captureTimeoutMs: 500,
        suppressHeaderMatches: [],
        redactAuthorization: false,
        maxHeadBytes: 65536,
        metrics: metrics(),
        log,
      });
      return { proxy, port: await proxy.start() };
    };
    const forwarding = await make('forward');
    const rejecting = await make('reject');

    // WHEN sending a GET and a mutating request through each
    const get = await rawExchange(forwarding.port, [request('GET', '/', { connection: 'close' })]);
    const forwarded = await rawExchange(forwarding.port, [request('PUT', '/capture-kafka-down/_doc/1', { 'content-type': 'application/json', connection: 'close' }, '{"a":1}')]);
    const rejected = await rawExchange(rejecting.port, [request('PUT', '/capture-kafka-down/_doc/2', { 'content-type': 'application/json', connection: 'close' }, '{"a":2}')]);
    await new Promise((r) => setTimeout(r, 800));

    // THEN the GET and the forwarded PUT reached the source, the rejected one did not, and losses were counted
    expect(get.received.toString()).toMatch(/^HTTP\/1\.1 200/);
    expect(forwarded.received.toString()).toMatch(/^HTTP\/1\.1 201/);
    expect(rejected.received.toString()).toMatch(/^HTTP\/1\.1 503[\s\S]*capture_unavailable/);
    expect(forwarding.proxy.stats.capturesLost).toBeGreaterThan(0);
    const missing = await fetch(`${endpoints.source}/capture-kafka-down/_doc/2`);
    expect(missing.status).toBe(404);
    await forwarding.proxy.stop();
    await rejecting.proxy.stop();
    await fetch(`${endpoints.source}/capture-kafka-down`, { method: 'DELETE' });
  }, 30_000);

  it('answers 502 with a JSON body when the source is unreachable', async () => {
    const proxy = new CaptureProxy({
      listenPort: 0,
      listenHost: '127.0.0.1',
      destination: new URL('http://127.0.0.1:1'),
      insecureDestination: false,
      nodeId: 'n',
      maxRecordBytes: 1 << 20,
      flushIntervalMs: 100,
      mutationPolicy: 'forward',
      captureTimeoutMs: 500,
      suppressHeaderMatches: [],
      redactAuthorization: false,
      maxHeadBytes: 65536,
      metrics: metrics(),
      log,
    });
    const port = await proxy.start();
    const response = await rawExchange(port, [request('GET', '/', {})]);
    expect(response.received.toString()).toMatch(/^HTTP\/1\.1 502 Bad Gateway[\s\S]*"type":"source_unreachable"/);
    await proxy.stop();
  });
});
