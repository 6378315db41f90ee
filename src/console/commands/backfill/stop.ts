/** `console backfill stop`: stops the workers, archives the working state to a file, then removes it. */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { archiveWorkingState, deleteWorkingState } from '../../../backfill/status';
import { clusterClient } from '../../clusters';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';
import { LocalWorkers } from '../../workers/local';
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

export async function runBackfillStop(flags: { archiveDir?: string }, io: ConsoleIo): Promise<BackfillStopResult> {
  const config = servicesFile(io);
  const setup = backfillSetup(config);
  await setup.platform.scale(0);
  if (setup.platform instanceof LocalWorkers) await setup.platform.waitForExit(60_000);
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
    .action(async (flags: { archiveDir?: string }) => {
      await runBackfillStop(flags, io());
    });
}
