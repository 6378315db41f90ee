/**
 * `console backfill status [--deep-check] [--watch] [--timeout S]`. The first lines are as the Backfill
 * documentation shows them (BackfillStatus.…, Running=, Pending=, Desired=, Shards …: real shards, not work
 * items); then documents of the snapshot's total, bytes, rate, ETA and failures. `--watch` redraws a
 * progress bar until every work item is done.
 */
import type { Command } from 'commander';
import { readBackfillProgress, type BackfillProgress } from '../../../backfill/status';
import { clusterClient } from '../../clusters';
import { ConsoleError } from '../../errors';
import { bytes } from '../../format';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';
import type { WorkerCounts } from '../../workers/platform';
import { backfillSetup } from './platform';

export interface BackfillStatusResult {
  status: 'RUNNING' | 'STARTING' | 'STOPPED' | 'COMPLETED' | 'COMPLETED_WITH_ERRORS';
  workers: WorkerCounts;
  progress: BackfillProgress;
  docsPerSecond?: number;
  etaSeconds?: number;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

export const backfillStatus: CommandDefinition<BackfillStatusResult> = {
  name: 'backfill status',
  text: (r) => {
    const p = r.progress;
    const pct = p.documents.total > 0 ? (p.documents.migrated / p.documents.total) * 100 : p.planned && p.items.total === 0 ? 100 : 0;
    const lines = [
      `BackfillStatus.${r.status === 'COMPLETED' || r.status === 'COMPLETED_WITH_ERRORS' ? 'STOPPED' : r.status}`,
      `Running=${r.workers.running}`,
      `Pending=${r.workers.pending}`,
      `Desired=${r.workers.desired}`,
    ];
    if (!p.initialized) lines.push('Backfill has not started: no working state on the target yet.');
    else if (!p.planned) lines.push('Shards are initializing');
    else {
      lines.push(
        `Shards total: ${p.shards.total}`,
        `Shards completed: ${p.shards.completed}`,
        `Shards incomplete: ${p.shards.incomplete}`,
        `Shards in progress: ${p.shards.inProgress}`,
        `Shards unclaimed: ${p.shards.unclaimed}`,
        `Documents migrated: ${p.documents.migrated} of ${p.documents.total} (${pct.toFixed(1)}%)`,
        `Data migrated: ${bytes(p.bytesMigrated)}`,
        `Rate: ${r.docsPerSecond === undefined ? 'N/A' : `${Math.round(r.docsPerSecond)} documents/s`}`,
        `Estimated time to completion: ${r.etaSeconds === undefined ? 'N/A' : duration(r.etaSeconds)}`,
        `Failed documents: ${p.documents.failed}`,
      );
      for (const failed of p.failedItems.slice(0, 5)) lines.push(`Failed shard ${failed.index}/${failed.shard}: ${failed.error}`);
      if (p.finishedAt) lines.push(`Backfill ${r.status === 'COMPLETED_WITH_ERRORS' ? 'finished with errors' : 'completed'}.`);
    }
    return lines.join('\n') + '\n';
  },
};

async function readStatus(io: ConsoleIo): Promise<BackfillStatusResult> {
  const config = servicesFile(io);
  const setup = backfillSetup(config);
  const workers = await setup.platform.counts();
  const client = await clusterClient(config, 'target_cluster');
  try {
    const progress = await readBackfillProgress(client, { sessionName: setup.sessionName });
    const done = progress.planned && progress.items.completed + progress.items.failed === progress.items.total;
    let status: BackfillStatusResult['status'] = workers.running > 0 ? 'RUNNING' : workers.pending > 0 ? 'STARTING' : 'STOPPED';
    if (done) status = progress.items.failed > 0 || progress.documents.failed > 0 ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
    const elapsed = progress.startedAt ? ((progress.finishedAt ?? Date.now()) - progress.startedAt) / 1000 : 0;
    const docsPerSecond = elapsed > 0 ? progress.documents.migrated / elapsed : undefined;
    const remaining = progress.documents.total - progress.documents.migrated;
    const etaSeconds = docsPerSecond && docsPerSecond > 0 && !done ? remaining / docsPerSecond : done ? 0 : undefined;
    return { status, workers, progress, docsPerSecond, etaSeconds };
  } finally {
    client.close();
  }
}

export async function runBackfillStatus(flags: { watch?: boolean; timeout?: string }, io: ConsoleIo): Promise<BackfillStatusResult> {
  if (!flags.watch) {
    const result = await readStatus(io);
    emit(io, backfillStatus, result);
    return result;
  }
  const timeoutMs = Number(flags.timeout ?? 3600) * 1000;
  if (!(timeoutMs > 0)) throw new ConsoleError('MA_BAD_OPTION', `--timeout must be a number of seconds, got "${flags.timeout}"`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await readStatus(io);
    const p = result.progress;
    const finished = result.status === 'COMPLETED' || result.status === 'COMPLETED_WITH_ERRORS';
    if (!io.json) {
      const fraction = p.documents.total > 0 ? p.documents.migrated / p.documents.total : finished ? 1 : 0;
      const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.');
      io.stdout.write(`\r[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${p.documents.migrated}/${p.documents.total} documents  shards ${p.shards.completed}/${p.shards.total}  workers ${result.workers.running}   `);
    }
    if (finished || Date.now() > deadline) {
      if (!io.json) io.stdout.write('\n');
      emit(io, backfillStatus, result);
      if (!finished) throw new ConsoleError('MA_BACKFILL_TIMEOUT', `the backfill did not finish within ${flags.timeout ?? 3600} s`);
      if (result.status === 'COMPLETED_WITH_ERRORS') throw new ConsoleError('MA_BACKFILL_FAILED', `the backfill finished with ${p.items.failed} failed work items and ${p.documents.failed} failed documents`);
      return result;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function registerBackfillStatus(group: Command, io: () => ConsoleIo): void {
  group
    .command('status')
    .description('workers, shards, documents, rate and ETA of the backfill')
    .option('--deep-check', 'accepted for compatibility: the working state is always read')
    .option('--watch', 'redraw a progress bar until the backfill is done')
    .option('--timeout <seconds>', 'with --watch, give up after this long', '3600')
    .action(async (flags: { watch?: boolean; timeout?: string }) => {
      await runBackfillStatus(flags, io());
    });
}
