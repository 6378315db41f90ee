/** `console clusters cat-indices [--refresh]`: the `_cat/indices` table of the source and the target. */
import type { Command } from 'commander';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { closeAll, configuredClusters, label, type SelectedCluster } from './selected-clusters';
import { isServerless } from '../../clusters';

export interface CatIndicesFlags {
  refresh?: boolean;
}

/** One row of `_cat/indices?format=json`, as the server sends it (all values strings). */
export type CatIndexRow = Record<string, string | null>;

export interface CatIndicesResult {
  refreshed: boolean;
  source_cluster?: CatIndexRow[];
  target_cluster?: CatIndexRow[];
}

const COLUMNS = ['health', 'status', 'index', 'uuid', 'pri', 'rep', 'docs.count', 'docs.deleted', 'store.size', 'pri.store.size'];
const NUMERIC = new Set(['pri', 'rep', 'docs.count', 'docs.deleted', 'store.size', 'pri.store.size']);

/** The rows in `_cat`'s own layout: a header line, numbers right-aligned, one space between columns. */
export function catTable(rows: CatIndexRow[]): string {
  const cells = [COLUMNS, ...rows.map((r) => COLUMNS.map((c) => r[c] ?? ''))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((v, i) => (NUMERIC.has(COLUMNS[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' ').trimEnd()).join('\n') + '\n';
}

export const catIndices: CommandDefinition<CatIndicesResult> = {
  name: 'clusters cat-indices',
  text: (result) => {
    let out = result.refreshed ? '' : '\nWARNING: Cluster information may be stale. Use --refresh to update.\n';
    if (result.source_cluster) out += `${label('source')}\n${catTable(result.source_cluster)}`;
    if (result.target_cluster) out += `${label('target')}\n${catTable(result.target_cluster)}`;
    return out;
  },
};

async function indicesOf(cluster: SelectedCluster, refresh: boolean): Promise<CatIndexRow[]> {
  const serverless = isServerless(cluster.section);
  if (refresh && !serverless) await cluster.client.request('POST', '/_refresh', { idempotent: true });
  const path = serverless ? '/_cat/indices' : '/_cat/indices/_all';
  const rows = (await cluster.client.request<CatIndexRow[]>('GET', path, { query: { format: 'json' } })).body;
  return rows.sort((a, b) => String(a.index).localeCompare(String(b.index)));
}

export async function runCatIndices(flags: CatIndicesFlags, io: ConsoleIo): Promise<CatIndicesResult> {
  const clusters = await configuredClusters(io, { timeoutMs: 30_000 });
  try {
    const result: CatIndicesResult = { refreshed: flags.refresh === true };
    for (const cluster of clusters) result[`${cluster.role}_cluster`] = await indicesOf(cluster, flags.refresh === true);
    emit(io, catIndices, result);
    return result;
  } finally {
    closeAll(clusters);
  }
}

export function registerCatIndices(group: Command, io: () => ConsoleIo): void {
  group
    .command('cat-indices')
    .description('list the indices of the source and target clusters (_cat/indices)')
    .option('--refresh', 'refresh every index first so document counts are current')
    .addHelpText('after', '\nExample:\n  console clusters cat-indices --refresh')
    .action(async (flags: CatIndicesFlags) => {
      await runCatIndices(flags, io());
    });
}
