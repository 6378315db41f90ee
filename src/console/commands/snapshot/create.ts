/**
 * `console snapshot create [--wait] [--max-snapshot-rate-mb-per-node N]`: registers the repository from
 * services.yaml on the source (filesystem, or S3 with the role the cluster assumes) and starts a snapshot of
 * every index that does not start with a dot, with the cluster's global state.
 */
import type { Command } from 'commander';
import { clusterClient } from '../../clusters';
import { ServicesConfig } from '../../config/services';
import { ConsoleError } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';

export interface SnapshotCreateResult {
  snapshot: string;
  repository: string;
  state: string;
  waited: boolean;
}

export const snapshotCreate: CommandDefinition<SnapshotCreateResult> = {
  name: 'snapshot create',
  text: (r) => `Snapshot ${r.snapshot} creation initiated successfully\n${r.waited ? `Snapshot ${r.snapshot} finished: ${r.state}\n` : ''}`,
};

export async function runSnapshotCreate(flags: { wait?: boolean; maxSnapshotRateMbPerNode?: string }, io: ConsoleIo): Promise<SnapshotCreateResult> {
  const config = ServicesConfig.load(io.configFile);
  const snapshot = config.section('snapshot');
  const repository = snapshot.snapshot_repo_name ?? 'migration_assistant_repo';
  const client = await clusterClient(config, 'source_cluster', 120_000);
  try {
    const rate = flags.maxSnapshotRateMbPerNode ? { max_snapshot_bytes_per_sec: `${Number(flags.maxSnapshotRateMbPerNode)}mb` } : {};
    if (flags.maxSnapshotRateMbPerNode && !(Number(flags.maxSnapshotRateMbPerNode) > 0)) throw new ConsoleError('MA_BAD_OPTION', `--max-snapshot-rate-mb-per-node must be a positive number, got "${flags.maxSnapshotRateMbPerNode}"`);
    let body: object;
    if (snapshot.fs) body = { type: 'fs', settings: { location: snapshot.fs.repo_path, ...rate } };
    else {
      const s3 = snapshot.s3!;
      const [, bucket, basePath] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(s3.repo_uri)!;
      body = { type: 's3', settings: { bucket, base_path: basePath.replace(/\/$/, ''), region: s3.aws_region, ...(s3.role ? { role_arn: s3.role } : {}), ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...rate } };
    }
    await client.request('PUT', `/_snapshot/${repository}`, { body });
    await client.request('PUT', `/_snapshot/${repository}/${encodeURIComponent(snapshot.snapshot_name)}`, { body: { indices: '*,-.*', include_global_state: true, ignore_unavailable: true } });
    let state = 'IN_PROGRESS';
    if (flags.wait) {
      const started = Date.now();
      for (;;) {
        const info = await client.request<{ snapshots: { state: string; shards?: { total: number; successful: number } }[] }>('GET', `/_snapshot/${repository}/${encodeURIComponent(snapshot.snapshot_name)}`);
        state = info.body.snapshots[0]?.state ?? 'UNKNOWN';
        if (state !== 'IN_PROGRESS' && state !== 'STARTED') break;
        if (!io.json) io.stderr.write(`\rwaiting for snapshot ${snapshot.snapshot_name}: ${Math.round((Date.now() - started) / 1000)} s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (!io.json) io.stderr.write('\n');
      if (state !== 'SUCCESS') throw new ConsoleError('MA_SNAPSHOT_FAILED', `snapshot ${snapshot.snapshot_name} ended ${state}`);
    }
    const result = { snapshot: snapshot.snapshot_name, repository, state, waited: flags.wait === true };
    emit(io, snapshotCreate, result);
    return result;
  } finally {
    client.close();
  }
}

export function registerSnapshotCreate(group: Command, io: () => ConsoleIo): void {
  group
    .command('create')
    .description('register the repository on the source and snapshot every index not starting with a dot')
    .option('--wait', 'wait until the snapshot is finished')
    .option('--max-snapshot-rate-mb-per-node <mb>', 'limit how fast each node writes the snapshot')
    .action(async (flags: { wait?: boolean; maxSnapshotRateMbPerNode?: string }) => {
      await runSnapshotCreate(flags, io());
    });
}
