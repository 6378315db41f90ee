/** `console metadata evaluate`: what `metadata migrate` would create, without touching the target. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { MultiTypeRule } from '../../../backfill/index-metadata';
import type { CommandDefinition, ConsoleIo } from '../../io';
import { metadataMigrate, runMetadataMigrate, type MetadataMigrateResult } from './migrate';

export type MetadataEvaluateResult = MetadataMigrateResult;

export const metadataEvaluate: CommandDefinition<MetadataEvaluateResult> = { name: 'metadata evaluate', text: metadataMigrate.text };

export function registerMetadataEvaluate(group: Command, io: () => ConsoleIo): void {
  group
    .command('evaluate')
    .description('report which indices metadata migrate would create, changing nothing')
    .option('--index-allowlist <names>', 'comma-separated indices to evaluate', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--multi-type-behavior <merge|split>', 'for indices with several mapping types', (v: string): MultiTypeRule => {
      if (v !== 'merge' && v !== 'split') throw new InvalidArgumentError('must be "merge" or "split"');
      return v;
    }, 'merge')
    .action(async (flags: { indexAllowlist?: string[]; multiTypeBehavior: MultiTypeRule }) => {
      await runMetadataMigrate({ ...flags, dryRun: true }, io(), metadataEvaluate);
    });
}
