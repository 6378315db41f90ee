/** `console backfill stop`: stops the workers, archives the working state to a file, then removes it. */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { archiveWorkingState, deleteWorkingState } from '../../../backfill/status';
import { clusterClient } from '../../clusters';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';
import { ConsoleError } from '../../errors';
import { backfillSetup } from './platform';

export interface BackfillStopResult {
  archive?: string;
  documents: number;
  removed: boolean;
}

export const backfillStop: CommandDefinition<BackfillStopResult> = {
  name: 'backfill stop',
  text: (r) => `Backfill stopped successfully.\n${r.archive ? `Backfill working state archived to: ${r.archive} (${r.documents} documents)\n` : "Working state index doesn't exist, skipping archive operation.\n"}`,
};

export async function runBackfillStop(flags: { archiveDir?: string; stopTimeoutSeconds: number }, io: ConsoleIo): Promise<BackfillStopResult> {
  const config = servicesFile(io);
  const setup = backfillSetup(config);
  await setup.platform.scale(0);
  if (!(await setup.platform.waitUntilStopped(flags.stopTimeoutSeconds * 1000))) {
    // Archiving while a worker still writes would archive a state that is about to change, then delete it under the worker.
    const left = await setup.platform.counts();
    throw new ConsoleError(
      'MA_BACKFILL_WORKERS_STILL_RUNNING',
      `${left.running} worker(s) still running and ${left.pending} starting ${flags.stopTimeoutSeconds} s after they were told to stop (${setup.platform.description}); the working state was left in place. Run "console backfill stop" again once they have stopped.`,
    );
  }
  const client = await clusterClient(config, 'target_cluster');
  try {
    const dir = flags.archiveDir ?? join(process.env.SHARED_LOGS_DIR_PATH ?? '.', 'backfill_working_state');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `working_state_backup_${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.jsonl`);
    const out = createWriteStream(file);
    const documents = await archiveWorkingState(client, { sessionName: setup.sessionName }, out);
    await new Promise<void>((resolve) => out.end(resolve));
    const removed = documents > 0 ? await deleteWorkingState(client, { sessionName: setup.sessionName }) : false;
    const result = { ...(documents > 0 ? { archive: file } : {}), documents, removed };
    emit(io, backfillStop, result);
    return result;
  } finally {
    client.close();
  }
}

export function registerBackfillStop(group: Command, io: () => ConsoleIo): void {
  group
    .command('stop')
    .description('stop the workers, archive the working state to a file, then remove it from the target')
    .option('--archive-dir <dir>', 'where the archive goes (default: $SHARED_LOGS_DIR_PATH/backfill_working_state or ./backfill_working_state)')
    .option('--stop-timeout <seconds>', 'how long to wait for the workers to stop before giving up (the working state is then kept)', '300')
    .action(async (flags: { archiveDir?: string; stopTimeout: string }) => {
      const stopTimeoutSeconds = Number(flags.stopTimeout);
      if (!Number.isFinite(stopTimeoutSeconds) || stopTimeoutSeconds < 0) throw new ConsoleError('MA_BAD_ARGUMENT', `--stop-timeout must be a number of seconds ≥ 0, got "${flags.stopTimeout}"`);
      await runBackfillStop({ archiveDir: flags.archiveDir, stopTimeoutSeconds }, io());
    });
}
