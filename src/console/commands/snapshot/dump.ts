/**
 * `console snapshot dump --repo <dir|s3://…> [--snapshot NAME] [--index NAME]…`
 * Writes every live document of a snapshot as one JSON object per line on stdout:
 * {"_index","_id","_type"?,"_routing"?,"_source"}. Needs no services.yaml and no cluster.
 */
import type { Command } from 'commander';
import { dumpSnapshot, type DumpResult } from '../../../snapshot';
import type { ConsoleIo } from '../../io';
import { addRepoOptions, repositoryOptions, type RepoFlags } from './repo-options';

export type SnapshotDumpResult = DumpResult;

export interface SnapshotDumpFlags extends RepoFlags {
  index?: string[];
}

export async function runSnapshotDump(flags: SnapshotDumpFlags, io: ConsoleIo): Promise<SnapshotDumpResult> {
  const result = await dumpSnapshot({ repo: flags.repo, snapshot: flags.snapshot, indices: flags.index, ...repositoryOptions(flags) }, io.stdout);
  // The documents are the output; the summary goes to stderr so the stream stays pure JSON lines.
  const summary = io.json
    ? JSON.stringify({ version: 1, command: 'snapshot dump', status: 0, result })
    : `Dumped ${result.documents} documents from ${result.indices.length} indices of snapshot ${result.snapshot}`;
  io.stderr.write(summary + '\n');
  return result;
}

export function registerSnapshotDump(group: Command, io: () => ConsoleIo): void {
  addRepoOptions(
    group
      .command('dump')
      .description('write every live document of a snapshot as JSON lines, read straight from the repository')
      .option('--index <name>', 'only this index (repeatable)', (value: string, all: string[] = []) => [...all, value]),
    true,
  )
    .addHelpText('after', '\nExamples:\n  console snapshot dump --repo /mnt/snapshots > docs.ndjson\n  console snapshot dump --repo s3://bucket/prefix --s3-region us-east-1 --snapshot nightly --index logs')
    .action(async (flags: SnapshotDumpFlags) => {
      await runSnapshotDump(flags, io());
    });
}
