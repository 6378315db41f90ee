/**
 * Capture records on their way to the sink. Each connection's records stay in order, and the records of
 * many connections travel together. Records that someone waits for (a mutating request held for its
 * capture, through `durable`) go out in the next turn of the event loop, with everything else queued by
 * then. Records nobody waits for linger first (`lingerMs`, as Kafka producers' linger.ms), so that the close
 * records of short connections, or the timer's flushes, share one send rather than each costing a Kafka
 * request of its own, and a thousand busy connections cost a few Kafka requests a second rather than a
 * thousand. A connection never has two sends in flight, so a send that fails (or is retried inside the
 * client) can never land after a later record of the same connection. Only mutating requests wait, through
 * `durable`; everything else is fire and forget, and a failed send is counted, never thrown at the caller.
 * The queue also keeps the budget of captured bytes not yet stored (queued, in flight, or in records the
 * connections are still writing), so that mutating requests can stop reading bodies while Kafka catches up
 * (`full`, `room`) instead of the proxy's memory growing with every byte clients send.
 */
import type { CaptureRecord } from './connection-capture';
import type { CaptureSink } from './capture-sink';

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** One connection's place in the queue. */
export class QueuedConnection {
  records: CaptureRecord[] = [];
  bytes = 0;
  /** Waiting for the records in `records` (they ride with the next send of this connection). */
  waiters: Waiter[] = [];
  /** Waiting for the send in flight. */
  flightWaiters: Waiter[] = [];
  inFlight = false;
  ready = false;
  /** A request waits for `records` (through `durable`): they go without lingering. */
  urgent = false;
}

export interface CaptureQueueOptions {
  sink: CaptureSink;
  /** Sends at the same time, each for other connections. */
  maxInFlight: number;
  /** Bytes of records one send takes before the next connection waits for another send (one record always fits). */
  maxSendBytes: number;
  /** Bytes captured and not yet stored above which the queue is `full`. */
  maxHeldBytes: number;
  /** How long records nobody waits for may wait for others to share their send; 0 sends them in the next turn. */
  lingerMs?: number;
  onSent: (records: number) => void;
  onLost: (records: number, error: Error) => void;
}

export class CaptureQueue {
  readonly #options: CaptureQueueOptions;
  /** Connections with records and no send in flight, in the order they became ready. */
  #ready: QueuedConnection[] = [];
  #inFlight = 0;
  /** A send is due in the next turn. */
  #immediate = false;
  /** A send is due when the linger ends. */
  #lingering?: NodeJS.Timeout;
  readonly #flush = () => {
    this.#immediate = false;
    this.#stopLingering();
    this.#sendReady();
  };
  /** Bytes of records queued or in flight. */
  #queuedBytes = 0;
  /** Bytes of records queued and not yet in flight. */
  #readyBytes = 0;
  /** Bytes of records the connections are still writing, as they report them. */
  #partialBytes = 0;
  #roomWaiters: (() => void)[] = [];
  #failing = false;

  constructor(options: CaptureQueueOptions) {
    this.#options = options;
  }

  /** The last send that ended failed (the sink is down or refusing), and none has succeeded since. */
  get failing(): boolean {
    return this.#failing;
  }

  /** More captured bytes are held than the budget allows. */
  get full(): boolean {
    return this.#queuedBytes + this.#partialBytes > this.#options.maxHeldBytes;
  }

  /** Resolves once the bytes held are back under three quarters of the budget. */
  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** A connection's unfinished record grew (or, flushed, shrank) by `delta` bytes. */
  partial(delta: number): void {
    this.#partialBytes += delta;
    if (delta < 0) this.#wakeIfRoom();
  }

  #wakeIfRoom(): void {
    if (this.#roomWaiters.length === 0 || this.#queuedBytes + this.#partialBytes > this.#options.maxHeldBytes * 0.75) return;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  add(connection: QueuedConnection, records: readonly CaptureRecord[]): void {
    if (records.length === 0) return;
    for (const record of records) {
      connection.records.push(record);
      connection.bytes += record.size;
      this.#queuedBytes += record.size;
      this.#readyBytes += record.size;
    }
    if (!connection.inFlight && !connection.ready) {
      connection.ready = true;
      this.#ready.push(connection);
    }
    this.#schedule(connection.urgent || this.#fullSendReady);
  }

  /** A full send's worth is queued: it has nothing to linger for. */
  get #fullSendReady(): boolean {
    return this.#readyBytes >= this.#options.maxSendBytes;
  }

  #stopLingering(): void {
    clearTimeout(this.#lingering);
    this.#lingering = undefined;
  }

  /** Arranges the next send: in the next turn when `now`, else when the linger ends (unless one is due sooner). */
  #schedule(now: boolean): void {
    if (this.#immediate) return;
    if (now || !this.#options.lingerMs) {
      this.#immediate = true;
      this.#stopLingering();
      setImmediate(this.#flush);
    } else {
      this.#lingering ??= setTimeout(this.#flush, this.#options.lingerMs);
    }
  }

  /**
   * Resolves once every record queued so far for the connection is durable; rejects when the send that
   * carried the last of them failed. Someone waits for them: they go without lingering.
   */
  durable(connection: QueuedConnection): Promise<void> {
    if (connection.records.length > 0) {
      connection.urgent = true;
      // A connection in flight is sent again when its send ends (see `#send`).
      if (!connection.inFlight) this.#schedule(true);
    }
    return this.stored(connection);
  }

  /** As `durable`, for a caller that only needs to know (a closing connection): the records still linger. */
  stored(connection: QueuedConnection): Promise<void> {
    if (connection.records.length === 0 && !connection.inFlight) return Promise.resolve();
    return new Promise((resolve, reject) => (connection.records.length > 0 ? connection.waiters : connection.flightWaiters).push({ resolve, reject }));
  }

  #sendReady(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#ready.length > 0) {
      let taken = 0;
      let bytes = 0;
      while (taken < this.#ready.length && (taken === 0 || bytes + this.#ready[taken].bytes <= this.#options.maxSendBytes)) bytes += this.#ready[taken++].bytes;
      void this.#send(this.#ready.slice(0, taken));
      this.#ready = this.#ready.slice(taken);
    }
  }

  async #send(connections: QueuedConnection[]): Promise<void> {
    this.#inFlight++;
    const records: CaptureRecord[] = [];
    let bytes = 0;
    for (const connection of connections) {
      for (const record of connection.records) records.push(record);
      bytes += connection.bytes;
      connection.flightWaiters = connection.waiters;
      connection.waiters = [];
      connection.records = [];
      this.#readyBytes -= connection.bytes;
      connection.bytes = 0;
      connection.ready = false;
      connection.urgent = false;
      connection.inFlight = true;
    }
    let failure: Error | undefined;
    try {
      await this.#options.sink.sendBatch(records);
      this.#options.onSent(records.length);
    } catch (error) {
      failure = error as Error;
      this.#options.onLost(records.length, failure);
    }
    this.#failing = failure !== undefined;
    this.#inFlight--;
    this.#queuedBytes -= bytes;
    this.#wakeIfRoom();
    for (const connection of connections) {
      connection.inFlight = false;
      const waiters = connection.flightWaiters;
      connection.flightWaiters = [];
      for (const waiter of waiters) {
        if (failure) waiter.reject(failure);
        else waiter.resolve();
      }
      if (connection.records.length > 0) {
        connection.ready = true;
        this.#ready.push(connection);
      }
    }
    // What this send held back goes now if someone waits for it, else when the linger ends.
    if (this.#ready.length === 0) return;
    if (!this.#options.lingerMs || this.#fullSendReady || this.#ready.some((connection) => connection.urgent)) this.#sendReady();
    else this.#schedule(false);
  }
}
