/**
 * `console clusters clear-indices --cluster source|target [--acknowledge-risk]`: deletes every index
 * except system ones (names starting with a dot, security plugin indices), plus the migration working
 * state. Asks first unless `--acknowledge-risk` is given.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { isServerless } from '../../clusters';
import { confirmOrAbort } from '../../confirm';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { oneCluster, type ClusterRole } from './selected-clusters';

export interface ClearIndicesFlags {
  cluster: ClusterRole;
  acknowledgeRisk?: boolean;
}

export interface ClearIndicesResult {
  cluster: ClusterRole;
  /** The indices deleted (Serverless, one by one), or the wildcard expression sent in one call. */
  deleted: string[];
}

/** Everything but dot-indices and security-plugin indices; the working state of a backfill goes too. */
export const CLEAR_EXPRESSION = '*,-.*,-searchguard*,-sg7*,.migrations_working_state*';

export const clearIndices: CommandDefinition<ClearIndicesResult> = {
  name: 'clusters clear-indices',
  text: (r) => `Performing clear indices operation...\nCleared indices on the ${r.cluster} cluster: ${r.deleted.join(', ') || 'none'}\n`,
};

export async function runClearIndices(flags: ClearIndicesFlags, io: ConsoleIo): Promise<ClearIndicesResult> {
  await confirmOrAbort(io, flags.acknowledgeRisk, `Clearing indices WILL result in the loss of all data on the ${flags.cluster} cluster. Are you sure you want to continue?`);
  const cluster = await oneCluster(io, flags.cluster);
  try {
    let deleted: string[];
    if (isServerless(cluster.section)) {
      // Serverless refuses wildcard deletes: list, then delete one by one.
      const rows = (await cluster.client.request<{ index: string }[]>('GET', '/_cat/indices', { query: { format: 'json', h: 'index' } })).body;
      deleted = rows.map((r) => r.index).filter((name) => !name.startsWith('.'));
      for (const name of deleted) await cluster.client.request('DELETE', `/${encodeURIComponent(name)}`, { expectStatus: [404] });
    } else {
      await cluster.client.request('DELETE', `/${CLEAR_EXPRESSION}`, { query: { ignore_unavailable: true } });
      deleted = [CLEAR_EXPRESSION];
    }
    const result = { cluster: flags.cluster, deleted };
    emit(io, clearIndices, result);
    return result;
  } finally {
    cluster.client.close();
  }
}

function parseRole(value: string): ClusterRole {
  if (value !== 'source' && value !== 'target') throw new InvalidArgumentError('must be "source" or "target"');
  return value;
}

export function registerClearIndices(group: Command, io: () => ConsoleIo): void {
  group
    .command('clear-indices')
    .description('delete every non-system index of one cluster (asks for confirmation)')
    .requiredOption('--cluster <source|target>', 'the cluster to clear', parseRole)
    .option('--acknowledge-risk', 'do not ask for confirmation')
    .addHelpText('after', '\nExample:\n  console clusters clear-indices --cluster target --acknowledge-risk')
    .action(async (flags: ClearIndicesFlags) => {
      await runClearIndices(flags, io());
    });
}
