/**
 * One client connection of the capture proxy and its upstream connection to the source: frames the client's
 * requests, forwards their bytes unchanged, records both directions, and holds the last bytes of a mutating
 * request until its capture is durable. Bytes are handled synchronously as they arrive; only a hold (or
 * upstream backpressure) pauses the client, and chunks that arrive meanwhile wait their turn, so requests
 * stay in order and nothing allocates a promise per chunk.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { CAPTURE_METRICS } from '../metrics/names';
import type { CachedLookup } from './cached-lookup';
import type { CaptureQueue, QueuedConnection } from './capture-queue';
import type { CaptureRecord, ConnectionCapture } from './connection-capture';
import type { ProxyOptions } from './proxy-server';
import { headerValue, MalformedRequestError, type ParseEvent, type RequestHead, RequestParser } from './request-parser';
import { readAcceptedIntoShared, sharedReads } from './shared-reads';

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** Size at which a connection's unfinished capture record is sent without waiting to fill up (see `#send`). */
const EARLY_FLUSH_BYTES = 256 * 1024;
/**
 * Reads can be up to 256 KiB (see shared-reads.ts); the capture takes them in pieces of at most this size, so
 * records are still cut soon after `EARLY_FLUSH_BYTES` instead of growing to the largest record size.
 */
const CAPTURE_PIECE_BYTES = 64 * 1024;
/** The `CAPTURE_PIECE_BYTES` of `data` from `at` (`data` itself when it is no longer). */
const piece = (data: Uint8Array, at: number): Uint8Array => (data.length <= CAPTURE_PIECE_BYTES ? data : data.subarray(at, at + CAPTURE_PIECE_BYTES));
const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 431: 'Request Header Fields Too Large', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** Where upstream connections go: worked out once from the destination, not for every connection. */
export interface Upstream {
  /** The host as sockets take it: an IPv6 address without the brackets of its URL. */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The name TLS gives the server: a host name only, never an address (RFC 6066). */
  readonly servername?: string;
  /** Resolves `host` for new connections. */
  readonly lookup: CachedLookup;
}

export function upstreamOf(destination: URL, lookup: CachedLookup): Upstream {
  const host = destination.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = destination.protocol === 'https:';
  return { host, port: Number(destination.port || (tls ? 443 : 80)), tls, servername: isIP(host) ? undefined : host, lookup };
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly options: ProxyOptions;
  readonly queue?: CaptureQueue;
  readonly upstream: Upstream;
  /** Counts a forwarded request. */
  requestForwarded(): void;
  /** The small JSON status `GET /__health` answers with. */
  health(): object;
  /** The connection is over: forget it and queue its capture's close record. */
  finished(connection: ProxyConnection): void;
}

interface CurrentRequest {
  head: RequestHead;
  suppressed: boolean;
  mutating: boolean;
  health: boolean;
}

export class ProxyConnection {
  readonly client: Socket;
  readonly capture?: ConnectionCapture;
  readonly queued?: QueuedConnection;
  readonly #host: ConnectionHost;
  readonly #parser: RequestParser;
  #upstream?: Socket;
  #answered = false;
  #forwardedAnything = false;
  #current?: CurrentRequest;
  #capturingResponses = true;
  /** Set while a mutating request waits for its capture, or the upstream for a drain; the client is paused. */
  #waiting = false;
  /** Chunks that arrived while waiting (the client was paused, but a read may already have been under way). */
  #backlog: Buffer[] = [];
  /** We answered with `connection: close`; whatever else the client sends is ignored. */
  #refusing = false;
  #clientEnded = false;
  #clientClosed = false;
  #finished = false;
  /** Bytes of the capture's unfinished record last reported to the queue's budget. */
  #partialReported = 0;
  /** How much earlier than the flush interval this connection's timer flushes happen: a share from 0 to 1/2. */
  readonly #flushEarliness = Math.random() / 2;

  constructor(client: Socket, host: ConnectionHost, capture?: ConnectionCapture, queued?: QueuedConnection) {
    this.client = client;
    this.#host = host;
    this.capture = capture;
    this.queued = queued;
    this.#parser = new RequestParser(host.options.maxHeadBytes);
    client.setNoDelay(true);
    if (!readAcceptedIntoShared(client, this.#onClientData)) client.on('data', this.#onClientData);
    client.on('end', this.#onClientEnd);
    client.on('error', this.#finish);
    client.on('close', this.#onClientClose);
  }

  /** Records request bytes read from the client, in pieces of at most `CAPTURE_PIECE_BYTES`. */
  #captureRead(capture: ConnectionCapture, data: Uint8Array): void {
    for (let at = 0; at < data.length; at += CAPTURE_PIECE_BYTES) this.#send(capture.read(piece(data, at)));
  }

  /** Records response bytes written to the client, in pieces, until the capture budget is full (see `#dropResponseCapture`). */
  #captureWrite(capture: ConnectionCapture, data: Uint8Array): void {
    for (let at = 0; at < data.length && this.#capturingResponses; at += CAPTURE_PIECE_BYTES) {
      if (this.#host.queue!.full) this.#dropResponseCapture();
      else this.#send(capture.write(piece(data, at)));
    }
  }

  /**
   * Queues the records a capture call completed, and reports the unfinished record's size to the budget. An
   * unfinished record that has reached `EARLY_FLUSH_BYTES` goes out at once rather than growing to the
   * largest record size: the body's first records are then stored while the rest of it arrives, so the
   * request waits only for its last ones, and a record is encoded in one go on the event loop, stalling every
   * connection for as long as it takes (with kafkajs's own encoder, a 1 MiB record cost a quarter of the GET
   * throughput of one connection, and twice its p99). Records stay whole messages up to the largest size;
   * only when they are cut changes.
   */
  #send(records: readonly CaptureRecord[]): void {
    const queue = this.#host.queue!;
    // Records first: bytes moving from the unfinished record into the queue never look like room freed.
    if (records.length > 0) queue.add(this.queued!, records);
    if (this.capture!.pendingBytes >= EARLY_FLUSH_BYTES) queue.add(this.queued!, this.capture!.flush());
    const partial = this.capture!.pendingBytes;
    if (partial !== this.#partialReported) {
      queue.partial(partial - this.#partialReported);
      this.#partialReported = partial;
    }
  }

  /**
   * The timer's flush: sends what the capture holds as a record once its oldest observation is `now` less
   * `intervalMs` old, or (by this connection's own random share) up to half an interval younger. Clients
   * that opened their connections together (a pool, a load generator) would otherwise have all their
   * records encoded in the same tick, stalling every connection for tens of milliseconds once per interval.
   */
  flushCapture(now: number, intervalMs: number): void {
    const since = this.capture?.pendingSinceMs;
    if (since !== undefined && now - since >= intervalMs * (1 - this.#flushEarliness)) this.#send(this.capture!.flush());
  }

  /** Queues the capture's close record, once; resolves when it is stored (never rejects). */
  closeCapture(): Promise<void> | undefined {
    if (!this.capture || this.capture.closed) return undefined;
    this.#send(this.capture.close());
    return this.#host.queue!.stored(this.queued!).catch(() => undefined);
  }

  readonly #onClientData = (chunk: Buffer): void => {
    if (this.#waiting) {
      this.#backlog.push(chunk);
      return;
    }
    const wait = this.#process(chunk);
    if (wait) this.#wait(wait);
  };

  /** Pauses the client until `work` is done, then handles the chunks that queued up meanwhile. */
  #wait(work: Promise<void>): void {
    this.#waiting = true;
    this.client.pause();
    work.then(this.#resume, (error: Error) => {
      this.#host.options.log.warn({ err: error.message }, 'connection failed');
      this.#finish();
    });
  }

  readonly #resume = (): void => {
    this.#waiting = false;
    while (this.#backlog.length > 0 && !this.#finished) {
      const wait = this.#process(this.#backlog.shift()!);
      if (wait) {
        this.#wait(wait);
        return;
      }
    }
    if (this.#finished) return;
    this.#idle();
    if (!this.client.destroyed) this.client.resume();
  };

  /** Whatever had to wait for the chunks before it: ending the upstream, finishing the connection. */
  #idle(): void {
    if (this.#clientEnded) {
      this.#clientEnded = false;
      if (this.#upstream) this.#upstream.end();
    }
    if (this.#clientClosed) this.#finish();
  }

  readonly #onClientEnd = (): void => {
    if (!this.#upstream) this.client.end();
    this.#clientEnded = true;
    if (!this.#waiting) this.#idle();
  };

  readonly #onClientClose = (): void => {
    this.#clientClosed = true;
    if (!this.#waiting) this.#idle();
  };

  readonly #finish = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#upstream?.destroy();
    this.client.destroy();
    this.#host.finished(this);
  };

  /** Frames, captures and forwards one chunk; returns a promise when the client must wait for it. */
  #process(chunk: Buffer): Promise<void> | undefined {
    if (this.#refusing || this.#finished) return undefined;
    const o = this.#host.options;
    o.metrics.count(CAPTURE_METRICS.bytes, chunk.length, 'Bytes');
    let events: ParseEvent[];
    try {
      events = this.#parser.push(chunk);
    } catch (error) {
      const status = error instanceof MalformedRequestError ? error.status : 400;
      if (this.capture) this.#send(this.capture.exception(`malformed request: ${(error as Error).message}`));
      this.#respond(status, { error: { type: 'bad_request', reason: (error as Error).message }, status }, true);
      return undefined;
    }
    return this.#run(events, 0);
  }

  /** Handles `events` from index `from` on; forwards what they cover, or returns what it waits for first. */
  #run(events: ParseEvent[], from: number): Promise<void> | undefined {
    const o = this.#host.options;
    const capture = this.capture;
    const parts: Uint8Array[] = [];
    for (let i = from; i < events.length; i++) {
      const event = events[i];
      if (event.kind === 'head') {
        const head = event.head;
        const health = head.path === '/__health' && (head.method === 'GET' || head.method === 'HEAD');
        const suppressed = health || (o.suppressHeaderMatches.length > 0 && o.suppressHeaderMatches.some(([name, pattern]) => head.headers.some(([n, v]) => n.toLowerCase() === name && pattern.test(v))));
        this.#current = { head, suppressed, mutating: MUTATING.has(head.method), health };
        if (health) {
          if (this.#forwardedAnything || parts.length > 0) {
            this.#respond(400, { error: { type: 'bad_request', reason: 'health checks must use a connection of their own' }, status: 400 }, true);
            return undefined;
          }
          continue;
        }
        this.#capturingResponses = !suppressed;
        if (capture && !suppressed) this.#send(capture.read(o.redactAuthorization ? redactAuthorization(event.bytes) : event.bytes));
        parts.push(event.bytes);
      } else if (event.kind === 'body') {
        if (this.#current?.health) continue;
        if (capture && !this.#current?.suppressed) this.#captureRead(capture, event.bytes);
        parts.push(event.bytes);
      } else {
        const request = this.#current;
        this.#current = undefined;
        if (!request) continue;
        if (request.health) {
          const close = request.head.version === '1.0' || (headerValue(request.head, 'connection') ?? '').toLowerCase() === 'close';
          this.#respond(200, this.#host.health(), close);
          continue;
        }
        this.#host.requestForwarded();
        if (!capture || request.suppressed) continue;
        this.#send(capture.endOfMessage(request.head.firstLineLength, request.head.headersLength));
        if (request.mutating) return this.#holdThenForward(request, parts, events, i + 1);
      }
    }
    const forwarded = this.#forward(parts);
    const room = this.#roomForBody();
    return forwarded && room ? Promise.all([forwarded, room]).then(() => undefined) : (forwarded ?? room);
  }

  /**
   * In the body of a captured mutating request, with more captured bytes held than the budget allows: sends
   * what this connection holds and reads no more of the body until the queue has room. The request waits
   * for its capture anyway, so this only moves the waiting from the proxy's memory to the client's socket.
   */
  #roomForBody(): Promise<void> | undefined {
    const current = this.#current;
    if (!current || !current.mutating || current.suppressed || !this.capture || !this.#host.queue!.full) return undefined;
    this.#send(this.capture.flush());
    return this.#host.queue!.room();
  }

  /**
   * Holds the bytes that complete a mutating request until its capture (and all before it) is durable. While
   * the sink is known to be failing (its last send failed), waiting would only add the timeout to every
   * mutating request: the policy applies at once. The capture is still sent, and counted as lost if that
   * send fails too; the first send that succeeds ends the failing state.
   */
  async #holdThenForward(request: CurrentRequest, parts: Uint8Array[], events: ParseEvent[], next: number): Promise<void> {
    const o = this.#host.options;
    const queue = this.#host.queue!;
    const held = Date.now();
    this.#send(this.capture!.flush());
    const failing = queue.failing;
    const acknowledged =
      !failing &&
      (await withTimeout(queue.durable(this.queued!), o.captureTimeoutMs).then(
        () => true,
        () => false,
      ));
    o.metrics.observe(CAPTURE_METRICS.addedLatency, Date.now() - held);
    if (!acknowledged) {
      // One line per request while waiting ended badly; while the sink is known to be failing, its failed sends say it.
      if (!failing) o.log.warn({ connection: this.capture!.connectionId, method: request.head.method, path: request.head.path }, 'capture of a mutating request was not acknowledged');
      o.metrics.count(CAPTURE_METRICS.unacknowledgedMutations, 1);
      if (o.mutationPolicy === 'reject') {
        // Its capture may still reach Kafka: the record says the source never saw it.
        this.#send(this.capture!.exception('request not forwarded: its capture was not acknowledged (policy reject)'));
        this.#respond(503, { error: { type: 'capture_unavailable', reason: 'the request was not forwarded because its capture could not be stored' }, status: 503 }, true);
        return;
      }
    }
    if (this.#finished) return;
    await this.#forward(parts);
    await this.#run(events, next);
  }

  /** Writes the parts upstream (one system call for several); returns a promise when the upstream is full. */
  #forward(parts: Uint8Array[]): Promise<void> | undefined {
    if (parts.length === 0) return undefined;
    const upstream = (this.#upstream ??= this.#openUpstream());
    this.#forwardedAnything = true;
    let flowing = true;
    if (parts.length === 1) flowing = upstream.write(parts[0]);
    else {
      upstream.cork();
      for (const part of parts) flowing = upstream.write(part);
      upstream.uncork();
    }
    return flowing ? undefined : drained(upstream);
  }

  #openUpstream(): Socket {
    const { host, port, tls, servername, lookup } = this.#host.upstream;
    const onread = sharedReads(this.#onUpstreamData);
    // Node documents `onread` for tls.connect as for net.connect; the type definitions leave it out.
    const socket = tls
      ? tlsConnect({ host, port, lookup: lookup.lookup, servername, rejectUnauthorized: !this.#host.options.insecureDestination, onread } as ConnectionOptions)
      : netConnect({ host, port, lookup: lookup.lookup, onread });
    socket.setNoDelay(true);
    socket.on('end', this.#onUpstreamEnd);
    socket.on('error', this.#onUpstreamError);
    socket.on('close', this.#onUpstreamClose);
    return socket;
  }

  readonly #onUpstreamData = (data: Buffer): void => {
    this.#answered = true;
    if (this.capture && this.#capturingResponses) this.#captureWrite(this.capture, data);
    this.#host.options.metrics.count(CAPTURE_METRICS.bytes, data.length, 'Bytes');
    if (!this.client.write(data)) {
      this.#upstream!.pause();
      this.client.once('drain', this.#resumeUpstream);
    }
  };

  /**
   * With more captured bytes held than the budget allows (Kafka slow or down), the rest of this response is
   * forwarded but not recorded: reads never wait for Kafka, and the proxy's memory must not grow with
   * responses either. The record says so with an exception observation, and it counts as a lost capture.
   * Recording resumes with the connection's next request.
   */
  #dropResponseCapture(): void {
    const o = this.#host.options;
    this.#capturingResponses = false;
    this.#send(this.capture!.exception('response capture dropped: the capture budget is full'));
    o.metrics.count(CAPTURE_METRICS.lostCaptures, 1);
    o.log.warn({ connection: this.capture!.connectionId }, 'response not captured: more captured bytes are waiting for Kafka than the capture budget allows');
  }

  readonly #resumeUpstream = (): void => {
    this.#upstream?.resume();
  };

  readonly #onUpstreamEnd = (): void => {
    this.client.end();
  };

  readonly #onUpstreamError = (error: Error): void => {
    this.#host.upstream.lookup.forget(this.#host.upstream.host);
    if (this.capture) this.#send(this.capture.exception(`upstream: ${error.message}`));
    const destination = this.#host.options.destination;
    if (!this.#answered) this.#respond(502, { error: { type: 'source_unreachable', reason: `the source ${destination.host} is unreachable: ${error.message}` }, status: 502 }, true);
    else this.client.destroy();
  };

  readonly #onUpstreamClose = (): void => {
    if (!this.client.destroyed && !this.client.writableEnded) this.client.end();
  };

  #respond(status: number, body: object, close: boolean): void {
    const text = JSON.stringify(body);
    this.client.write(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${text}`);
    if (close) {
      this.#refusing = true;
      this.client.end();
    }
  }
}

/** Resolves when the socket drains, or closes (then nothing will drain it). */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
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
