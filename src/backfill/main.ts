/**
 * `backfill-worker` entry point. Logs (JSON) go to stderr; CloudWatch Embedded Metric Format lines to stdout.
 * SIGTERM and SIGINT stop the worker cleanly: in-flight bulks finish, the position is checkpointed and the
 * lease released, then the process exits 0.
 */
import pino from 'pino';
import { buildCommand, OptionsError, parseWorkerOptions } from './options';
import { BackfillWorker } from './worker';

export async function main(argv: string[]): Promise<number> {
  const command = buildCommand().exitOverride();
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
  let config;
  try {
    config = parseWorkerOptions(command.opts());
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`backfill-worker: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = pino({ base: { worker: config.workerId }, redact: ['target.auth.password'] }, pino.destination(2));
  const worker = new BackfillWorker(config, log, process.stdout);
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping: finishing in-flight bulks, checkpointing, releasing the lease');
    worker.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    const run = await worker.run();
    log.info(run, run.stoppedBySignal ? 'worker stopped' : 'no work left; worker exits');
    return 0;
  } catch (error) {
    log.error({ err: (error as Error).message }, 'worker failed');
    process.stderr.write(`backfill-worker: ${(error as Error).message}\n`);
    return 1;
  }
}

/** Runs the worker with the process's arguments and sets its exit code. */
export function runCli(): void {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
