/** `console snapshot status [--deep-check]`: the snapshot's state, and with --deep-check its progress per index. */
import type { Command } from 'commander';
import { clusterClient } from '../../clusters';
import { ServicesConfig } from '../../config/services';
import { ConsoleError } from '../../errors';
import { bytes, table } from '../../format';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';

export interface SnapshotStatusResult {
  snapshot: string;
  state: string;
  startTime?: string;
  endTime?: string;
  percent: number;
  shards: { total: number; done: number; failed: number };
  bytes: { processed: number; total: number };
  throughputMibPerSec?: number;
  /** Estimated time left, from the elapsed time and the percentage done; 0 when unknown or finished. */
  etaMs?: number;
  indices?: { index: string; shardsDone: number; shardsTotal: number; bytesProcessed: number; bytesTotal: number }[];
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(3);

export const snapshotStatus: CommandDefinition<SnapshotStatusResult> = {
  name: 'snapshot status',
  // The deep-check block keeps the reference's lines: workflow scripts scrape "Total shards:",
  // "Successful shards:", "Data processed:" and "Estimated time to completion:".
  text: (r) => {
    if (r.indices === undefined) return `${r.state}\n`;
    return (
      `Snapshot status: ${r.state}\nStart time: ${clock(r.startTime)}\nFinished time: ${clock(r.endTime)}\nPercent completed: ${r.percent.toFixed(2)}%\n` +
      `Estimated time to completion: ${duration(r.etaMs ?? 0)}\n` +
      `Data processed: ${mib(r.bytes.processed)}/${mib(r.bytes.total)} MiB\nThroughput: ${(r.throughputMibPerSec ?? 0).toFixed(3)} MiB/sec\nTotal shards: ${r.shards.total}\nSuccessful shards: ${r.shards.done}\n\n` +
      table(['INDEX', 'SHARDS DONE', 'DATA'], r.indices.map((i) => [i.index, `${i.shardsDone}/${i.shardsTotal}`, `${bytes(i.bytesProcessed)}/${bytes(i.bytesTotal)}`]))
    );
  },
};

/** `YYYY-mm-dd HH:MM:SS` in UTC, as the reference prints it. */
function clock(iso: string | undefined): string {
  return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '';
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

interface StatusResponse {
  snapshots: {
    state: string;
    shards_stats: { total: number; done: number; failed: number };
    stats: { start_time_in_millis: number; time_in_millis: number; total: { size_in_bytes: number }; processed?: { size_in_bytes: number }; incremental?: { size_in_bytes: number } };
    indices: Record<string, { shards_stats: { total: number; done: number }; stats: { total: { size_in_bytes: number }; processed?: { size_in_bytes: number } } }>;
  }[];
}

export async function runSnapshotStatus(flags: { deepCheck?: boolean }, io: ConsoleIo): Promise<SnapshotStatusResult> {
  const config = ServicesConfig.load(io.configFile);
  const snapshot = config.section('snapshot');
  const repository = snapshot.snapshot_repo_name ?? 'migration_assistant_repo';
  const client = await clusterClient(config, 'source_cluster');
  try {
    const name = encodeURIComponent(snapshot.snapshot_name);
    const info = await client.request<{ snapshots: { state: string; start_time?: string; end_time?: string; shards?: { total: number; successful: number; failed: number } }[] }>('GET', `/_snapshot/${repository}/${name}`, { expectStatus: [404] });
    if (info.status === 404) {
      throw new ConsoleError('MA_SNAPSHOT_NOT_FOUND', `snapshot ${snapshot.snapshot_name} is not in repository ${repository} on the source cluster: not started yet (console snapshot create), or deleted`);
    }
    const s = info.body.snapshots[0];
    const result: SnapshotStatusResult = {
      snapshot: snapshot.snapshot_name,
      state: s.state,
      startTime: s.start_time,
      endTime: s.end_time,
      percent: s.state === 'SUCCESS' ? 100 : 0,
      shards: { total: s.shards?.total ?? 0, done: s.shards?.successful ?? 0, failed: s.shards?.failed ?? 0 },
      bytes: { processed: 0, total: 0 },
    };
    if (flags.deepCheck) {
      const status = (await client.request<StatusResponse>('GET', `/_snapshot/${repository}/${name}/_status`)).body.snapshots[0];
      const total = status.stats.incremental?.size_in_bytes || status.stats.total.size_in_bytes;
      const processed = status.stats.processed?.size_in_bytes || (s.state === 'SUCCESS' ? total : 0);
      result.bytes = { processed, total };
      result.shards = { total: status.shards_stats.total, done: status.shards_stats.done, failed: status.shards_stats.failed };
      result.percent = s.state === 'SUCCESS' ? 100 : total > 0 ? (processed / total) * 100 : 0;
      result.etaMs = result.percent > 0 && result.percent < 100 ? (status.stats.time_in_millis / result.percent) * (100 - result.percent) : 0;
      result.throughputMibPerSec = status.stats.time_in_millis > 0 ? processed / 1024 / 1024 / (status.stats.time_in_millis / 1000) : 0;
      result.indices = Object.entries(status.indices).map(([index, i]) => ({
        index,
        shardsDone: i.shards_stats.done,
        shardsTotal: i.shards_stats.total,
        bytesProcessed: i.stats.processed?.size_in_bytes ?? i.stats.total.size_in_bytes,
        bytesTotal: i.stats.total.size_in_bytes,
      }));
    }
    emit(io, snapshotStatus, result);
    return result;
  } finally {
    client.close();
  }
}

export function registerSnapshotStatus(group: Command, io: () => ConsoleIo): void {
  group
    .command('status')
    .description('the state of the snapshot named in services.yaml')
    .option('--deep-check', 'progress per index: shards, bytes, throughput')
    .action(async (flags: { deepCheck?: boolean }) => {
      await runSnapshotStatus(flags, io());
    });
}
