/**
 * Snapshot decode throughput: a snapshot of 200,000 documents of about 2.4 KB (made once on the test bed's
 * Elasticsearch 7.10 and kept in its repository folder), decoded from local disk into a null sink in one
 * process. Prints a JSON result and a short table; compares with the reference implementation's published
 * whole-pipeline figure (590,000 documents/minute on 2 vCPUs).
 *   npm run -s bench -- decode            (BENCH_DOCS=… to change the size)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterClient } from '../src/cluster';
import { up } from '../test/testbed/testbed';

const DOCS = Number(process.env.BENCH_DOCS ?? 200_000);
const REFERENCE_DOCS_PER_SEC = 590_000 / 60;
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

function document(n: number): object {
  const words = (count: number, seed: number) => Array.from({ length: count }, (_, i) => WORDS[(seed * 31 + i * 7) % WORDS.length]).join(' ');
  return { id: n, title: words(8, n), body: words(360, n + 1), tags: [WORDS[n % WORDS.length], WORDS[(n + 5) % WORDS.length]], created: new Date(1_700_000_000_000 + n * 1000).toISOString(), score: n % 1000 };
}

async function ensureSnapshot(source: string, repoDir: string): Promise<string> {
  const name = `bench-decode-v2-${DOCS}`;
  const location = join(repoDir, name);
  if (existsSync(join(location, 'index.latest'))) return location;
  const client = new ClusterClient({ endpoint: source, timeoutMs: 300_000, compressRequests: true });
  const index = name;
  await client.request('DELETE', `/${index}`, { expectStatus: [404] });
  await client.request('PUT', `/${index}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1 } } });
  process.stderr.write(`bench: indexing ${DOCS} documents into ${index} (once; the snapshot is kept for later runs)\n`);
  for (let start = 0; start < DOCS; start += 2000) {
    const lines: string[] = [];
    for (let n = start; n < Math.min(DOCS, start + 2000); n++) lines.push(JSON.stringify({ index: { _index: index, _id: String(n) } }), JSON.stringify(document(n)));
    const response = await client.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true });
    if (response.body.errors) throw new Error('bulk indexing reported errors');
  }
  await client.request('POST', `/${index}/_refresh`);
  await client.request('PUT', `/_snapshot/${name}`, { body: { type: 'fs', settings: { location } } });
  await client.request('PUT', `/_snapshot/${name}/snap`, { query: { wait_for_completion: true }, body: { indices: index } });
  await client.request('DELETE', `/${index}`);
  client.close();
  return location;
}

async function main(): Promise<void> {
  const { endpoints } = await up({ servers: ['source'] });
  const location = await ensureSnapshot(endpoints.source, endpoints.repoDir);
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
