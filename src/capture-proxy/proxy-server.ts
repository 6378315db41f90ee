/**
 * The capture proxy: one upstream connection per client connection, so ordering and pipelining are kept;
 * bytes pass through unchanged and streamed (never a whole body in memory), and are recorded as they pass.
 * A mutating request (POST, PUT, DELETE, PATCH) is held at its last byte until its capture is durable;
 * other requests never wait for capture. `GET /__health` is answered here, never forwarded or captured.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { EmfEmitter } from '../metrics/emf';
import { CAPTURE_METRICS } from '../metrics/names';
import { CachedLookup } from './cached-lookup';
import type { CaptureSink } from './capture-sink';
import { CaptureQueue, QueuedConnection } from './capture-queue';
import { ConnectionCapture } from './connection-capture';
import { type ConnectionHost, ProxyConnection, upstreamOf } from './proxy-connection';
import type { WorkerCounters } from './worker-pool';

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
  /**
   * Captured bytes not yet stored above which mutating requests stop reading their bodies until Kafka catches up.
   * @default 64 MiB, or 8 records of `maxRecordBytes` if that is more
   */
  maxHeldCaptureBytes?: number;
  metrics: EmfEmitter;
  log: Logger;
  /** With `--workers`: how many there are, and the others' counters, added to this one's in the health answer. */
  fleet?: { workers: number; peers(): readonly WorkerCounters[] };
}

export interface ProxyStats {
  connections: number;
  requests: number;
  recordsSent: number;
  capturesLost: number;
}

/**
 * Sends to the sink at the same time, and bytes of records one of them takes before the next one starts.
 * A send is acknowledged only once all of it is stored, so sends are kept small enough that a connection
 * waiting on a small mutating request is not queued behind a megabyte of other connections' records:
 * 256 KiB is still one Kafka request for hundreds of connections' small records.
 */
const SENDS_IN_FLIGHT = 4;
const SEND_BYTES = 256 << 10;
/**
 * How long records no request waits for (everything but a held mutating request's) wait for others to share
 * their send, as Kafka producers' linger.ms (whose default is also 5 ms). Without it, clients that open a
 * connection per request had each close record sent nearly on its own: 50 such clients, 1,700 to 2,100
 * Kafka requests a second of about two records each, and the proxy spent twice the CPU per connection of
 * one that does not capture.
 */
const LINGER_MS = 5;
/** Enough captured bytes in waiting for several records of the largest size, few enough to bound the memory. */
const HELD_BYTES = 64 << 20;
/**
 * How often per flush interval the connections' captures are checked for age (every 31 ms at the default
 * 1 s). Each check flushes the connections whose record is due and encodes their send in the same turn of
 * the event loop, and requests that arrive meanwhile wait: the more often the checks, the shorter each one.
 * Measured with 200 connections of small GETs, about 5,000 a second, 10 s runs, alternated in both orders:
 * - at random intervals, p99 4.8 to 10.0 ms (median 6.6) with 8 checks, 3.3 to 7.6 ms (median 5.2) with
 *   32, lower in 9 of 10 pairs;
 * - in bursts of 200 every 40 ms, p99 6.4 to 15.7 ms with 8 checks, 7.8 to 9.3 ms with 32, lower in 4 of 6.
 * More checks mean more, smaller Kafka requests (up to 32 a second instead of 8): a median 3 to 8 % more
 * proxy CPU at that load, but no less throughput when 200 connections saturate the machine (28,300 to
 * 30,500 requests/s either way, three pairs). 64 checks cost another 3 to 15 % for little more.
 */
const FLUSH_CHECKS_PER_INTERVAL = 32;
/** How long the source's addresses are kept for new upstream connections (see `CachedLookup`). */
const UPSTREAM_LOOKUP_TTL_MS = 5_000;

export class CaptureProxy {
  readonly #options: ProxyOptions;
  readonly #queue?: CaptureQueue;
  readonly #connections = new Set<ProxyConnection>();
  readonly #host: ConnectionHost;
  #server?: Server;
  #timer?: NodeJS.Timeout;
  #metricsTimer?: NodeJS.Timeout;
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
        lingerMs: LINGER_MS,
        maxHeldBytes: options.maxHeldCaptureBytes ?? Math.max(HELD_BYTES, 8 * options.maxRecordBytes),
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
    this.#host = {
      options,
      queue: this.#queue,
      upstream: upstreamOf(options.destination, new CachedLookup(UPSTREAM_LOOKUP_TTL_MS)),
      requestForwarded: () => {
        this.stats.requests++;
        options.metrics.count(CAPTURE_METRICS.requests, 1);
      },
      health: () => {
        const peers = options.fleet?.peers() ?? [];
        const sum = (key: keyof WorkerCounters) => peers.reduce((total, peer) => total + peer[key], this.counters[key]);
        const fleet = options.fleet ? { workers: options.fleet.workers } : {};
        return { status: 'ok', capture: options.sink ? options.sink.description : 'off', connections: sum('connections'), capturesLost: sum('capturesLost'), ...fleet };
      },
      finished: (connection) => {
        this.#connections.delete(connection);
        this.#closeCapture(connection);
      },
    };
  }

  /** Open connections and lost captures, as a worker reports them to the others. */
  get counters(): WorkerCounters {
    return { connections: this.#connections.size, capturesLost: this.stats.capturesLost };
  }

  async start(): Promise<number> {
    const handler = (socket: Socket) => this.#handle(socket);
    this.#server = this.#options.tls ? createTlsServer({ cert: this.#options.tls.cert, key: this.#options.tls.key }, handler) : createNetServer(handler);
    // Captures are flushed by age, checked FLUSH_CHECKS_PER_INTERVAL times per interval: each connection's record
    // goes out half an interval to one interval after its first observation (see `flushCapture`), so the records
    // of many connections spread over time rather than all being encoded in one tick.
    const interval = this.#options.flushIntervalMs;
    this.#timer = setInterval(() => this.#flushByAge(Date.now(), interval), Math.max(5, Math.floor(interval / FLUSH_CHECKS_PER_INTERVAL)));
    this.#timer.unref();
    this.#metricsTimer = setInterval(() => this.#options.metrics.flush(), interval);
    this.#metricsTimer.unref();
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
    clearInterval(this.#metricsTimer);
    const closed = new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    for (const connection of this.#connections) connection.client.destroy();
    await closed;
    // Connections finish on their close events; let those run, then end any capture still open, and wait
    // for every connection's records to reach the sink before closing it, so each stream ends with its close.
    await new Promise((resolve) => setImmediate(resolve));
    for (const connection of this.#connections) this.#closeCapture(connection);
    await Promise.all(this.#closing);
    await this.#options.sink?.close();
  }

  #flushByAge(now: number, intervalMs: number): void {
    for (const connection of this.#connections) connection.flushCapture(now, intervalMs);
  }

  readonly #closing = new Set<Promise<void>>();

  /** Queues a connection's close record once; `stop` waits for these before closing the sink. */
  #closeCapture(connection: ProxyConnection): void {
    const sent = connection.closeCapture();
    if (!sent) return;
    this.#closing.add(sent);
    void sent.then(() => this.#closing.delete(sent));
  }

  #handle(client: Socket): void {
    const o = this.#options;
    this.stats.connections++;
    const capture = o.sink ? new ConnectionCapture(`${o.nodeId}.${++this.#counter}.${randomUUID().slice(0, 8)}`, o.nodeId, o.maxRecordBytes) : undefined;
    this.#connections.add(new ProxyConnection(client, this.#host, capture, capture ? new QueuedConnection() : undefined));
  }
}
