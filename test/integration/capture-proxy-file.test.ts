/**
 * The capture proxy listening on TLS in front of a local HTTP origin, recording to the file sink: the file's
 * length-prefixed records rebuild each connection's bytes, suppressed requests are left out, malformed
 * requests are answered 400/431 and closed, a 100 MB streamed body reaches the origin intact, and an https
 * source is reached (or refused, when its certificate cannot be trusted) with every byte intact both ways.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pino from 'pino';
import { FileSink, readLengthPrefixed } from '../../src/capture-proxy/file-sink';
import { CaptureProxy, type ProxyOptions } from '../../src/capture-proxy/proxy-server';
import { decodeTrafficStream } from '../../src/capture-proxy/traffic-stream';
import { EmfEmitter } from '../../src/metrics/emf';
import { patterned } from '../support/patterned';
import { rawExchange, request } from '../support/raw-http';

const log = pino({ level: 'silent' });

/**
 * An origin that answers `GET /bytes/<n>` with n patterned bytes, and every other request with the byte
 * count and SHA-256 of its body; over https when given a certificate and key.
 */
function startOrigin(tls?: { cert: Buffer; key: Buffer }): Promise<{ server: Server; url: URL }> {
  const answer: RequestListener = (req, res) => {
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (d: Buffer) => {
      length += d.length;
      hash.update(d);
    });
    req.on('end', () => {
      const bytes = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
      const body = bytes ? patterned(Number(bytes[1])) : JSON.stringify({ method: req.method, url: req.url, length, sha256: hash.digest('hex') });
      res.writeHead(200, { 'content-type': bytes ? 'application/octet-stream' : 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  const server = tls ? createHttpsServer(tls, answer) : createServer(answer);
  const scheme = tls ? 'https' : 'http';
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: new URL(`${scheme}://127.0.0.1:${(server.address() as { port: number }).port}`) })));
}

function proxyOptions(destination: URL, overrides: Partial<ProxyOptions>): ProxyOptions {
  return {
    listenPort: 0,
    listenHost: '127.0.0.1',
    destination,
    insecureDestination: false,
    nodeId: 'file-node',
    maxRecordBytes: 64 * 1024,
    flushIntervalMs: 100,
    mutationPolicy: 'reject',
    captureTimeoutMs: 5_000,
    suppressHeaderMatches: [['x-no-capture', /^yes$/]],
    redactAuthorization: false,
    maxHeadBytes: 8 * 1024,
    metrics: new EmfEmitter({ stage: 'test', component: 'captureProxy' }, { write: () => undefined }),
    log,
    ...overrides,
  };
}

/**
 * Sends requests one at a time over TLS (self-signed certificate), each once the origin's answer to the one
 * before has arrived, and resolves with everything received until the close.
 */
function tlsExchange(port: number, requests: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(requests[sent++]));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      received.push(d);
      const answered = Buffer.concat(received).toString().split('"url":').length - 1;
      if (answered === sent && sent < requests.length) socket.write(requests[sent++]);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received)));
  });
}

describe('capture proxy with the file sink', () => {
  let directory: string;
  let origin: { server: Server; url: URL };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'capture-file-'));
    origin = await startOrigin();
  });

  afterAll(async () => {
    await new Promise((resolve) => origin.server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  /** A self-signed certificate for localhost, made once for the tests that need one. */
  let selfSigned: { cert: Buffer; key: Buffer } | undefined;
  function certificate(): { cert: Buffer; key: Buffer } {
    if (!selfSigned) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], { stdio: 'ignore', timeout: 30_000 });
      selfSigned = { cert: readFileSync(join(directory, 'cert.pem')), key: readFileSync(join(directory, 'key.pem')) };
    }
    return selfSigned;
  }

  it('listens on TLS and writes length-prefixed records that rebuild the connection, without suppressed requests', async () => {
    // GIVEN a TLS proxy with a self-signed certificate, recording to a file
    const tls = certificate();
    const traces = join(directory, 'traces');
    const proxy = new CaptureProxy(proxyOptions(origin.url, { tls, sink: new FileSink(traces, 'file-node') }));
    const port = await proxy.start();

    // WHEN one keep-alive connection sends a GET, a suppressed GET and a POST (held until written), then closes
    const captured = [request('GET', '/first'), request('POST', '/second', { 'content-type': 'application/json', connection: 'close' }, '{"x":1}')];
    const suppressed = request('GET', '/secret', { 'x-no-capture': 'yes' });
    const received = await tlsExchange(port, [captured[0], suppressed, captured[1]]);
    await proxy.stop();

    // THEN all three were answered, and the file holds only the captured requests, with an EOM each and a close
    const answers = received.toString().match(/"url":"[^"]+"/g);
    expect(answers).toEqual(['"url":"/first"', '"url":"/secret"', '"url":"/second"']);
    const streams = readLengthPrefixed(readFileSync(join(traces, 'capture-file-node.protocap'))).map(decodeTrafficStream);
    const observations = streams.flatMap((s) => s.subStream);
    const reads = Buffer.concat(observations.flatMap((o) => ('read' in o ? [o.read.data] : 'readSegment' in o ? [o.readSegment.data] : [])));
    expect(reads.equals(Buffer.concat(captured))).toBe(true);
    expect(observations.filter((o) => 'endOfMessageIndicator' in o)).toHaveLength(2);
    expect('close' in observations[observations.length - 1]).toBe(true);
    const writes = Buffer.concat(observations.flatMap((o) => ('write' in o ? [o.write.data] : 'writeSegment' in o ? [o.writeSegment.data] : []))).toString();
    expect(writes).toContain('"url":"/first"');
    expect(writes).not.toContain('/secret');
    expect(new Set(streams.map((s) => s.connectionId)).size).toBe(1);
  }, 60_000);

  it.each([
    ['a malformed request line', 400, Buffer.from('NOT HTTP\r\n\r\n')],
    ['a bad chunk size', 400, Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n')],
    ['headers over the limit', 431, Buffer.from(`GET / HTTP/1.1\r\nx-big: ${'a'.repeat(9000)}\r\n\r\n`)],
  ])('answers %s with %i and closes the connection', async (_, status, bytes) => {
    const proxy = new CaptureProxy(proxyOptions(origin.url, {}));
    const port = await proxy.start();
    const exchange = await rawExchange(port, [bytes], 0, 10_000);
    await proxy.stop();
    expect(exchange.received.toString()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} [\\s\\S]*"type":"bad_request"`));
  });

  it('streams a 100 MB chunked bulk to the origin unchanged', async () => {
    // GIVEN a pass-through proxy
    const proxy = new CaptureProxy(proxyOptions(origin.url, {}));
    const port = await proxy.start();

    // WHEN a client streams 100 chunks of 1 MB with backpressure
    const piece = Buffer.alloc(1 << 20, 'x');
    const expected = createHash('sha256');
    for (let i = 0; i < 100; i++) expected.update(piece);
    const response = await new Promise<string>((resolve, reject) => {
      const socket = netConnect({ host: '127.0.0.1', port });
      const received: Buffer[] = [];
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(received).toString()));
      socket.on('connect', async () => {
        socket.write('POST /_bulk HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
        for (let i = 0; i < 100; i++) {
          const ok = socket.write(Buffer.concat([Buffer.from('100000\r\n'), piece, Buffer.from('\r\n')]));
          if (!ok) await new Promise((r) => socket.once('drain', r));
        }
        socket.write('0\r\n\r\n');
      });
    });
    await proxy.stop();

    // THEN the origin received exactly those bytes
    expect(response).toContain(`"length":${100 << 20}`);
    expect(response).toContain(`"sha256":"${expected.digest('hex')}"`);
  }, 60_000);

  it('forwards to an https source every byte both ways, and refuses one whose certificate it cannot trust', async () => {
    // GIVEN an https source with a self-signed certificate, and a proxy allowed to use insecure sources
    const secureOrigin = await startOrigin(certificate());
    const allowing = new CaptureProxy(proxyOptions(secureOrigin.url, { insecureDestination: true }));
    const port = await allowing.start();

    // WHEN a client sends a 3 MiB body and then asks for 8 MiB
    const body = patterned(3 << 20);
    const posted = await rawExchange(port, [request('POST', '/_bulk', { 'content-type': 'application/x-ndjson', connection: 'close' }, body)]);
    const fetched = await rawExchange(port, [request('GET', `/bytes/${8 << 20}`, { connection: 'close' })]);
    await allowing.stop();

    // THEN the source got the exact body, and the client the exact answer
    expect(posted.received.toString()).toContain(`"sha256":"${createHash('sha256').update(body).digest('hex')}"`);
    const answer = fetched.received.subarray(fetched.received.indexOf('\r\n\r\n') + 4);
    expect(answer.length).toBe(8 << 20);
    expect(answer.equals(patterned(8 << 20))).toBe(true);

    // WHEN a proxy that trusts only known CAs is asked for the same source
    const strict = new CaptureProxy(proxyOptions(secureOrigin.url, {}));
    const strictPort = await strict.start();
    const refused = await rawExchange(strictPort, [request('GET', '/bytes/10', { connection: 'close' })]);
    await strict.stop();
    await new Promise((resolve) => secureOrigin.server.close(resolve));

    // THEN it answers 502 and says the certificate is the reason
    expect(refused.received.toString()).toMatch(/^HTTP\/1\.1 502 [\s\S]*"type":"source_unreachable"[\s\S]*self-signed certificate/);
  }, 60_000);
});
