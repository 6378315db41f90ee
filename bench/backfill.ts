/**
 * End-to-end backfill throughput into the test bed's OpenSearch, side by side in one run:
 *   ours            a backfill-worker process reading the snapshot and bulk-indexing (peak RSS sampled)
 *   minimal loader  the same documents as pre-built bulk bodies sent with the same concurrency (the ceiling)
 *   elasticdump     copying the same index from the source cluster, tuned (--limit=1000) and with its default
 *                   page size (installed into the cache on first use)
 *   reindex remote  the target's own `_reindex` from the source cluster (the test bed adds the reindex module)
 *   npm run -s bench -- backfill          (BENCH_DOCS=… to change the size; BENCH_SKIP_ELASTICDUMP=1 to skip it)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterClient } from '../src/cluster';
import { openRepository, openSnapshotShard } from '../src/snapshot';
import { testbedHome } from '../test/testbed/home';
import { up } from '../test/testbed/testbed';
import { peakRssKb } from './process-memory';
import { BENCH_DOCS, benchRepoName, ensureBenchSnapshot, ensureLargeDocumentSnapshot } from './snapshot-fixture';

const CONCURRENCY = 4;
const SETTINGS = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1 };

async function count(client: ClusterClient, index: string): Promise<number> {
  await client.request('POST', `/${index}/_refresh`, { idempotent: true });
  return (await client.request<{ count: number }>('GET', `/${index}/_count`)).body.count;
}

async function recreate(client: ClusterClient, index: string): Promise<void> {
  await client.request('DELETE', `/${index}`, { expectStatus: [404] });
  await client.request('PUT', `/${index}`, { body: { settings: SETTINGS } });
}

async function minimalLoader(target: ClusterClient, location: string): Promise<number> {
  const index = 'bench-minimal-loader';
  const repo = openRepository(location);
  const snapshot = await repo.snapshot('snap');
  const bodies: Buffer[] = [];
  let lines: Buffer[] = [];
  const { reader } = await openSnapshotShard(repo, snapshot, snapshot.indices[0], 0);
  for await (const doc of reader.documents()) {
    lines.push(Buffer.from(`{"index":{"_index":"${index}","_id":"${doc.id}"}}\n`), Buffer.from(doc.source), Buffer.from('\n'));
    if (lines.length === 3000) {
      bodies.push(Buffer.concat(lines));
      lines = [];
    }
  }
  if (lines.length) bodies.push(Buffer.concat(lines));
  await recreate(target, index);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const response = await target.request<{ errors: boolean }>('POST', '/_bulk', { body, contentType: 'application/x-ndjson', idempotent: true });
        if (response.body.errors) throw new Error('minimal loader: bulk errors');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if ((await count(target, index)) !== BENCH_DOCS) throw new Error('minimal loader did not index every document');
  await target.request('DELETE', `/${index}`);
  return seconds;
}

async function ours(target: ClusterClient, targetUrl: string, location: string, index = benchRepoName(), expected = BENCH_DOCS): Promise<{ seconds: number; peakRssMb: number }> {
  await target.request('DELETE', `/${index}`, { expectStatus: [404] });
  const session = `bench${Date.now()}`;
  const started = performance.now();
  // The compiled program, as users run it (built by `npm ci`); the sources through tsx otherwise.
  const compiled = join(__dirname, '../dist/src/backfill/main.js');
  const program = existsSync(compiled) ? [join(__dirname, '../bin/backfill-worker.js')] : ['--import', 'tsx', join(__dirname, '../src/backfill/main.ts')];
  const child = spawn(process.execPath, [...program, '--snapshot-name', 'snap', '--snapshot-local-dir', location, '--target-host', targetUrl, '--session-name', session, '--max-connections', String(CONCURRENCY)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env },
  });
  let peakKb = 0;
  const sampler = setInterval(() => {
    peakKb = Math.max(peakKb, peakRssKb(child.pid ?? 0));
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`backfill worker exited ${code}`);
  if ((await count(target, index)) !== expected) throw new Error('backfill did not index every document');
  await target.request('DELETE', `/${index}`);
  await target.request('DELETE', `/.migrations_working_state_${session}`);
  return { seconds, peakRssMb: Math.round(peakKb / 1024) };
}

/** The benchmark index restored on the source cluster, for the tools that copy from a live cluster. */
async function restoreOnSource(source: ClusterClient): Promise<string> {
  const repo = benchRepoName();
  const from = 'bench-live-source';
  await source.request('DELETE', `/${from}`, { expectStatus: [404] });
  await source.request('POST', `/_snapshot/${repo}/snap/_restore`, { query: { wait_for_completion: true }, body: { indices: repo, rename_pattern: '.+', rename_replacement: from } });
  return from;
}

/** Times a copy from the live source into a fresh target index and checks every document arrived. */
async function timedCopy(target: ClusterClient, to: string, copy: () => Promise<void>): Promise<number> {
  await recreate(target, to);
  const started = performance.now();
  await copy();
  const seconds = (performance.now() - started) / 1000;
  await target.request('POST', `/${to}/_refresh`);
  const copied = await count(target, to);
  if (copied !== BENCH_DOCS) throw new Error(`${to}: ${copied} of ${BENCH_DOCS} documents copied`);
  await target.request('DELETE', `/${to}`);
  return seconds;
}

/**
 * elasticdump with `limit` documents per scroll page and bulk: its default (100), which is what a user gets
 * without tuning, and 1,000 (about 2.4 MB per bulk here), its best setting on this target.
 */
function elasticdump(target: ClusterClient, from: string, sourceUrl: string, targetUrl: string, limit: number): Promise<number> {
  const tools = join(testbedHome(), 'bench-tools');
  const bin = join(tools, 'node_modules', '.bin', 'elasticdump');
  if (!existsSync(bin)) {
    mkdirSync(tools, { recursive: true });
    process.stderr.write('bench: installing elasticdump into the cache (once)\n');
    execFileSync('npm', ['install', '--prefix', tools, '--no-audit', '--no-fund', 'elasticdump@6'], { stdio: 'inherit' });
  }
  const to = 'bench-elasticdump';
  return timedCopy(target, to, async () => {
    execFileSync(bin, [`--input=${sourceUrl}/${from}`, `--output=${targetUrl}/${to}`, '--type=data', `--limit=${limit}`, '--quiet'], { stdio: 'inherit' });
  });
}

/** The target's own `_reindex` from the remote source (scroll batches of 1,000, one slice: remote reindex cannot slice). */
function reindexFromRemote(target: ClusterClient, from: string, sourceUrl: string): Promise<number> {
  const to = 'bench-reindex-remote';
  return timedCopy(target, to, async () => {
    const answer = await target.request<{ created: number; failures: unknown[] }>('POST', '/_reindex', {
      query: { wait_for_completion: true },
      body: { source: { remote: { host: sourceUrl }, index: from, size: 1000 }, dest: { index: to } },
    });
    if (answer.body.failures.length > 0) throw new Error(`_reindex from remote reported ${answer.body.failures.length} failures`);
  });
}

async function main(): Promise<void> {
  const { endpoints } = await up({ servers: ['source', 'target'] });
  const location = await ensureBenchSnapshot(endpoints.source, endpoints.repoDir);
  const source = new ClusterClient({ endpoint: endpoints.source, timeoutMs: 600_000 });
  const target = new ClusterClient({ endpoint: endpoints.target, timeoutMs: 600_000 });
  // Interleaved and repeated (loader, ours, ours, loader) so neither side gets the target's warmer state;
  // the better of each pair counts.
  const loaderRuns = [await minimalLoader(target, location)];
  const mineRuns = [await ours(target, endpoints.target, location), await ours(target, endpoints.target, location)];
  loaderRuns.push(await minimalLoader(target, location));
  const loaderSeconds = Math.min(...loaderRuns);
  const mine = mineRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  mine.peakRssMb = Math.max(...mineRuns.map((r) => r.peakRssMb));
  const large = await ensureLargeDocumentSnapshot(endpoints.source, endpoints.repoDir);
  const largeRun = await ours(target, endpoints.target, large, 'bench-large-12x20mb', 12);
  const from = await restoreOnSource(source);
  const skipDump = Boolean(process.env.BENCH_SKIP_ELASTICDUMP);
  const dumpSeconds = skipDump ? undefined : await elasticdump(target, from, endpoints.source, endpoints.target, 1000);
  const dumpDefaultSeconds = skipDump ? undefined : await elasticdump(target, from, endpoints.source, endpoints.target, 100);
  const reindexSeconds = await reindexFromRemote(target, from, endpoints.source);
  await source.request('DELETE', `/${from}`);
  const rate = (seconds: number) => Math.round(BENCH_DOCS / seconds);
  const result = {
    benchmark: 'backfill',
    documents: BENCH_DOCS,
    concurrency: CONCURRENCY,
    oursDocsPerSec: rate(mine.seconds),
    oursPeakRssMb: mine.peakRssMb,
    oursPeakRssMbWith20MbDocuments: largeRun.peakRssMb,
    minimalLoaderDocsPerSec: rate(loaderSeconds),
    elasticdumpDocsPerSec: dumpSeconds === undefined ? null : rate(dumpSeconds),
    ratioToMinimalLoader: Number((loaderSeconds / mine.seconds).toFixed(2)),
    ratioToElasticdump: dumpSeconds === undefined ? null : Number((dumpSeconds / mine.seconds).toFixed(1)),
    elasticdumpDefaultLimitDocsPerSec: dumpDefaultSeconds === undefined ? null : rate(dumpDefaultSeconds),
    ratioToElasticdumpDefaultLimit: dumpDefaultSeconds === undefined ? null : Number((dumpDefaultSeconds / mine.seconds).toFixed(1)),
    minimalLoaderRatioToElasticdump: dumpSeconds === undefined ? null : Number((dumpSeconds / loaderSeconds).toFixed(1)),
    reindexFromRemoteDocsPerSec: rate(reindexSeconds),
    ratioToReindexFromRemote: Number((reindexSeconds / mine.seconds).toFixed(1)),
  };
  process.stderr.write(
    `\n  documents        ${BENCH_DOCS}\n  ours             ${result.oursDocsPerSec} docs/s, peak RSS ${result.oursPeakRssMb} MB (${result.oursPeakRssMbWith20MbDocuments} MB with 20 MB documents)\n  minimal loader   ${result.minimalLoaderDocsPerSec} docs/s → ours ×${result.ratioToMinimalLoader}\n  elasticdump      ${result.elasticdumpDocsPerSec ?? 'skipped'} docs/s with --limit=1000 → ours ×${result.ratioToElasticdump ?? '-'} (minimal loader ×${result.minimalLoaderRatioToElasticdump ?? '-'})\n  elasticdump      ${result.elasticdumpDefaultLimitDocsPerSec ?? 'skipped'} docs/s with its default --limit=100 → ours ×${result.ratioToElasticdumpDefaultLimit ?? '-'}\n  reindex remote   ${result.reindexFromRemoteDocsPerSec} docs/s → ours ×${result.ratioToReindexFromRemote}\n\n`,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
  source.close();
  target.close();
}

void main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
