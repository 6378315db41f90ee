/**
 * Snapshot decode throughput: a snapshot of 200,000 documents of about 2.4 KB (made once on the test bed's
 * Elasticsearch 7.10 and kept in its repository folder), decoded from local disk into a null sink in one
 * process. Prints a JSON result and a short table; compares with the reference implementation's published
 * whole-pipeline figure (590,000 documents/minute on 2 vCPUs).
 *   npm run -s bench -- decode            (BENCH_DOCS=… to change the size)
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { up } from '../test/testbed/testbed';
import { ensureBenchSnapshot } from './snapshot-fixture';

const REFERENCE_DOCS_PER_SEC = 590_000 / 60;

async function main(): Promise<void> {
  const { endpoints } = await up({ servers: ['source'] });
  const location = await ensureBenchSnapshot(endpoints.source, endpoints.repoDir);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'decode-run.ts'), location, 'snap'], { encoding: 'utf8' });
    runs.push(JSON.parse(out) as { documents: number; bytes: number; seconds: number; peakRssMb: number });
  }
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const result = {
    benchmark: 'snapshot-decode',
    documents: best.documents,
    averageSourceBytes: Math.round(best.bytes / best.documents),
    seconds: Number(best.seconds.toFixed(3)),
    docsPerSec: Math.round(best.documents / best.seconds),
    mbPerSec: Number((best.bytes / 1e6 / best.seconds).toFixed(1)),
    peakRssMb: Math.round(Math.max(...runs.map((r) => r.peakRssMb))),
    referenceDocsPerSec: Math.round(REFERENCE_DOCS_PER_SEC),
    ratioToReference: Number((best.documents / best.seconds / REFERENCE_DOCS_PER_SEC).toFixed(1)),
  };
  process.stderr.write(
    `\n  documents        ${result.documents} (avg _source ${result.averageSourceBytes} B)\n  decode           ${result.docsPerSec} docs/s, ${result.mbPerSec} MB/s (best of 3)\n  peak RSS         ${result.peakRssMb} MB\n  reference        ${result.referenceDocsPerSec} docs/s whole pipeline → ×${result.ratioToReference}\n\n`,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
}

void main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
