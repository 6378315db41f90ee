/**
 * `console snapshot delete [--acknowledge-risk]`: deletes the snapshot named in services.yaml from its
 * repository, asking first, and waits until the cluster no longer lists it.
 */
import type { Command } from 'commander';
import { clusterClient } from '../../clusters';
import { confirmed } from '../../confirm';
import { ConsoleError } from '../../errors';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';

export interface SnapshotDeleteFlags {
  acknowledgeRisk?: boolean;
  /** Seconds to wait for the snapshot to disappear; default 120. */
  timeout?: number;
}

export interface SnapshotDeleteResult {
  snapshot: string;
  repository: string;
  /** False when the snapshot did not exist. */
  existed: boolean;
}

export const snapshotDelete: CommandDefinition<SnapshotDeleteResult> = {
  name: 'snapshot delete',
  text: (r) => (r.existed ? `Snapshot ${r.snapshot} successfully deleted.\n` : `Deleted snapshot: ${r.snapshot} from repository '${r.repository}'\n`),
};

const QUESTION = 'If you proceed with deleting the snapshot, the cluster will delete underlying local and remote files associated with the snapshot. Are you sure you want to continue?';

export async function runSnapshotDelete(flags: SnapshotDeleteFlags, io: ConsoleIo, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<SnapshotDeleteResult> {
  const config = servicesFile(io);
  const snapshot = config.section('snapshot');
  const repository = snapshot.snapshot_repo_name ?? 'migration_assistant_repo';
  if (!flags.acknowledgeRisk && !(await confirmed(io, QUESTION))) throw new ConsoleError('MA_ABORTED', 'Aborting the command to delete snapshot: nothing was deleted');
  const client = await clusterClient(config, 'source_cluster');
  const path = `/_snapshot/${encodeURIComponent(repository)}/${encodeURIComponent(snapshot.snapshot_name)}`;
  try {
    const deleted = await client.request('DELETE', path, { expectStatus: [404] });
    const result = { snapshot: snapshot.snapshot_name, repository, existed: deleted.status !== 404 };
    const deadline = Date.now() + (flags.timeout ?? 120) * 1000;
    while (result.existed && (await client.request('GET', path, { expectStatus: [404] })).status !== 404) {
      if (Date.now() > deadline) throw new ConsoleError('MA_SNAPSHOT_DELETE_TIMEOUT', `snapshot ${snapshot.snapshot_name} in repository ${repository} was not deleted after ${flags.timeout ?? 120} seconds`);
      await sleep(2000);
    }
    emit(io, snapshotDelete, result);
    return result;
  } finally {
    client.close();
  }
}

export function registerSnapshotDelete(group: Command, io: () => ConsoleIo): void {
  group
    .command('delete')
    .description('delete the snapshot named in services.yaml (asks for confirmation)')
    .option('--acknowledge-risk', 'do not ask for confirmation')
    .addHelpText('after', '\nExample:\n  console snapshot delete --acknowledge-risk')
    .action(async (flags: SnapshotDeleteFlags) => {
      await runSnapshotDelete(flags, io());
    });
}
