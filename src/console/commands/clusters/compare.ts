/**
 * `console clusters compare [--index NAME]… [--sample N]`: per index, document counts, the sets of ids and
 * a checksum of each `_source` (key order does not matter) on source and target. Exits non-zero on any
 * difference. Documents are read in pages with scroll; memory grows with the number of ids, not their size.
 */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import type { ClusterClient } from '../../../cluster';
import { clusterClient } from '../../clusters';
import { ServicesConfig } from '../../config/services';
import { ConsoleError } from '../../errors';
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

export async function runCompare(flags: { index?: string[] }, io: ConsoleIo): Promise<CompareResult> {
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
    emit(io, compare, result);
    if (!result.equal) throw new ConsoleError('MA_COMPARE_DIFFERENT', 'the target differs from the source');
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
    .action(async (flags: { index?: string[] }) => {
      await runCompare(flags, io());
    });
}
