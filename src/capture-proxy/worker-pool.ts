/**
 * Several proxy processes on one port (`--workers`), so one proxy uses more than one core. The primary
 * process forks the workers with node:cluster (which hands each accepted connection to one worker in turn,
 * and the connection stays there), writes their metric documents to stdout one at a time (documents of
 * several kilobytes written by several processes at once could interleave), passes each worker's counters
 * to the others for the health endpoint, starts a new worker when one dies (a worker that dies before it
 * listens stops the proxy: its error, a port in use or a bad certificate, would only repeat), and on SIGTERM or SIGINT tells
 * each to stop (ending its connections' captures and flushing its producer) and waits for them. Each worker
 * is a whole proxy, with its own node id and Kafka producer.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What a worker reports about itself, once a second. */
export interface WorkerCounters {
  /** Open connections. */
  connections: number;
  capturesLost: number;
}

export type WorkerMessage = { type: 'listening' } | { type: 'metrics'; line: string } | { type: 'counters'; counters: WorkerCounters };
export type PrimaryMessage = { type: 'stop' } | { type: 'peers'; peers: Record<string, WorkerCounters> };

/** Workers that die this many times within `RESTART_WINDOW_MS` stop the proxy: something is wrong at start. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const SHARE_INTERVAL_MS = 1000;

/** Runs the primary process until a signal stops it; resolves with the exit code. */
export async function runPrimary(workers: number, log: Logger): Promise<number> {
  const counters = new Map<number, WorkerCounters>();
  const listening = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'listening') listening.add(worker.id);
      else if (message.type === 'metrics') process.stdout.write(message.line);
      else if (message.type === 'counters') counters.set(worker.id, message.counters);
    });
    return worker;
  };

  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send({ type: 'stop' } satisfies PrimaryMessage);
  };

  const allExited = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      counters.delete(worker.id);
      const listened = listening.delete(worker.id);
      if (!stopping && !listened) {
        log.error({ worker: worker.id, code, signal }, 'a worker stopped before it listened: stopping the proxy');
        exitCode = code || 1;
        stopAll();
      } else if (!stopping) {
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length > MAX_RESTARTS) {
          log.error({ restarts: restarts.length, windowMs: RESTART_WINDOW_MS }, 'workers keep dying: stopping the proxy');
          exitCode = 1;
          stopAll();
        } else {
          log.error({ worker: worker.id, code, signal }, 'worker died: starting another');
          fork();
        }
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
  });

  const share = setInterval(() => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker?.isConnected()) continue;
      const peers = Object.fromEntries([...counters].filter(([id]) => id !== worker.id).map(([id, c]) => [String(id), c]));
      worker.send({ type: 'peers', peers } satisfies PrimaryMessage);
    }
  }, SHARE_INTERVAL_MS);

  for (let i = 0; i < workers; i++) fork();
  log.info({ workers }, 'capture proxy workers started');
  process.once('SIGTERM', stopAll);
  process.once('SIGINT', stopAll);
  await allExited;
  clearInterval(share);
  return exitCode;
}

/** A worker's side: its metrics go through the primary, its counters to the other workers. */
export interface WorkerLink {
  /** Writes one metric document through the primary. */
  writeMetrics(line: string): void;
  /** The other workers' counters, as last shared (at most about a second old). */
  peers(): WorkerCounters[];
  /** Resolves when the primary asks this worker to stop. */
  stopRequested: Promise<void>;
  /** Tells the primary this worker listens; then starts reporting `counters()` once a second (returns its stop). */
  listening(counters: () => WorkerCounters): () => void;
}

export function workerLink(): WorkerLink {
  let peers: WorkerCounters[] = [];
  let stop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  process.on('message', (message: PrimaryMessage) => {
    if (message.type === 'stop') stop();
    else if (message.type === 'peers') peers = Object.values(message.peers);
  });
  const send = (message: WorkerMessage) => {
    if (process.connected) process.send!(message);
  };
  return {
    writeMetrics: (line) => send({ type: 'metrics', line }),
    peers: () => peers,
    stopRequested,
    listening: (counters) => {
      send({ type: 'listening' });
      const timer = setInterval(() => send({ type: 'counters', counters: counters() }), SHARE_INTERVAL_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
