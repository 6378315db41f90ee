/**
 * `capture-proxy` entry point: logs (JSON) on stderr, EMF metrics on stdout, clean stop on SIGTERM/SIGINT.
 * With `--workers` above 1 this process becomes the primary of that many proxy processes (`./worker-pool`).
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { EmfEmitter } from '../metrics/emf';
import { COMPONENTS } from '../metrics/names';
import type { CaptureSink } from './capture-sink';
import { FileSink } from './file-sink';
import { kafkaEncodingTuning, kafkaIdleLoopStopped } from './kafka-client';
import { KafkaSink } from './kafka-sink';
import { proxyNodeFlagsInEffect } from './node-flags';
import { buildProxyCommand, normaliseArgs, parseProxyOptions, ProxyOptionsError } from './options';
import { CaptureProxy } from './proxy-server';
import { runPrimary, workerLink } from './worker-pool';

export async function main(argv: string[]): Promise<number> {
  const command = buildProxyCommand().exitOverride();
  try {
    command.parse(normaliseArgs(argv), { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
  let config;
  try {
    config = parseProxyOptions(command.opts());
  } catch (error) {
    if (error instanceof ProxyOptionsError) {
      process.stderr.write(`capture-proxy: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config.workers, pino({ base: { primary: process.pid } }, pino.destination(2)));
  const link = cluster.isWorker ? workerLink() : undefined;
  const nodeId = randomUUID();
  // A worker's lines also name its process, so the one a line is about can be found (and signalled).
  const log = pino({ base: { nodeId, ...(link ? { pid: process.pid } : {}) } }, pino.destination(2));
  let sink: CaptureSink | undefined;
  if (config.capture.kind === 'kafka') sink = new KafkaSink({ ...config.capture, deliveryTimeoutMs: config.captureTimeoutMs });
  if (config.capture.kind === 'file') sink = new FileSink(config.capture.directory, nodeId);
  const proxy = new CaptureProxy({
    ...config,
    sink,
    nodeId,
    metrics: new EmfEmitter({ stage: config.stage, component: COMPONENTS.captureProxy }, link ? { write: link.writeMetrics } : process.stdout),
    log,
    ...(link ? { fleet: { workers: config.workers, peers: link.peers } } : {}),
  });
  const port = await proxy.start();
  // Which of the changes to kafkajs are in effect: any false costs CPU.
  const kafkajsChanges = config.capture.kind === 'kafka' ? { kafkaEncoding: kafkaEncodingTuning, kafkaIdleLoopStopped } : {};
  // Without the node flags the proxy works the same, with more CPU spent in garbage collection (`./node-flags`).
  log.info({ port, destination: config.destination.origin, capture: sink?.description ?? 'off', nodeFlags: proxyNodeFlagsInEffect(), ...kafkajsChanges }, 'capture proxy listening');
  const stopReporting = link?.listening(() => proxy.counters);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    // A worker stops when the primary asks, or is gone (then nothing would ever ask).
    void link?.stopRequested.then(resolve);
    if (link) process.once('disconnect', resolve);
  });
  log.info(proxy.stats, 'stopping');
  stopReporting?.();
  await proxy.stop();
  return 0;
}

export function runCli(): void {
  // stdout carries only metrics (and --help): a reader that goes away (`--help | head`, a log shipper that
  // stopped) must cost the metrics, never the proxying.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  // A worker's channel to the primary would keep it alive once it is done, whether it stopped or failed.
  const leave = () => {
    if (cluster.isWorker && process.connected) process.disconnect();
  };
  void main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      leave();
    },
    (error: Error) => {
      process.stderr.write(`capture-proxy: ${error.message}\n`);
      process.exitCode = 1;
      leave();
    },
  );
}

if (require.main === module) runCli();
