/**
 * The benchmarks' shared data: a snapshot of BENCH_DOCS documents of about 2.4 KB made once on the test
 * bed's Elasticsearch 7.10 and kept in its repository folder for later runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterClient } from '../src/cluster';

export const BENCH_DOCS = Number(process.env.BENCH_DOCS ?? 200_000);
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

export function benchDocument(n: number): object {
  const words = (count: number, seed: number) => Array.from({ length: count }, (_, i) => WORDS[(seed * 31 + i * 7) % WORDS.length]).join(' ');
  return { id: n, title: words(8, n), body: words(360, n + 1), tags: [WORDS[n % WORDS.length], WORDS[(n + 5) % WORDS.length]], created: new Date(1_700_000_000_000 + n * 1000).toISOString(), score: n % 1000 };
}

export const benchRepoName = () => `bench-decode-v2-${BENCH_DOCS}`;

/** Returns the repository folder, creating the index and its snapshot (`snap`) the first time. */
export async function ensureBenchSnapshot(source: string, repoDir: string): Promise<string> {
  const name = benchRepoName();
  const location = join(repoDir, name);
  if (existsSync(join(location, 'index.latest'))) return location;
  const client = new ClusterClient({ endpoint: source, timeoutMs: 300_000, compressRequests: true });
  await client.request('DELETE', `/${name}`, { expectStatus: [404] });
  await client.request('PUT', `/${name}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1 } } });
  process.stderr.write(`bench: indexing ${BENCH_DOCS} documents into ${name} (once; the snapshot is kept for later runs)\n`);
  for (let start = 0; start < BENCH_DOCS; start += 2000) {
    const lines: string[] = [];
    for (let n = start; n < Math.min(BENCH_DOCS, start + 2000); n++) lines.push(JSON.stringify({ index: { _index: name, _id: String(n) } }), JSON.stringify(benchDocument(n)));
    const response = await client.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true });
    if (response.body.errors) throw new Error('bulk indexing reported errors');
  }
  return snapshotAndDrop(client, name, location);
}

/** A snapshot of a few documents of about 20 MB each (`snap`), for the memory bound with huge documents. */
export async function ensureLargeDocumentSnapshot(source: string, repoDir: string, documents = 12, megabytes = 20): Promise<string> {
  const name = `bench-large-${documents}x${megabytes}mb`;
  const location = join(repoDir, name);
  if (existsSync(join(location, 'index.latest'))) return location;
  const client = new ClusterClient({ endpoint: source, timeoutMs: 300_000 });
  await client.request('DELETE', `/${name}`, { expectStatus: [404] });
  await client.request('PUT', `/${name}`, { body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { blob: { type: 'text', index: false } } } } });
  const chunk = 'abcdefghij'.repeat(100);
  for (let n = 0; n < documents; n++) {
    const blob = Array.from({ length: megabytes * 1000 }, (_, i) => `${i}:${chunk.slice(i % 100)}`).join(' ').slice(0, megabytes * 1024 * 1024);
    await client.request('PUT', `/${name}/_doc/${n}`, { body: JSON.stringify({ n, blob }) });
  }
  return snapshotAndDrop(client, name, location);
}

/** Snapshots index `name` into a filesystem repository of the same name (`snap`), then deletes the index. */
async function snapshotAndDrop(client: ClusterClient, name: string, location: string): Promise<string> {
  await client.request('POST', `/${name}/_refresh`);
  await client.request('PUT', `/_snapshot/${name}`, { body: { type: 'fs', settings: { location } } });
  await client.request('PUT', `/_snapshot/${name}/snap`, { query: { wait_for_completion: true }, body: { indices: name } });
  await client.request('DELETE', `/${name}`);
  client.close();
  return location;
}
