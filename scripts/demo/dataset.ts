/**
 * The demo's data set, written through the capture proxy like a real client would: several indices with
 * documents of varied sizes, custom routing, updates and deletes, so the migration has real work to verify.
 */
import { request } from 'node:http';

export interface DatasetOptions {
  /** Base URL clients use (the capture proxy in front of the source). */
  endpoint: string;
  /** Documents to create in all, spread over the indices. */
  documents: number;
  /** Bulk request size in documents. */
  batch?: number;
  /** Called after each bulk with the documents written so far. */
  onProgress?: (written: number, total: number) => void;
}

export interface DatasetSummary {
  indices: { name: string; shards: number; created: number; updated: number; deleted: number }[];
  live: number;
}

interface IndexPlan {
  name: string;
  shards: number;
  mappings?: Record<string, unknown>;
  share: number;
  routed: boolean;
  document: (n: number) => Record<string, unknown>;
}

const WORDS = ['migration', 'snapshot', 'cluster', 'shard', 'replica', 'segment', 'lucene', 'search', 'query',
  'index', 'mapping', 'routing', 'capture', 'traffic', 'backfill', 'worker', 'lease', 'checkpoint', 'kafka', 'target'];

function text(n: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(n * 7 + i * 13) % WORDS.length]);
  return out.join(' ');
}

const PLANS: IndexPlan[] = [
  {
    name: 'demo-orders',
    shards: 3,
    mappings: { properties: { total: { type: 'double' }, customer: { type: 'keyword' }, created: { type: 'date' } } },
    share: 0.5,
    routed: true,
    document: (n) => ({
      order_id: n,
      customer: `customer-${n % 997}`,
      total: Math.round((n % 10_000) * 1.37) / 100,
      lines: Array.from({ length: 1 + (n % 5) }, (_, i) => ({ sku: `sku-${(n + i) % 503}`, qty: 1 + (i % 3) })),
      created: new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString(),
    }),
  },
  {
    name: 'demo-articles',
    shards: 2,
    share: 0.3,
    routed: false,
    // Sizes from about 200 bytes to about 12 KB, like a real content index.
    document: (n) => ({ title: text(n, 6), body: text(n, 30 + ((n * 31) % 1800)), tags: [WORDS[n % 20], WORDS[(n + 3) % 20]] }),
  },
  {
    name: 'demo-logs',
    shards: 1,
    share: 0.2,
    routed: false,
    document: (n) => ({ '@timestamp': new Date(Date.UTC(2026, 5, 1) + n * 1000).toISOString(), level: ['INFO', 'WARN', 'ERROR'][n % 3], message: text(n, 12), host: { name: `host-${n % 17}` } }),
  },
];

export function routingFor(n: number): string {
  return `tenant-${n % 13}`;
}

async function call(endpoint: string, method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function bulk(endpoint: string, lines: string[]): Promise<void> {
  const response = await call(endpoint, 'POST', '/_bulk', lines.join('\n') + '\n', 'application/x-ndjson');
  if (response.status !== 200) throw new Error(`bulk request failed with HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  const parsed = JSON.parse(response.text) as { errors: boolean; items: Record<string, { error?: unknown }>[] };
  if (parsed.errors) {
    const first = parsed.items.map((i) => Object.values(i)[0]).find((r) => r.error);
    throw new Error(`bulk request had item errors, first: ${JSON.stringify(first?.error)}`);
  }
}

/** Creates the indices, writes the documents, then updates and deletes a share of them. */
export async function writeDataset(options: DatasetOptions): Promise<DatasetSummary> {
  const batch = options.batch ?? 1000;
  const summary: DatasetSummary = { indices: [], live: 0 };
  let written = 0;
  for (const plan of PLANS) {
    await call(options.endpoint, 'DELETE', `/${plan.name}`);
    const created = await call(options.endpoint, 'PUT', `/${plan.name}`, JSON.stringify({ settings: { number_of_shards: plan.shards, number_of_replicas: 0 }, ...(plan.mappings ? { mappings: plan.mappings } : {}) }));
    if (created.status !== 200) throw new Error(`creating index ${plan.name} failed with HTTP ${created.status}: ${created.text.slice(0, 300)}`);
    const count = Math.max(10, Math.round(options.documents * plan.share));
    for (let start = 0; start < count; start += batch) {
      const lines: string[] = [];
      for (let n = start; n < Math.min(count, start + batch); n++) {
        const action: Record<string, unknown> = { _index: plan.name, _id: `${plan.name}-${n}` };
        if (plan.routed) action.routing = routingFor(n);
        lines.push(JSON.stringify({ index: action }), JSON.stringify(plan.document(n)));
      }
      await bulk(options.endpoint, lines);
      written += lines.length / 2;
      options.onProgress?.(written, options.documents);
    }
    // Every 10th document is updated (a new version replaces the old one in Lucene: a delete plus an add),
    // every 25th is deleted, so the snapshot holds deleted documents the backfill must not resurrect.
    const lines: string[] = [];
    let updated = 0;
    let deleted = 0;
    for (let n = 0; n < count; n++) {
      const action: Record<string, unknown> = { _index: plan.name, _id: `${plan.name}-${n}` };
      if (plan.routed) action.routing = routingFor(n);
      if (n % 25 === 0) {
        lines.push(JSON.stringify({ delete: action }));
        deleted++;
      } else if (n % 10 === 0) {
        lines.push(JSON.stringify({ update: action }), JSON.stringify({ doc: { updated: true, revision: 2 } }));
        updated++;
      }
      if (lines.length >= batch) await bulk(options.endpoint, lines.splice(0));
    }
    if (lines.length > 0) await bulk(options.endpoint, lines);
    summary.indices.push({ name: plan.name, shards: plan.shards, created: count, updated, deleted });
    summary.live += count - deleted;
  }
  const refreshed = await call(options.endpoint, 'POST', '/_refresh');
  if (refreshed.status !== 200) throw new Error(`refresh failed with HTTP ${refreshed.status}`);
  return summary;
}
