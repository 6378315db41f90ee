/**
 * `console clusters compare [--index NAME]… [--sample N]`: per index, document counts, the sets of ids and
 * a checksum of each `_source` (key order does not matter) on source and target. Exits non-zero on any
 * difference. Documents are read in pages with scroll; memory grows with the number of ids, not their size.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { ClusterClient } from '../../../cluster';
import { clusterClient } from '../../clusters';
import { ServicesConfig } from '../../config/services';
import { CommandFailedWithResult } from '../../errors';
import { table } from '../../format';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';

export interface IndexComparison {
  index: string;
  source: number;
  target: number;
  missing: number;
  extra: number;
  different: number;
  equal: boolean;
  examples: string[];
}

export interface CompareResult {
  indices: IndexComparison[];
  equal: boolean;
}

export const compare: CommandDefinition<CompareResult> = {
  name: 'clusters compare',
  text: (r) =>
    table(
      ['INDEX', 'SOURCE DOCS', 'TARGET DOCS', 'MISSING', 'EXTRA', 'DIFFERENT', 'RESULT'],
      r.indices.map((i) => [i.index, i.source, i.target, i.missing, i.extra, i.different, i.equal ? 'equal' : 'DIFFERENT']),
    ) + (r.equal ? `\nAll ${r.indices.length} indices are equal.\n` : `\nDifferences found, for example: ${r.indices.flatMap((i) => i.examples).slice(0, 5).join(', ')}\n`),
};

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** id (with routing) → checksum of the source, for every document of the index. */
async function fingerprints(client: ClusterClient, index: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  type Page = { _scroll_id?: string; hits: { hits: { _id: string; _routing?: string; _source: unknown }[] } };
  let page = (await client.request<Page>('POST', `/${encodeURIComponent(index)}/_search`, { query: { scroll: '2m' }, body: { size: 1000, sort: ['_doc'] }, idempotent: true })).body;
  try {
    while (page.hits.hits.length > 0) {
      for (const hit of page.hits.hits) out.set(`${hit._id}${hit._routing ? `@${hit._routing}` : ''}`, createHash('sha1').update(canonical(hit._source)).digest('hex'));
      page = (await client.request<Page>('POST', '/_search/scroll', { body: { scroll: '2m', scroll_id: page._scroll_id }, idempotent: true })).body;
    }
  } finally {
    if (page._scroll_id) await client.request('DELETE', '/_search/scroll', { body: { scroll_id: page._scroll_id }, expectStatus: [404] }).catch(() => undefined);
  }
  return out;
}

export interface CompareFlags {
  index?: string[];
  /** Check the checksums of this many randomly chosen documents per index instead of all (counts stay exact). */
  sample?: number;
}

type Hit = { _id: string; _routing?: string; _source: unknown };

/** Sampled comparison: exact counts, then `size` random source documents looked up by id on the target. */
async function compareSample(source: ClusterClient, target: ClusterClient, index: string, size: number, targetExists: boolean): Promise<IndexComparison> {
  const path = `/${encodeURIComponent(index)}`;
  const count = async (client: ClusterClient) => (await client.request<{ count: number }>('GET', `${path}/_count`)).body.count;
  const comparison: IndexComparison = { index, source: await count(source), target: targetExists ? await count(target) : 0, missing: 0, extra: 0, different: 0, equal: true, examples: [] };
  const picked = (await source.request<{ hits: { hits: Hit[] } }>('POST', `${path}/_search`, { body: { size, query: { function_score: { random_score: { seed: Date.now(), field: '_seq_no' } } } }, idempotent: true })).body.hits.hits;
  const found = new Map<string, unknown>();
  if (targetExists && picked.length > 0) {
    const docs = (await target.request<{ docs: (Hit & { found: boolean })[] }>('POST', `${path}/_mget`, { body: { docs: picked.map((h) => ({ _id: h._id, ...(h._routing ? { routing: h._routing } : {}) })) }, idempotent: true })).body.docs;
    for (const doc of docs) if (doc.found) found.set(doc._id, doc._source);
  }
  for (const hit of picked) {
    if (!found.has(hit._id)) {
      comparison.missing++;
      if (comparison.examples.length < 3) comparison.examples.push(`${index}/${hit._id} missing`);
    } else if (canonical(found.get(hit._id)) !== canonical(hit._source)) {
      comparison.different++;
      if (comparison.examples.length < 3) comparison.examples.push(`${index}/${hit._id} differs`);
    }
  }
  comparison.extra = Math.max(0, comparison.target - comparison.source);
  comparison.equal = comparison.missing === 0 && comparison.different === 0 && comparison.source === comparison.target;
  return comparison;
}

export async function runCompare(flags: CompareFlags, io: ConsoleIo): Promise<CompareResult> {
  const config = ServicesConfig.load(io.configFile);
  const source = await clusterClient(config, 'source_cluster', 120_000);
  const target = await clusterClient(config, 'target_cluster', 120_000);
  try {
    let indices = flags.index;
    if (!indices?.length) {
      const listed = await source.request<{ index: string }[]>('GET', '/_cat/indices', { query: { format: 'json', h: 'index' } });
      indices = listed.body.map((i) => i.index).filter((name) => !name.startsWith('.')).sort();
    }
    const result: CompareResult = { indices: [], equal: true };
    for (const index of indices) {
      await source.request('POST', `/${encodeURIComponent(index)}/_refresh`, { idempotent: true });
      const refreshed = await target.request('POST', `/${encodeURIComponent(index)}/_refresh`, { idempotent: true, expectStatus: [404] });
      if (flags.sample !== undefined) {
        const sampled = await compareSample(source, target, index, flags.sample, refreshed.status !== 404);
        result.equal &&= sampled.equal;
        result.indices.push(sampled);
        continue;
      }
      const want = await fingerprints(source, index);
      const got = refreshed.status === 404 ? new Map<string, string>() : await fingerprints(target, index);
      const comparison: IndexComparison = { index, source: want.size, target: got.size, missing: 0, extra: 0, different: 0, equal: true, examples: [] };
      for (const [id, sum] of want) {
        const other = got.get(id);
        if (other === undefined) {
          comparison.missing++;
          if (comparison.examples.length < 3) comparison.examples.push(`${index}/${id} missing`);
        } else if (other !== sum) {
          comparison.different++;
          if (comparison.examples.length < 3) comparison.examples.push(`${index}/${id} differs`);
        }
      }
      for (const id of got.keys()) if (!want.has(id)) comparison.extra++;
      comparison.equal = comparison.missing === 0 && comparison.extra === 0 && comparison.different === 0;
      result.equal &&= comparison.equal;
      result.indices.push(comparison);
    }
    if (!result.equal) throw new CommandFailedWithResult('MA_COMPARE_DIFFERENT', 'the target differs from the source', result, compare.text(result));
    emit(io, compare, result);
    return result;
  } finally {
    source.close();
    target.close();
  }
}

export function registerCompare(group: Command, io: () => ConsoleIo): void {
  group
    .command('compare')
    .description('compare every document (ids, routing and _source) between source and target; exits 1 on any difference')
    .option('--index <name>', 'only this index (repeatable; default: every index not starting with a dot)', (v: string, all: string[] = []) => [...all, v])
    .option('--sample <count>', 'check the _source of this many random documents per index instead of all (counts stay exact)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('must be a whole number from 1 to 10000');
      return n;
    })
    .action(async (flags: CompareFlags) => {
      await runCompare(flags, io());
    });
}
