/**
 * The proxy's connection handling against an in-process origin and a sink the test acknowledges by hand:
 * a mutating request, and everything the client sent after it, waits for its capture; reads never do.
 */
import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import type { CaptureRecord } from '../../../src/capture-proxy/connection-capture';
import type { CaptureSink } from '../../../src/capture-proxy/capture-sink';
import { CaptureProxy } from '../../../src/capture-proxy/proxy-server';
import { decodeTrafficStream } from '../../../src/capture-proxy/traffic-stream';
import { EmfEmitter } from '../../../src/metrics/emf';
import { patterned } from '../../support/patterned';
import { until } from '../../support/until';

/** Holds every send until `release` is called. */
class GatedSink implements CaptureSink {
  readonly description = 'gated';
  readonly records: CaptureRecord[] = [];
  #open = false;
  #waiting: (() => void)[] = [];
  send(record: CaptureRecord): Promise<void> {
    return this.sendBatch([record]);
  }
  async sendBatch(records: CaptureRecord[]): Promise<void> {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.records.push(...records);
  }
  release(): void {
    this.#open = true;
    this.#waiting.splice(0).forEach((resolve) => resolve());
  }
  async close(): Promise<void> {
    this.release();
  }
}

/** Waits for `condition`, checking every 10 ms for up to 2 s. */
const soon = (condition: () => boolean, what: string) => until(condition, what, 2000, 10);

/** A response of 8 MiB, far over the small capture budgets below. */
const HUGE_ANSWER = Buffer.alloc(8 << 20, 'h');
/** 48 MiB in a pattern that repeats only every 251 bytes, so a byte out of place shows; more than loopback buffers hold. */
const PATTERNED_ANSWER = patterned(48 << 20);

describe('proxy connection', () => {
  let origin: Server;
  let originPort: number;
  const arrived: string[] = [];
  /** When the origin finished writing `/patterned`, once it has. */
  let patternedWrittenAt: number | undefined;

  beforeAll(async () => {
    origin = createServer((req, res) => {
      arrived.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        if (req.url === '/patterned') res.end(PATTERNED_ANSWER, () => (patternedWrittenAt = Date.now()));
        else res.end(req.url === '/huge' ? HUGE_ANSWER : `answer to ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as { port: number }).port;
  });

  afterAll(() => new Promise((r) => origin.close(r)));

  // Whatever a test leaves open (also when it fails half-way) is released and closed, so nothing hangs.
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  interface Settings {
    maxHeldCaptureBytes?: number;
    flushIntervalMs?: number;
    captureTimeoutMs?: number;
    mutationPolicy?: 'forward' | 'reject';
    /** The source, by default the origin at 127.0.0.1. */
    destination?: string;
  }

  async function start(sink: CaptureSink, { maxHeldCaptureBytes, flushIntervalMs = 50, captureTimeoutMs = 10_000, mutationPolicy = 'forward', destination }: Settings = {}): Promise<{ proxy: CaptureProxy; port: number; client: Socket; received: () => string }> {
    const proxy = new CaptureProxy({
      listenPort: 0,
      listenHost: '127.0.0.1',
      destination: new URL(destination ?? `http://127.0.0.1:${originPort}`),
      insecureDestination: false,
      sink,
      nodeId: 'node',
      maxRecordBytes: 1 << 20,
      flushIntervalMs,
      mutationPolicy,
      captureTimeoutMs,
      suppressHeaderMatches: [],
      redactAuthorization: false,
      maxHeadBytes: 8192,
      ...(maxHeldCaptureBytes ? { maxHeldCaptureBytes } : {}),
      metrics: new EmfEmitter({ stage: 'test', component: 'captureProxy' }, { write: () => undefined }),
      log: pino({ level: 'silent' }),
    });
    const port = await proxy.start();
    const client = connect({ host: '127.0.0.1', port });
    cleanups.push(async () => {
      client.destroy();
      await sink.close();
      await proxy.stop();
    });
    const chunks: Buffer[] = [];
    client.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((r) => client.once('connect', r));
    return { proxy, port, client, received: () => Buffer.concat(chunks).toString() };
  }

  it('holds a mutating request and what was pipelined behind it until the capture is acknowledged, in order', async () => {
    // GIVEN a proxy whose sink acknowledges nothing yet
    arrived.length = 0;
    const sink = new GatedSink();
    const { proxy, client, received } = await start(sink);

    // WHEN one chunk carries a PUT and a GET behind it, and a later chunk another GET
    client.write('PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}GET /b HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    client.write('GET /c HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));

    // THEN nothing reached the origin before the capture was acknowledged; afterwards all three did, in order
    expect(arrived).toEqual([]);
    sink.release();
    await soon(() => (received().match(/answer to/g) ?? []).length === 3, 'three answers');
    expect(arrived).toEqual(['PUT /a', 'GET /b', 'GET /c']);
    expect(received().match(/answer to \w+ \/\w/g)).toEqual(['answer to PUT /a', 'answer to GET /b', 'answer to GET /c']);
    client.destroy();
    await proxy.stop();

    // and the capture holds the three requests in order, each followed by its end of message
    const reads = sink.records.flatMap((r) => decodeTrafficStream(r.value).subStream.flatMap((o) => ('read' in o ? [Buffer.from(o.read.data).toString()] : 'endOfMessageIndicator' in o ? ['EOM'] : [])));
    expect(reads.join('|')).toMatch(/^PUT \/a[^|]*\|\{\}\|EOM\|GET \/b[^|]*\|EOM\|GET \/c[^|]*\|EOM$/);
  });

  it('forwards mutating requests without waiting while the sink is failing, and waits again once a send succeeds', async () => {
    // GIVEN a sink that fails each send after 1 s (a broker that does not answer), later one that stores
    // each after 300 ms; the capture timeout is 5 s
    arrived.length = 0;
    let down = true;
    const sent: CaptureRecord[] = [];
    const sink: CaptureSink = {
      description: 'flaky',
      send: (record) => sink.sendBatch([record]),
      sendBatch: async (records) => {
        await new Promise((r) => setTimeout(r, down ? 1_000 : 300));
        if (down) throw new Error('broker gone');
        sent.push(...records);
      },
      close: async () => undefined,
    };
    const { proxy, client, received } = await start(sink, { captureTimeoutMs: 5_000 });
    const answers = () => (received().match(/answer to/g) ?? []).length;
    const put = async (path: string) => {
      const before = answers();
      const started = Date.now();
      client.write(`PUT ${path} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`);
      await soon(() => answers() === before + 1, `the answer to PUT ${path}`);
      return Date.now() - started;
    };

    // WHEN a first PUT finds the sink down (its wait ends with the failed send), then a second PUT comes
    expect(await put('/first')).toBeGreaterThanOrEqual(900);
    const second = await put('/second');

    // THEN the second went through without waiting, and both captures count as lost
    expect(second).toBeLessThan(500);
    await soon(() => proxy.stats.capturesLost >= 2, 'two lost captures');

    // and once a send succeeds, a mutating request waits for its capture again, which is then stored
    down = false;
    client.write('GET /probe HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => sent.length > 0, 'a successful send');
    expect(await put('/third')).toBeGreaterThanOrEqual(250);
    expect(arrived).toEqual(['PUT /first', 'PUT /second', 'GET /probe', 'PUT /third']);
    const paths = sent.flatMap((r) => decodeTrafficStream(r.value).subStream.flatMap((o) => ('read' in o ? [Buffer.from(o.read.data).toString().split(' ')[1]] : [])));
    expect(paths).toContain('/third');
  });

  it('refuses a mutating request whose capture times out under policy reject, and its record says it was not forwarded', async () => {
    // GIVEN a sink that acknowledges nothing yet, a capture timeout of 200 ms and policy reject
    arrived.length = 0;
    const sink = new GatedSink();
    const { proxy, client, received } = await start(sink, { captureTimeoutMs: 200, mutationPolicy: 'reject' });

    // WHEN a PUT waits past the timeout, and the sink takes the records afterwards
    client.write('PUT /refused HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}');
    await soon(() => received().includes('503'), 'the 503');
    sink.release();
    client.destroy();
    await proxy.stop();

    // THEN the source never saw it, and the capture records the request, then that it was not forwarded
    expect(arrived).toEqual([]);
    expect(received()).toMatch(/^HTTP\/1\.1 503[\s\S]*capture_unavailable/);
    const kinds = sink.records.flatMap((r) => decodeTrafficStream(r.value).subStream.map((o) => ('connectionException' in o ? `exception: ${o.connectionException.message}` : Object.keys(o).find((k) => k !== 'ts'))));
    expect(kinds).toEqual(['read', 'read', 'endOfMessageIndicator', 'exception: request not forwarded: its capture was not acknowledged (policy reject)', 'close']);
  });

  it('forwards reads without waiting for the sink', async () => {
    arrived.length = 0;
    const sink = new GatedSink();
    const { client, received } = await start(sink);

    client.write('GET /d HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().includes('answer to GET /d'), 'the answer to a GET');

    expect(arrived).toEqual(['GET /d']);
    expect(sink.records).toEqual([]);
  });

  it('resolves a destination given by name once for many connections, not once per connection', async () => {
    // GIVEN a proxy to the origin by name, with the system's resolver watched
    const lookups = jest.spyOn(dns, 'lookup');
    cleanups.push(async () => lookups.mockRestore());
    const sink = new GatedSink();
    sink.release();
    const { port, client, received } = await start(sink, { destination: `http://localhost:${originPort}` });

    // WHEN five connections, one after another, each send a GET
    client.write('GET /name-0 HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().includes('answer to GET /name-0'), 'the first answer');
    for (let i = 1; i < 5; i++) {
      const other = connect({ host: '127.0.0.1', port });
      cleanups.push(async () => void other.destroy());
      let answer = '';
      other.on('data', (d: Buffer) => (answer += d.toString()));
      other.write(`GET /name-${i} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      await soon(() => answer.includes(`answer to GET /name-${i}`), `answer ${i}`);
    }

    // THEN every one was answered, and the name was resolved once
    expect(lookups.mock.calls.filter(([hostname]) => hostname === 'localhost')).toHaveLength(1);
  });

  it('reaches a destination given as an IPv6 address', async () => {
    // GIVEN an origin on the IPv6 loopback, and a proxy to it by address
    const origin6 = createServer((req, res) => void req.resume().on('end', () => res.end(`v6 answer to ${req.url}`)));
    await new Promise<void>((r) => origin6.listen(0, '::1', r));
    cleanups.push(() => new Promise((r) => origin6.close(() => r())));
    const sink = new GatedSink();
    sink.release();
    const { client, received } = await start(sink, { destination: `http://[::1]:${(origin6.address() as { port: number }).port}` });

    // WHEN a client sends a GET; THEN the origin answers it
    client.write('GET /six HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().includes('v6 answer to /six'), 'the answer over IPv6');
  });

  it('stops reading a mutating body while the captured bytes waiting for the sink are over the budget', async () => {
    // GIVEN a budget of 256 KiB and a sink that stores nothing yet
    arrived.length = 0;
    const sink = new GatedSink();
    const { client, received } = await start(sink, { maxHeldCaptureBytes: 256 * 1024 });
    const body = Buffer.alloc(32 << 20, 'b');

    // WHEN a client sends a 32 MiB PUT
    client.write(`PUT /big HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`);
    client.write(body);
    await new Promise((r) => setTimeout(r, 500));

    // THEN most of the body is still with the client (the proxy took the budget and what socket buffers hold),
    // and once the sink stores, the whole request reaches the origin and is captured byte for byte
    expect(client.writableLength).toBeGreaterThan(16 << 20);
    sink.release();
    await soon(() => received().includes('answer to PUT /big'), 'the answer to the PUT');
    expect(arrived).toEqual(['PUT /big']);
    await soon(() => sink.records.length > 0 && client.writableLength === 0, 'the capture');
    client.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const captured = sink.records.reduce((sum, r) => sum + decodeTrafficStream(r.value).subStream.reduce((n, o) => n + ('read' in o ? o.read.data.length : 'readSegment' in o ? o.readSegment.data.length : 0), 0), 0);
    expect(captured).toBeGreaterThanOrEqual(body.length);
  }, 30_000);

  it('forwards a response whole but stops recording it when the captured bytes waiting for the sink are over the budget', async () => {
    // GIVEN a budget of 256 KiB and a sink that stores nothing yet
    arrived.length = 0;
    const sink = new GatedSink();
    const { client, received } = await start(sink, { maxHeldCaptureBytes: 256 * 1024 });

    // WHEN a client reads an 8 MiB answer
    client.write('GET /huge HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().endsWith('hhhh') && received().length - received().indexOf('\r\n\r\n') - 4 === HUGE_ANSWER.length, 'the whole 8 MiB answer');

    // THEN the client got every byte without the sink storing anything (reads never wait for it)
    expect(sink.records).toEqual([]);
    const text = received();
    expect(text.slice(text.indexOf('\r\n\r\n') + 4) === HUGE_ANSWER.toString()).toBe(true);

    // WHEN the sink stores again and the client asks once more on the same connection
    sink.release();
    await soon(() => sink.records.length > 0, 'the records stored');
    client.write('GET /after HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().includes('answer to GET /after'), 'the next answer');
    client.destroy();
    await soon(() => sink.records.some((r) => decodeTrafficStream(r.value).subStream.some((o) => 'close' in o)), 'the close record');

    // THEN the record says the response was dropped, holds no more of it than the budget, and records the
    // next exchange whole again
    const observations = sink.records.flatMap((r) => decodeTrafficStream(r.value).subStream);
    expect(observations.some((o) => 'connectionException' in o && /response capture dropped/.test(o.connectionException.message))).toBe(true);
    const huge = observations.reduce((n, o) => n + ('write' in o ? Buffer.from(o.write.data).toString().split('h').length - 1 : 0), 0);
    expect(huge).toBeLessThan(512 * 1024);
    const writes = observations.flatMap((o) => ('write' in o ? [Buffer.from(o.write.data).toString()] : []));
    expect(writes.some((w) => w.includes('answer to GET /after'))).toBe(true);
  }, 30_000);

  it('sends the capture of a long response in records of about 256 KiB, not 1 MiB ones', async () => {
    // GIVEN a sink that stores at once, and records allowed up to 1 MiB
    const sink = new GatedSink();
    sink.release();
    const { client, received } = await start(sink);

    // WHEN a client reads an 8 MiB answer and closes
    client.write('GET /huge HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().length - received().indexOf('\r\n\r\n') - 4 === HUGE_ANSWER.length, 'the whole 8 MiB answer');
    client.destroy();
    await soon(() => sink.records.some((r) => decodeTrafficStream(r.value).subStream.some((o) => 'close' in o)), 'the close record');

    // THEN every byte was recorded, in records cut soon after 256 KiB (a captured piece of at most 64 KiB beyond it;
    // reads are shorter whenever the proxy catches up with the origin, so the cuts fall where they may)
    const written = sink.records.reduce((n, r) => n + decodeTrafficStream(r.value).subStream.reduce((m, o) => m + ('write' in o ? o.write.data.length : 'writeSegment' in o ? o.writeSegment.data.length : 0), 0), 0);
    expect(written).toBe(received().length);
    expect(sink.records.length).toBeGreaterThanOrEqual(Math.floor(HUGE_ANSWER.length / (256 * 1024 + 64 * 1024)));
    expect(Math.max(...sink.records.map((r) => r.value.byteLength))).toBeLessThan(256 * 1024 + 128 * 1024);
  }, 30_000);

  it('sends the capture of a large request body in records of about 256 KiB, whatever the size of the reads', async () => {
    // GIVEN a sink that stores at once, and records allowed up to 1 MiB
    const sink = new GatedSink();
    sink.release();
    const { client, received } = await start(sink);

    // WHEN a client posts an 8 MiB body in one write (the proxy then reads up to 256 KiB at a time)
    const body = patterned(8 << 20);
    client.write(Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
    await soon(() => received().includes('answer to POST /upload'), 'the answer');
    client.destroy();
    await soon(() => sink.records.some((r) => decodeTrafficStream(r.value).subStream.some((o) => 'close' in o)), 'the close record');

    // THEN the body was recorded byte for byte, in records no larger than 256 KiB and a 64 KiB piece
    const observations = sink.records.flatMap((r) => decodeTrafficStream(r.value).subStream);
    const read = Buffer.concat(observations.flatMap((o) => ('read' in o ? [o.read.data] : 'readSegment' in o ? [o.readSegment.data] : [])));
    expect(read.subarray(read.length - body.length).equals(body)).toBe(true);
    expect(Math.max(...sink.records.map((r) => r.value.byteLength))).toBeLessThan(256 * 1024 + 128 * 1024);
  }, 30_000);

  it('sends the capture of a quiet connection between half an interval and one interval after its first observation', async () => {
    // GIVEN a sink that stores at once and a flush interval of one second
    const sink = new GatedSink();
    sink.release();
    const { client, received } = await start(sink, { flushIntervalMs: 1000 });

    // WHEN a client makes one GET and then stays quiet
    const asked = Date.now();
    client.write('GET /quiet HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => received().includes('answer to GET /quiet'), 'the answer');

    // THEN nothing is sent before half the interval, and the record is there about one interval later (a tick
    // of 125 ms, and slack for a busy machine's timers)
    await new Promise((r) => setTimeout(r, 400 - (Date.now() - asked)));
    expect(sink.records).toEqual([]);
    for (let i = 0; i < 200 && sink.records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sink.records).toHaveLength(1);
    expect(Date.now() - asked).toBeLessThan(2000);
    const observations = decodeTrafficStream(sink.records[0].value).subStream;
    expect(observations.some((o) => 'read' in o) && observations.some((o) => 'write' in o)).toBe(true);
  }, 10_000);

  it('stops reading the origin while the client is not reading, then forwards every byte in order', async () => {
    // GIVEN a proxy whose capture budget is small (the answer's capture is dropped, so only forwarding holds bytes)
    const sink = new GatedSink();
    const { client } = await start(sink, { maxHeldCaptureBytes: 256 * 1024 });
    const chunks: Buffer[] = [];
    client.removeAllListeners('data');
    client.on('data', (d: Buffer) => chunks.push(d));
    patternedWrittenAt = undefined;

    // WHEN the client asks for 48 MiB and stops reading after the first bytes
    client.write('GET /patterned HTTP/1.1\r\nhost: x\r\n\r\n');
    await soon(() => chunks.length > 0, 'the first bytes');
    client.pause();
    const paused = Date.now();
    await new Promise((r) => setTimeout(r, 1000));

    // THEN the origin is still writing: the proxy passed the back-pressure on rather than buffering the answer
    expect(patternedWrittenAt).toBeUndefined();

    // WHEN the client reads again
    client.resume();
    const length = () => chunks.reduce((n, c) => n + c.length, 0);
    const headEnd = () => Buffer.concat(chunks.slice(0, 4)).indexOf('\r\n\r\n') + 4;
    await soon(() => length() - headEnd() >= PATTERNED_ANSWER.length, 'the whole answer');

    // THEN every byte arrived in order, and the origin finished only after the client read again
    const body = Buffer.concat(chunks).subarray(headEnd());
    expect(body.length).toBe(PATTERNED_ANSWER.length);
    expect(body.equals(PATTERNED_ANSWER)).toBe(true);
    expect(patternedWrittenAt).toBeGreaterThan(paused + 1000);
  }, 30_000);
});
