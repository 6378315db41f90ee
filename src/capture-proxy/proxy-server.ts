/**
 * The capture proxy: one upstream connection per client connection, so ordering and pipelining are kept;
 * bytes pass through unchanged and streamed (never a whole body in memory), and are recorded as they pass.
 * A mutating request (POST, PUT, DELETE, PATCH) is held at its last byte until its capture is durable;
 * other requests never wait for capture. `GET /__health` is answered here, never forwarded or captured.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import type { EmfEmitter } from '../metrics/emf';
import { CAPTURE_METRICS } from '../metrics/names';
import type { CaptureSink } from './capture-sink';
import { CaptureQueue, QueuedConnection } from './capture-queue';
import { ConnectionCapture, type CaptureRecord } from './connection-capture';
import { headerValue, MalformedRequestError, RequestParser, type RequestHead } from './request-parser';

export type MutationCapturePolicy = 'forward' | 'reject';

export interface ProxyOptions {
  listenPort: number;
  listenHost?: string;
  destination: URL;
  insecureDestination: boolean;
  tls?: { cert: Buffer; key: Buffer };
  /** No sink: a plain pass-through proxy. */
  sink?: CaptureSink;
  nodeId: string;
  maxRecordBytes: number;
  flushIntervalMs: number;
  mutationPolicy: MutationCapturePolicy;
  captureTimeoutMs: number;
  suppressHeaderMatches: [string, RegExp][];
  redactAuthorization: boolean;
  maxHeadBytes: number;
  metrics: EmfEmitter;
  log: Logger;
}

export interface ProxyStats {
  connections: number;
  requests: number;
  recordsSent: number;
  capturesLost: number;
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** Sends to the sink at the same time, and bytes of records one of them takes before the next one starts. */
const SENDS_IN_FLIGHT = 4;
const SEND_BYTES = 1 << 20;

export class CaptureProxy {
  readonly #options: ProxyOptions;
  readonly #live = new Map<ConnectionCapture, QueuedConnection>();
  readonly #queue?: CaptureQueue;
  readonly #sockets = new Set<Socket>();
  #server?: Server;
  #timer?: NodeJS.Timeout;
  #counter = 0;
  readonly stats: ProxyStats = { connections: 0, requests: 0, recordsSent: 0, capturesLost: 0 };

  constructor(options: ProxyOptions) {
    this.#options = options;
    const sink = options.sink;
    if (sink) {
      this.#queue = new CaptureQueue({
        sink,
        maxInFlight: SENDS_IN_FLIGHT,
        maxSendBytes: SEND_BYTES,
        onSent: (records) => {
          this.stats.recordsSent += records;
          options.metrics.count(CAPTURE_METRICS.records, records);
        },
        onLost: (records, error) => {
          this.stats.capturesLost += records;
          options.metrics.count(CAPTURE_METRICS.lostCaptures, records);
          options.metrics.count(CAPTURE_METRICS.kafkaErrors, 1);
          options.log.warn({ records, err: error.message }, 'capture records lost');
        },
      });
    }
  }

  async start(): Promise<number> {
    const handler = (socket: Socket) => this.#handle(socket);
    this.#server = this.#options.tls ? createTlsServer({ cert: this.#options.tls.cert, key: this.#options.tls.key }, handler) : createNetServer(handler);
    this.#timer = setInterval(() => this.#flushAll(), this.#options.flushIntervalMs);
    this.#timer.unref();
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(this.#options.listenPort, this.#options.listenHost, () => resolve());
    });
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : this.#options.listenPort;
  }

  /** Stops accepting, closes open connections (their captures end with a close), waits for the sink. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const closed = new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    // Connections finish on their close events; let those run, then end any capture still open, and wait
    // for every connection's records to reach the sink before closing it, so each stream ends with its close.
    await new Promise((resolve) => setImmediate(resolve));
    for (const capture of [...this.#live.keys()]) this.#closeCapture(capture);
    await Promise.all(this.#closing);
    await this.#options.sink?.close();
  }

  #flushAll(): void {
    for (const [capture, queued] of this.#live) {
      if (capture.hasPending) this.#queue!.add(queued, capture.flush());
    }
    this.#options.metrics.flush();
  }

  readonly #closing = new Set<Promise<void>>();

  /** Queues a connection's close record once; `stop` waits for these before closing the sink. */
  #closeCapture(capture: ConnectionCapture): void {
    const queued = this.#live.get(capture);
    if (!queued || !this.#live.delete(capture)) return;
    this.#queue!.add(queued, capture.close());
    const sent = this.#queue!.durable(queued).catch(() => undefined);
    this.#closing.add(sent);
    void sent.then(() => this.#closing.delete(sent));
  }

  #handle(client: Socket): void {
    const o = this.#options;
    this.stats.connections++;
    this.#sockets.add(client);
    const capture = o.sink ? new ConnectionCapture(`${o.nodeId}.${++this.#counter}.${randomUUID().slice(0, 8)}`, o.nodeId, o.maxRecordBytes) : undefined;
    const queued = capture ? new QueuedConnection() : undefined;
    if (capture) this.#live.set(capture, queued!);
    const parser = new RequestParser(o.maxHeadBytes);
    let upstream: Socket | undefined;
    let forwardedAnything = false;
    let current: { head: RequestHead; suppressed: boolean; mutating: boolean; health: boolean } | undefined;
    let capturingResponses = true;
    let queue = Promise.resolve();
    let finished = false;

    const send = (records: readonly CaptureRecord[]) => {
      if (queued) this.#queue!.add(queued, records);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#sockets.delete(client);
      upstream?.destroy();
      client.destroy();
      if (capture) this.#closeCapture(capture);
    };
    const respond = (status: number, body: object, close: boolean) => {
      const text = JSON.stringify(body);
      const reason = { 200: 'OK', 400: 'Bad Request', 431: 'Request Header Fields Too Large', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status] ?? 'Error';
      client.write(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${text}`);
      if (close) client.end();
    };

    const openUpstream = (): Socket => {
      const destination = o.destination;
      const port = Number(destination.port || (destination.protocol === 'https:' ? 443 : 80));
      const socket = destination.protocol === 'https:' ? tlsConnect({ host: destination.hostname, port, servername: destination.hostname, rejectUnauthorized: !o.insecureDestination }) : netConnect({ host: destination.hostname, port });
      let answered = false;
      socket.on('data', (data: Buffer) => {
        answered = true;
        if (capture && capturingResponses) send(capture.write(data));
        o.metrics.count(CAPTURE_METRICS.bytes, data.length, 'Bytes');
        if (!client.write(data)) {
          socket.pause();
          client.once('drain', () => socket.resume());
        }
      });
      socket.on('end', () => client.end());
      socket.on('error', (error) => {
        if (capture) send(capture.exception(`upstream: ${error.message}`));
        if (!answered) respond(502, { error: { type: 'source_unreachable', reason: `the source ${destination.host} is unreachable: ${error.message}` }, status: 502 }, true);
        else client.destroy();
      });
      socket.on('close', () => {
        if (!client.destroyed && !client.writableEnded) client.end();
      });
      return socket;
    };

    const forward = async (parts: Uint8Array[]) => {
      if (parts.length === 0) return;
      upstream ??= openUpstream();
      forwardedAnything = true;
      for (const part of parts) {
        if (!upstream.write(part)) await new Promise<void>((resolve) => upstream!.once('drain', resolve));
      }
    };

    const handleChunk = async (chunk: Buffer) => {
      o.metrics.count(CAPTURE_METRICS.bytes, chunk.length, 'Bytes');
      let events;
      try {
        events = parser.push(chunk);
      } catch (error) {
        const status = error instanceof MalformedRequestError ? error.status : 400;
        if (capture) send(capture.exception(`malformed request: ${(error as Error).message}`));
        respond(status, { error: { type: 'bad_request', reason: (error as Error).message }, status }, true);
        return;
      }
      let parts: Uint8Array[] = [];
      for (const event of events) {
        if (event.kind === 'head') {
          const head = event.head;
          const health = head.path === '/__health' && (head.method === 'GET' || head.method === 'HEAD');
          const suppressed = health || o.suppressHeaderMatches.some(([name, pattern]) => head.headers.some(([n, v]) => n.toLowerCase() === name && pattern.test(v)));
          current = { head, suppressed, mutating: MUTATING.has(head.method), health };
          if (health) {
            if (forwardedAnything || parts.length > 0) {
              respond(400, { error: { type: 'bad_request', reason: 'health checks must use a connection of their own' }, status: 400 }, true);
              return;
            }
            continue;
          }
          capturingResponses = !suppressed;
          if (capture && !suppressed) send(capture.read(o.redactAuthorization ? redactAuthorization(event.bytes) : event.bytes));
          parts.push(event.bytes);
        } else if (event.kind === 'body') {
          if (current?.health) continue;
          if (capture && !current?.suppressed) send(capture.read(event.bytes));
          parts.push(event.bytes);
        } else {
          const request = current;
          current = undefined;
          if (!request) continue;
          if (request.health) {
            const close = request.head.version === '1.0' || (headerValue(request.head, 'connection') ?? '').toLowerCase() === 'close';
            respond(200, { status: 'ok', capture: o.sink ? o.sink.description : 'off', connections: this.#sockets.size, capturesLost: this.stats.capturesLost }, close);
            continue;
          }
          this.stats.requests++;
          o.metrics.count(CAPTURE_METRICS.requests, 1);
          if (!capture || request.suppressed) continue;
          const records = capture.endOfMessage(request.head.firstLineLength, request.head.headersLength);
          send(records);
          if (!request.mutating) continue;
          // Hold the bytes that complete this request until its capture (and all before it) is durable.
          const held = Date.now();
          send(capture.flush());
          const durable = this.#queue!.durable(queued!);
          const acknowledged = await withTimeout(durable, o.captureTimeoutMs).then(
            () => true,
            () => false,
          );
          o.metrics.observe(CAPTURE_METRICS.addedLatency, Date.now() - held);
          if (!acknowledged) {
            o.log.warn({ connection: capture.connectionId, method: request.head.method, path: request.head.path }, 'capture of a mutating request was not acknowledged');
            if (o.mutationPolicy === 'reject') {
              respond(503, { error: { type: 'capture_unavailable', reason: 'the request was not forwarded because its capture could not be stored' }, status: 503 }, true);
              return;
            }
          }
          await forward(parts);
          parts = [];
        }
      }
      await forward(parts);
    };

    client.on('data', (chunk: Buffer) => {
      client.pause();
      queue = queue
        .then(() => handleChunk(chunk))
        .catch((error: Error) => {
          o.log.warn({ err: error.message }, 'connection failed');
          finish();
        })
        .finally(() => {
          if (!finished && !client.destroyed) client.resume();
        });
    });
    client.on('end', () => {
      void queue.then(() => upstream?.end());
      if (!upstream) client.end();
    });
    client.on('error', () => finish());
    client.on('close', () => void queue.then(finish));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

/** The head with the Authorization value replaced by asterisks of the same length (lengths stay true). */
export function redactAuthorization(head: Uint8Array): Uint8Array {
  const text = Buffer.from(head).toString('latin1');
  const redacted = text.replace(/^(authorization:[ \t]*)(.*)$/gim, (_, prefix: string, value: string) => prefix + '*'.repeat(value.replace(/\r$/, '').length) + (value.endsWith('\r') ? '\r' : ''));
  return redacted === text ? head : Buffer.from(redacted, 'latin1');
}
