/**
 * Runs one backfill worker in this process (same code path as the `backfill-worker` program) and, when it
 * exits, prints one line `BENCH_RESULT {"exitCode","seconds","peakRssMb"}` on stderr, after the worker's own
 * logs. Started by bench/backfill.ts so that the peak RSS measured is a single worker's.
 */
import { main } from '../src/backfill/main';

async function run(): Promise<void> {
  const started = process.hrtime.bigint();
  const exitCode = await main(process.argv.slice(2));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`BENCH_RESULT ${JSON.stringify({ exitCode, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exitCode = exitCode;
}

void run();
