/** `console backfill start | pause | scale N`: set how many workers run. */
import type { Command } from 'commander';
import { ConsoleError } from '../../errors';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';
import type { WorkerCounts } from '../../workers/platform';
import { backfillSetup } from './platform';

export interface BackfillScaleResult extends WorkerCounts {
  action: 'start' | 'pause' | 'scale';
  platform: string;
}

const headline = { start: 'Backfill started successfully.\n', pause: 'Backfill paused successfully.\n', scale: '' };

export const backfillScale: CommandDefinition<BackfillScaleResult> = {
  name: 'backfill scale',
  text: (r) => `${headline[r.action]}Workers (${r.platform}) set to ${r.desired} desired count. Currently ${r.running} running and ${r.pending} pending.\n`,
};

export async function runBackfillScale(action: BackfillScaleResult['action'], count: number | undefined, io: ConsoleIo): Promise<BackfillScaleResult> {
  const setup = backfillSetup(servicesFile(io));
  const desired = action === 'pause' ? 0 : action === 'start' ? setup.defaultScale : count!;
  const counts = await setup.platform.scale(desired);
  const result = { action, platform: setup.platform.description, ...counts };
  emit(io, { ...backfillScale, name: `backfill ${action}` }, result);
  return result;
}

export function registerBackfillScale(group: Command, io: () => ConsoleIo): void {
  group.command('start').description('start the workers (as many as backfill.reindex_from_snapshot.scale)').action(async () => {
    await runBackfillScale('start', undefined, io());
  });
  group.command('pause').description('stop every worker; progress stays in the working state, start resumes it').action(async () => {
    await runBackfillScale('pause', undefined, io());
  });
  group
    .command('scale')
    .description('run this many workers')
    .argument('<count>', 'number of workers')
    .action(async (count: string) => {
      const n = Number(count);
      if (!Number.isInteger(n) || n < 0) throw new ConsoleError('MA_BAD_ARGUMENT', `worker count must be a whole number ≥ 0, got "${count}"`);
      await runBackfillScale('scale', n, io());
    });
}
