/** `capture-proxy` entry point: logs (JSON) on stderr, EMF metrics on stdout, clean stop on SIGTERM/SIGINT. */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { EmfEmitter } from '../metrics/emf';
import { COMPONENTS } from '../metrics/names';
import type { CaptureSink } from './capture-sink';
import { FileSink } from './file-sink';
import { KafkaSink } from './kafka-sink';
import { buildProxyCommand, normaliseArgs, parseProxyOptions, ProxyOptionsError } from './options';
import { CaptureProxy } from './proxy-server';

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
  const nodeId = randomUUID();
  const log = pino({ base: { nodeId } }, pino.destination(2));
  let sink: CaptureSink | undefined;
  if (config.capture.kind === 'kafka') sink = new KafkaSink({ ...config.capture, deliveryTimeoutMs: config.captureTimeoutMs });
  if (config.capture.kind === 'file') sink = new FileSink(config.capture.directory, nodeId);
  const proxy = new CaptureProxy({
    ...config,
    sink,
    nodeId,
    metrics: new EmfEmitter({ stage: config.stage, component: COMPONENTS.captureProxy }, process.stdout),
    log,
  });
  const port = await proxy.start();
  const kafkaEncoding = sink instanceof KafkaSink ? { kafkaEncoding: sink.encoding } : {};
  log.info({ port, destination: config.destination.origin, capture: sink?.description ?? 'off', ...kafkaEncoding }, 'capture proxy listening');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info(proxy.stats, 'stopping');
  await proxy.stop();
  return 0;
}

export function runCli(): void {
  void main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`capture-proxy: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runCli();
