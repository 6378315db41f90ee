/**
 * `console metadata migrate [--index-allowlist a,b] [--dry-run]` (and `metadata evaluate`, the dry run):
 * reads each index's settings, mappings and aliases from the snapshot named in services.yaml and creates
 * the index on the target, converted the way the backfill workers convert it (source-only settings
 * dropped, mapping types removed, multi-type indices merged or split). Existing target indices are left
 * alone. Index templates are not migrated yet.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { targetIndices, type MultiTypeRule } from '../../../backfill/index-metadata';
import { openRepository } from '../../../snapshot';
import { clusterClient } from '../../clusters';
import { CommandFailedWithResult } from '../../errors';
import { table } from '../../format';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';

export interface MetadataMigrateFlags {
  indexAllowlist?: string[];
  dryRun?: boolean;
  multiTypeBehavior: MultiTypeRule;
}

export interface MigratedIndex {
  source: string;
  target: string;
  /** `created`, `would create` (dry run), `exists` (left alone) or `failed`. */
  status: 'created' | 'would create' | 'exists' | 'failed';
  error?: string;
}

export interface MetadataMigrateResult {
  snapshot: string;
  dryRun: boolean;
  indices: MigratedIndex[];
}

export const metadataMigrate: CommandDefinition<MetadataMigrateResult> = {
  name: 'metadata migrate',
  text: (r) =>
    `${r.dryRun ? 'Evaluating' : 'Migrating'} index metadata of snapshot ${r.snapshot}\n` +
    (r.indices.length ? table(['SOURCE INDEX', 'TARGET INDEX', 'RESULT'], r.indices.map((i) => [i.source, i.target, i.error ? `${i.status}: ${i.error}` : i.status])) : 'No index to migrate\n'),
};

export async function runMetadataMigrate(flags: MetadataMigrateFlags, io: ConsoleIo, command = metadataMigrate): Promise<MetadataMigrateResult> {
  const config = servicesFile(io);
  const snapshotSection = config.section('snapshot');
  const metadataSection = config.has('metadata_migration') ? config.section('metadata_migration') : undefined;
  const allowlist = flags.indexAllowlist ?? metadataSection?.index_allowlist;
  const repo = snapshotSection.fs
    ? openRepository(snapshotSection.fs.repo_path)
    : openRepository(snapshotSection.s3!.repo_uri, { region: snapshotSection.s3!.aws_region, endpoint: snapshotSection.s3!.endpoint });
  const snapshot = await repo.snapshot(snapshotSection.snapshot_name);
  const target = await clusterClient(config, 'target_cluster', 60_000);
  try {
    const result: MetadataMigrateResult = { snapshot: snapshot.name, dryRun: flags.dryRun === true, indices: [] };
    const names = snapshot.indices.filter((name) => (allowlist ? allowlist.includes(name) : !name.startsWith('.'))).sort();
    for (const name of names) {
      for (const index of targetIndices(await repo.indexMetadata(snapshot, name), flags.multiTypeBehavior)) {
        const entry: MigratedIndex = { source: name, target: index.name, status: 'created' };
        const exists = (await target.request('HEAD', `/${encodeURIComponent(index.name)}`, { expectStatus: [404] })).status === 200;
        if (exists) entry.status = 'exists';
        else if (flags.dryRun) entry.status = 'would create';
        else {
          try {
            await target.request('PUT', `/${encodeURIComponent(index.name)}`, { body: index.body });
          } catch (error) {
            entry.status = 'failed';
            entry.error = (error as Error).message;
          }
        }
        result.indices.push(entry);
      }
    }
    const failed = result.indices.filter((i) => i.status === 'failed');
    if (failed.length > 0) {
      throw new CommandFailedWithResult('MA_METADATA_FAILED', `${failed.length} of ${result.indices.length} indices could not be created on the target (first: ${failed[0].target})`, result, command.text(result));
    }
    emit(io, command, result);
    return result;
  } finally {
    target.close();
  }
}

function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

function multiType(value: string): MultiTypeRule {
  if (value !== 'merge' && value !== 'split') throw new InvalidArgumentError('must be "merge" or "split"');
  return value;
}

function withOptions(command: Command): Command {
  return command
    .option('--index-allowlist <names>', 'comma-separated indices to migrate (default: metadata_migration.index_allowlist, else every index not starting with a dot)', list)
    .option('--multi-type-behavior <merge|split>', 'for indices with several mapping types (Elasticsearch 5): one merged index, or one index per type', multiType, 'merge');
}

export function registerMetadataMigrate(group: Command, io: () => ConsoleIo): void {
  withOptions(group.command('migrate').description('create the snapshot\'s indices on the target with converted settings, mappings and aliases'))
    .option('--dry-run', 'only report what would be created')
    .addHelpText('after', '\nExample:\n  console metadata migrate --index-allowlist logs-2024,orders --dry-run')
    .action(async (flags: MetadataMigrateFlags) => {
      await runMetadataMigrate(flags, io());
    });
}
