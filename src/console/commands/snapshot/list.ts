/**
 * `console snapshot list --repo <dir|s3://…>`: the snapshots of a repository and, per index, its shards,
 * live documents and size, read straight from the repository.
 */
import type { Command } from 'commander';
import { listRepository, type RepositoryListing } from '../../../snapshot';
import { bytes, table } from '../../format';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { addRepoOptions, repositoryOptions, type RepoFlags } from './repo-options';

export type SnapshotListResult = RepositoryListing;

export const snapshotList: CommandDefinition<SnapshotListResult> = {
  name: 'snapshot list',
  text: (result) =>
    result.snapshots
      .map(
        (s) =>
          `Snapshot ${s.name} (${s.state}${s.version ? `, ${s.version}` : ''})\n` +
          table(
            ['INDEX', 'SHARDS', 'DOCUMENTS', 'SIZE'],
            s.indices.map((i) => [i.name, i.shards, i.documents, bytes(i.bytes)]),
          ),
      )
      .join('\n') || `No snapshot in ${result.repository}\n`,
};

export async function runSnapshotList(flags: RepoFlags, io: ConsoleIo): Promise<SnapshotListResult> {
  const result = await listRepository({ repo: flags.repo, snapshot: flags.snapshot, ...repositoryOptions(flags) });
  emit(io, snapshotList, result);
  return result;
}

export function registerSnapshotList(group: Command, io: () => ConsoleIo): void {
  addRepoOptions(group.command('list').description('list the snapshots of a repository with shards, documents and sizes per index'), true)
    .addHelpText('after', '\nExample:\n  console snapshot list --repo s3://bucket/snapshots --s3-region eu-west-1')
    .action(async (flags: RepoFlags) => {
      await runSnapshotList(flags, io());
    });
}
