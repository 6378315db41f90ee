/** Helpers for backfill tests: seed a source, snapshot it, run worker processes, compare clusters. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { ClusterClient } from '../../src/cluster';

export interface SeededIndex {
  name: string;
  shards: number;
  documents: number;
  /** Extra index settings, such as a codec. */
  settings?: Record<string, unknown>;
}

/** Creates indices with routing on some documents, then updates and deletes a share of them. */
export async function seedIndices(client: ClusterClient, indices: SeededIndex[]): Promise<void> {
  for (const index of indices) {
    await client.request('PUT', `/${index.name}`, { body: { settings: { number_of_shards: index.shards, number_of_replicas: 0, ...index.settings } } });
    const routing = (i: number) => (i % 4 === 0 ? { routing: `tenant-${i % 3}` } : {});
    const lines: string[] = [];
    for (let i = 0; i < index.documents; i++) {
      lines.push(JSON.stringify({ index: { _index: index.name, _id: `d${i}`, ...routing(i) } }), JSON.stringify({ n: i, text: `document ${i} of ${index.name}`, pad: 'x'.repeat(i % 300) }));
    }
    for (let i = 0; i < index.documents; i += 7) {
      lines.push(JSON.stringify({ index: { _index: index.name, _id: `d${i}`, ...routing(i) } }), JSON.stringify({ n: i, text: 'updated', version: 2 }));
    }
    for (let i = 3; i < index.documents; i += 11) lines.push(JSON.stringify({ delete: { _index: index.name, _id: `d${i}`, ...routing(i) } }));
    const response = await client.request<{ errors: boolean }>('POST', '/_bulk', { body: lines.join('\n') + '\n', contentType: 'application/x-ndjson', idempotent: true, query: { refresh: 'true' } });
    if (response.body.errors) throw new Error(`seeding ${index.name} reported errors`);
  }
}

export async function snapshot(client: ClusterClient, repoName: string, location: string, indices: string[]): Promise<void> {
  await client.request('PUT', `/_snapshot/${repoName}`, { body: { type: 'fs', settings: { location } } });
  const response = await client.request<{ snapshot: { state: string } }>('PUT', `/_snapshot/${repoName}/snap`, { query: { wait_for_completion: true }, body: { indices: indices.join(',') } });
  if (response.body.snapshot.state !== 'SUCCESS') throw new Error(`snapshot ended ${response.body.snapshot.state}`);
}

export interface DocKey {
  id: string;
  routing?: string;
  source: unknown;
}

/** Every document of an index, sorted by id (bounded: test indices are small). */
export async function allDocuments(client: ClusterClient, index: string): Promise<DocKey[]> {
  await client.request('POST', `/${index}/_refresh`, { idempotent: true });
  const response = await client.request<{ hits: { hits: { _id: string; _routing?: string; _source: unknown }[] } }>('POST', `/${index}/_search`, {
    body: { size: 10000, query: { match_all: {} } },
    idempotent: true,
  });
  return response.body.hits.hits.map((h) => ({ id: h._id, ...(h._routing ? { routing: h._routing } : {}), source: h._source })).sort((a, b) => a.id.localeCompare(b.id));
}

const ROOT = resolve(__dirname, '../..');

export function startWorker(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/backfill/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Resolves with the exit code; kills the process if it runs longer than `timeoutMs`. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not finish within ${timeoutMs} ms; last output:\n${log}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`worker exited ${code ?? signal}:\n${log}\n`);
      resolveExit(code);
    });
  });
}

export interface BulkProxy {
  /** The proxy's URL, to give workers as their target. */
  url: string;
  /** Closes every connection, both sides, so nothing outlives the test. */
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` that hands each `_bulk` request to `onBulk`, which forwards it
 * when it likes (after a delay, never, or answers it itself); everything else passes
 * straight through. Its upstream sockets have an agent of their own, destroyed on close.
 */
export async function startBulkProxy(target: string, onBulk: (forward: () => void, response: ServerResponse, request: IncomingMessage) => void): Promise<BulkProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const forward = () => {
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (req.url?.startsWith('/_bulk')) onBulk(forward, res, req);
    else forward();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
