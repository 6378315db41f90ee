/**
 * Kafka goes away and comes back while the proxy runs: a private single-node broker (the test bed's own
 * Kafka definition, in a folder of this test) is stopped mid-run and restarted on the same ports and data.
 * Proxying never stops, captures lost during the outage are counted, and capture resumes by itself.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { KafkaSink } from '../../src/capture-proxy/kafka-sink';
import { CaptureProxy } from '../../src/capture-proxy/proxy-server';
import { decodeTrafficStream, type TrafficStream } from '../../src/capture-proxy/traffic-stream';
import { EmfEmitter } from '../../src/metrics/emf';
import { awaitHealthy, launch, stopGroup } from '../testbed/launcher';
import { kafka as kafkaServer, type PreparedServer } from '../testbed/servers';
import { rawExchange, request } from '../support/raw-http';
import { until } from '../support/until';

describe('capture proxy through a Kafka outage', () => {
  let dir: string;
  let broker: PreparedServer;
  let pid: number | undefined;
  let origin: Server;
  const logFile = () => join(dir, 'kafka.log');
  const startBroker = async () => {
    pid = launch({ ...broker.spec, logFile: logFile() });
    await awaitHealthy('private kafka', pid, logFile(), brokerReady, broker.startTimeoutMs);
  };
  // Our own readiness probe: the test bed's loads kafkajs with a dynamic import, which jest's CommonJS runtime refuses.
  const brokerReady = async () => {
    const admin = new Kafka({ clientId: 'outage-probe', brokers: [broker.endpoint], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return true;
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capture-outage-'));
    broker = await kafkaServer.prepare({ dir, repoDir: dir });
    await startBroker();
    origin = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = `answer to ${req.url}`;
        res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  }, 150_000);

  afterAll(async () => {
    if (pid !== undefined) await stopGroup(pid, 5_000);
    if (origin) await new Promise((r) => origin.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps forwarding, counts lost captures, and resumes capture when the broker returns', async () => {
    // GIVEN a proxy recording to the private broker
    const topic = `outage-${randomUUID()}`;
    const proxy = new CaptureProxy({
      listenPort: 0,
      listenHost: '127.0.0.1',
      destination: new URL(`http://127.0.0.1:${(origin.address() as { port: number }).port}`),
      insecureDestination: false,
      sink: new KafkaSink({ brokers: [broker.endpoint], topic, clientId: 'outage-proxy', auth: { type: 'none' }, deliveryTimeoutMs: 1_500 }),
      nodeId: 'outage-node',
      maxRecordBytes: 1 << 20,
      flushIntervalMs: 100,
      mutationPolicy: 'forward',
      captureTimeoutMs: 1_500,
      suppressHeaderMatches: [],
      redactAuthorization: false,
      maxHeadBytes: 65536,
      metrics: new EmfEmitter({ stage: 'test', component: 'captureProxy' }, { write: () => undefined }),
      log: pino({ level: 'silent' }),
    });
    const port = await proxy.start();
    const exchange = (path: string) => rawExchange(port, [request('POST', path, { connection: 'close' }, '{"n":1}')], 0, 20_000);

    try {
      const before = await exchange('/before');
      await until(() => proxy.stats.recordsSent >= 2, 'capture before the outage', 20_000);

      // WHEN the broker stops, a request passes, and the broker comes back
      await stopGroup(pid!, 10_000);
      pid = undefined;
      const during = await exchange('/during');
      await until(() => proxy.stats.capturesLost > 0, 'a lost capture', 20_000);
      const lost = proxy.stats.capturesLost;
      await startBroker();
      const after = await exchange('/after');
      await until(() => proxy.stats.recordsSent >= 4, 'capture after the outage', 30_000);

      // THEN every request was answered, losses were counted, and the records after the outage are in Kafka
      expect([before, during, after].map((e) => e.received.toString().split('\r\n\r\n')[1])).toEqual(['answer to /before', 'answer to /during', 'answer to /after']);
      expect(lost).toBeGreaterThan(0);
      const kafka = new Kafka({ clientId: 'outage-reader', brokers: [broker.endpoint], logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `outage-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const streams: TrafficStream[] = [];
      const reads = () => streams.flatMap((s) => s.subStream.flatMap((o) => ('read' in o ? [Buffer.from(o.read.data).toString()] : [])));
      void consumer.run({ eachMessage: async ({ message }) => void streams.push(decodeTrafficStream(message.value!)) });
      await until(() => reads().some((r) => r.startsWith('POST /after')), 'reading the capture of /after', 20_000);
      await consumer.disconnect();
      expect(reads().some((r) => r.startsWith('POST /before'))).toBe(true);
    } finally {
      await proxy.stop();
    }
  }, 150_000);
});
