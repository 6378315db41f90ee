/** `console clusters connection-check`: can each configured cluster be reached, and which version is it. */
import type { Command } from 'commander';
import { describeVersion } from '../../../cluster';
import { CommandFailedWithResult } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { closeAll, configuredClusters, label, type ClusterRole } from './selected-clusters';

export interface ConnectionResult {
  connection_established: boolean;
  connection_message: string;
  /** `version.number` as the cluster reports it. */
  cluster_version?: string;
  /** For example `Elasticsearch 7.10.2` or `OpenSearch 2.19.1`. */
  engine?: string;
  error_code?: string;
}

export type ConnectionCheckResult = Partial<Record<`${ClusterRole}_cluster`, ConnectionResult>>;

export const connectionCheck: CommandDefinition<ConnectionCheckResult> = {
  name: 'clusters connection-check',
  text: (result) =>
    (['source', 'target'] as const)
      .filter((r) => result[`${r}_cluster`])
      .map((r) => {
        const c = result[`${r}_cluster`]!;
        return `${label(r)}\n${c.connection_message}${c.engine ? ` (${c.engine})` : ''}\n`;
      })
      .join(''),
};

/** Reference timeout for this check: a black-holed host answers in seconds, not never. */
const CHECK_TIMEOUT_MS = 5_000;

export async function runConnectionCheck(_flags: object, io: ConsoleIo): Promise<ConnectionCheckResult> {
  const clusters = await configuredClusters(io, { timeoutMs: CHECK_TIMEOUT_MS, maxRetries: 0 });
  try {
    const result: ConnectionCheckResult = {};
    await Promise.all(
      clusters.map(async (cluster) => {
        try {
          const version = await cluster.client.info();
          result[`${cluster.role}_cluster`] = { connection_established: true, connection_message: 'Successfully connected!', cluster_version: version.number, engine: describeVersion(version) };
        } catch (error) {
          const e = error as { code?: string; message?: string };
          result[`${cluster.role}_cluster`] = { connection_established: false, connection_message: `Unable to connect to cluster with error: ${e.message ?? String(error)}`, error_code: e.code };
        }
      }),
    );
    const failed = (['source', 'target'] as const).filter((r) => result[`${r}_cluster`]?.connection_established === false);
    if (failed.length > 0) {
      throw new CommandFailedWithResult(
        result[`${failed[0]}_cluster`]?.error_code ?? 'MA_CLUSTER_UNREACHABLE',
        `cannot connect to the ${failed.join(' and ')} cluster`,
        result,
        connectionCheck.text(result),
      );
    }
    emit(io, connectionCheck, result);
    return result;
  } finally {
    closeAll(clusters);
  }
}

export function registerConnectionCheck(group: Command, io: () => ConsoleIo): void {
  group
    .command('connection-check')
    .description('check that the source and target clusters answer, and show their versions')
    .addHelpText('after', '\nExample:\n  console clusters connection-check')
    .action(async () => {
      await runConnectionCheck({}, io());
    });
}
