/**
 * The `capture-proxy` program, configured only through its CAPTURE_PROXY_* environment variables, recording
 * to the test bed broker's secured listeners: SASL_SSL with SCRAM-SHA-512 and SSL, trusting the test bed's
 * CA through --kafkaCaCertFile, and to its plain listener with a multi-megabyte bulk. The records read back
 * from Kafka hold the requests. With a wrong password, or without the CA, every request is still answered,
 * the captures are counted as lost (`GET /__health`) and the log says in one line why. The program runs as
 * it ships, in a Node process of its own, and logs that its kafkajs encodes with every change (one-pass
 * produce requests, native CRC); the broker checks every batch's CRC and length.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { PROXY_NODE_FLAGS } from '../../src/capture-proxy/node-flags';
import { decodeTrafficStream } from '../../src/capture-proxy/traffic-stream';
import { startAnsweringOrigin, type AnsweringOrigin } from '../support/answering-origin';
import { rawExchange, request, type RawExchange } from '../support/raw-http';
import { until } from '../support/until';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const { kafkaScram, kafkaTls, kafkaCaFile, kafkaScramUser, kafkaScramPassword } = endpoints;
if (!kafkaScram || !kafkaTls || !kafkaCaFile || !kafkaScramUser || !kafkaScramPassword) {
  throw new Error('the test bed did not publish its secured Kafka listeners (kafkaScram, kafkaTls, kafkaCaFile, kafkaScramUser, kafkaScramPassword)');
}
const root = resolve(__dirname, '../..');
const ca = readFileSync(kafkaCaFile, 'utf8');
// A new SASL object per client: kafkajs stores its authenticator, holding the password, on the object it is given.
const scramReader = (): KafkaConfig => ({ brokers: [kafkaScram], ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-512', username: kafkaScramUser, password: kafkaScramPassword } });

interface RunningProxy {
  child: ChildProcess;
  port: number;
  /** The JSON log lines written so far. */
  logs: Record<string, unknown>[];
}

/** Starts the program from source, with its node flags and `env` as its only configuration; resolves once it listens. */
function startProxy(env: Record<string, string>): Promise<RunningProxy> {
  const child = spawn(process.execPath, [...PROXY_NODE_FLAGS, '--import', 'tsx', join(root, 'src/capture-proxy/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy did not listen within 30 s; log: ${JSON.stringify(logs)}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'capture proxy listening') {
          clearTimeout(timer);
          resolveStart({ child, port: entry.port as number, logs });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy exited with ${code} before listening; log: ${JSON.stringify(logs)} ${partial}`));
    });
  });
}

async function stopProxy(proxy: RunningProxy | undefined): Promise<void> {
  if (!proxy || proxy.child.exitCode !== null) return;
  const exited = new Promise((r) => proxy.child.once('exit', r));
  proxy.child.kill('SIGTERM');
  await exited;
}

async function health(proxy: RunningProxy): Promise<{ capture: string; capturesLost: number }> {
  const response = await fetch(`http://127.0.0.1:${proxy.port}/__health`);
  return (await response.json()) as { capture: string; capturesLost: number };
}

/** The request bytes the records in `topic` hold (one connection's, in order), read through `reader` until the close. */
async function capturedRequestBytes(reader: KafkaConfig, topic: string): Promise<Buffer> {
  const consumer = new Kafka({ ...reader, clientId: 'capture-secured-reader', logLevel: logLevel.NOTHING }).consumer({ groupId: `capture-secured-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const reads: Buffer[] = [];
  let closed = false;
  void consumer.run({
    eachMessage: async ({ message }) => {
      for (const o of decodeTrafficStream(message.value!).subStream) {
        const data = (o as { read?: { data: Uint8Array } }).read?.data ?? (o as { readSegment?: { data: Uint8Array } }).readSegment?.data;
        if (data) reads.push(Buffer.from(data));
        if ('close' in o) closed = true;
      }
    },
  });
  try {
    return await until(() => (closed ? Buffer.concat(reads) : undefined), `reading the capture from ${topic} up to its close`);
  } finally {
    await consumer.disconnect();
  }
}

let origin: AnsweringOrigin;
let originUrl: string;
let proxy: RunningProxy | undefined;

beforeAll(async () => {
  origin = await startAnsweringOrigin();
  originUrl = origin.url;
});

afterEach(async () => {
  await stopProxy(proxy);
  proxy = undefined;
});

afterAll(async () => {
  await origin.close();
});

/** The environment of a proxy in front of the origin, recording to `topic`, plus the Kafka connection's variables. */
function proxyEnv(topic: string, kafka: Record<string, string>): Record<string, string> {
  return {
    CAPTURE_PROXY_DESTINATION_URI: originUrl,
    CAPTURE_PROXY_LISTEN_PORT: '0',
    CAPTURE_PROXY_LISTEN_HOST: '127.0.0.1',
    CAPTURE_PROXY_KAFKA_TOPIC: topic,
    CAPTURE_PROXY_FLUSH_INTERVAL_MS: '100',
    CAPTURE_PROXY_CAPTURE_TIMEOUT_MS: '5000',
    ...kafka,
  };
}

/** A POST and a GET on one connection, closed after the GET. */
function exchange(port: number, id: string, body = '{"n":1}'): Promise<RawExchange> {
  return rawExchange(port, [request('POST', `/${id}/_doc`, {}, body), request('GET', `/${id}/_count`, { connection: 'close' })]);
}

describe.each([
  ['SASL_SSL with SCRAM-SHA-512', () => ({ CAPTURE_PROXY_KAFKA_CONNECTION: kafkaScram, CAPTURE_PROXY_KAFKA_AUTH_TYPE: 'scram-sha-512', CAPTURE_PROXY_KAFKA_USER_NAME: kafkaScramUser, CAPTURE_PROXY_KAFKA_PASSWORD: kafkaScramPassword })],
  ['SSL', () => ({ CAPTURE_PROXY_KAFKA_CONNECTION: kafkaTls, CAPTURE_PROXY_KAFKA_AUTH_TYPE: 'ssl' })],
])('capture to Kafka over %s, trusting the CA of --kafkaCaCertFile', (_label, connection) => {
  it('records every request in Kafka and loses nothing', async () => {
    // GIVEN the proxy configured through its environment only
    const topic = `capture-secured-${randomUUID()}`;
    const id = randomUUID().slice(0, 8);
    proxy = await startProxy(proxyEnv(topic, { ...connection(), CAPTURE_PROXY_KAFKA_CA_CERT_FILE: kafkaCaFile }));

    // WHEN a client sends a POST and a GET through it
    const { sent, received } = await exchange(proxy.port, id);

    // THEN both are answered, the topic (read over SCRAM) holds the exact request bytes, and no capture was lost
    expect(received.toString()).toContain(`answer to POST /${id}/_doc`);
    expect(received.toString()).toContain(`answer to GET /${id}/_count`);
    expect((await capturedRequestBytes(scramReader(), topic)).toString()).toBe(sent.toString());
    expect(await health(proxy)).toMatchObject({ capture: expect.stringContaining(connection().CAPTURE_PROXY_KAFKA_CONNECTION), capturesLost: 0 });
    expect(proxy.logs.filter((l) => l.msg === 'capture records lost')).toEqual([]);
  }, 60_000);
});

describe('capture to Kafka over PLAINTEXT', () => {
  it('records a bulk of several megabytes exactly, encoded by the tuned kafkajs', async () => {
    // GIVEN the proxy on the plain listener, records cut at 256 KiB
    const topic = `capture-plain-${randomUUID()}`;
    const id = randomUUID().slice(0, 8);
    proxy = await startProxy(proxyEnv(topic, { CAPTURE_PROXY_KAFKA_CONNECTION: endpoints.kafka, CAPTURE_PROXY_MAX_TRAFFIC_BUFFER_SIZE: String(256 << 10) }));

    // WHEN a client sends a 3 MB bulk and a GET through it
    const line = (n: number) => `{"index":{"_id":"${n}"}}\n{"text":"${String(n).padStart(900, 'x')}"}\n`;
    const bulk = Array.from({ length: 3200 }, (_, n) => line(n)).join('');
    const { sent, received } = await exchange(proxy.port, id, bulk);

    // THEN the program ran with its node flags and every change to kafkajs, and the topic holds the exact request bytes
    const listening = proxy.logs.find((l) => l.msg === 'capture proxy listening');
    expect(listening?.nodeFlags).toBe(true);
    expect(listening?.kafkaEncoding).toEqual({ crc: true, encoder: true, produceRequest: true, requestFrame: true });
    expect(listening?.kafkaIdleLoopStopped).toBe(true);
    expect(received.toString()).toContain(`answer to POST /${id}/_doc`);
    expect((await capturedRequestBytes({ brokers: [endpoints.kafka] }, topic)).equals(sent)).toBe(true);
    expect(await health(proxy)).toMatchObject({ capturesLost: 0 });
  }, 60_000);
});

describe('capture to Kafka that refuses the connection', () => {
  it.each([
    [
      'a wrong SCRAM password',
      { CAPTURE_PROXY_KAFKA_PASSWORD: 'not-the-password', CAPTURE_PROXY_KAFKA_CA_CERT_FILE: kafkaCaFile },
      `Kafka brokers ${kafkaScram} refused the SCRAM-SHA-512 credentials of user "${kafkaScramUser}" (SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)`,
    ],
    [
      'no CA for the broker certificate',
      { CAPTURE_PROXY_KAFKA_PASSWORD: kafkaScramPassword },
      `the TLS certificate of Kafka brokers ${kafkaScram} is not trusted (self-signed certificate in certificate chain): give its CA with --kafkaCaCertFile`,
    ],
  ])('with %s keeps proxying, counts the captures as lost and logs why', async (_label, refused, sentence) => {
    // GIVEN the proxy on the SCRAM listener with a connection the broker or the client refuses
    const topic = `capture-refused-${randomUUID()}`;
    const id = randomUUID().slice(0, 8);
    proxy = await startProxy(proxyEnv(topic, { CAPTURE_PROXY_KAFKA_CONNECTION: kafkaScram, CAPTURE_PROXY_KAFKA_AUTH_TYPE: 'scram-sha-512', CAPTURE_PROXY_KAFKA_USER_NAME: kafkaScramUser, ...refused }));

    // WHEN a client sends a POST (which waits for its capture) and a GET, twice
    const first = (await exchange(proxy.port, id)).received.toString();
    const second = (await exchange(proxy.port, `${id}-again`)).received.toString();

    // THEN every request is answered, the lost captures are counted, and the log says why in one line
    expect(first).toContain(`answer to POST /${id}/_doc`);
    expect(first).toContain(`answer to GET /${id}/_count`);
    expect(second).toContain(`answer to POST /${id}-again/_doc`);
    expect(second).toContain(`answer to GET /${id}-again/_count`);
    const running = proxy;
    const lost = await until(async () => {
      const { capturesLost } = await health(running);
      return capturesLost > 0 ? capturesLost : undefined;
    }, 'a lost capture');
    expect(lost).toBeGreaterThan(0);
    const warnings = proxy.logs.filter((l) => l.msg === 'capture records lost');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ level: 40, err: sentence });
    // Nothing reached the topic (the broker auto-creates it on a producer's first request, which never came).
    const admin = new Kafka({ ...scramReader(), clientId: 'capture-refused-check', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  }, 60_000);
});
