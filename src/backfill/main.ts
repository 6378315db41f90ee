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
  let signalled = false;
  const stop = (signal: string) => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting now; the lease expires and another worker resumes from the last checkpoint');
      process.exit(130);
    }
    signalled = true;
    log.info({ signal, timeoutSeconds: config.shutdownTimeoutMs / 1000 }, 'stopping: finishing in-flight bulks, checkpointing, releasing the lease');
    worker.stop();
    // A target that has gone away would keep the bulks retrying for minutes. Exiting without releasing loses
    // nothing: progress is checkpointed only after acknowledged bulks, and the lease simply expires.
    setTimeout(() => {
      log.warn({ timeoutSeconds: config.shutdownTimeoutMs / 1000 }, 'did not stop in time; exiting; the lease expires and another worker resumes from the last checkpoint');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
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
