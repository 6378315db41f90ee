/** `console metadata evaluate`: what `metadata migrate` would create, without touching the target. */
import type { Command } from 'commander';
import type { CommandDefinition, ConsoleIo } from '../../io';
import { metadataMigrate, metadataOptions, runMetadataMigrate, type MetadataMigrateFlags, type MetadataMigrateResult } from './migrate';

export type MetadataEvaluateResult = MetadataMigrateResult;

export const metadataEvaluate: CommandDefinition<MetadataEvaluateResult> = { name: 'metadata evaluate', text: metadataMigrate.text };

export function registerMetadataEvaluate(group: Command, io: () => ConsoleIo): void {
  metadataOptions(group.command('evaluate').description('report which templates and indices metadata migrate would create, changing nothing')).action(async (flags: MetadataMigrateFlags) => {
    await runMetadataMigrate({ ...flags, dryRun: true }, io(), metadataEvaluate);
  });
}
