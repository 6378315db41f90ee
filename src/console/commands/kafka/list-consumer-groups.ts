/** `console kafka list-consumer-groups`: the consumer groups the brokers know, one per line. */
import type { Command } from 'commander';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { retryWhileCoordinatorMoves, withKafkaAdmin } from '../../kafka-admin';

export interface ListConsumerGroupsResult {
  /** Sorted by id; `protocolType` is "consumer" for ordinary consumers (Connect uses "connect"). */
  groups: { groupId: string; protocolType: string }[];
}

export const listConsumerGroups: CommandDefinition<ListConsumerGroupsResult> = {
  name: 'kafka list-consumer-groups',
  text: (r) => (r.groups.length ? r.groups.map((g) => g.groupId).join('\n') + '\n' : 'No consumer groups.\n'),
};

export async function runListConsumerGroups(io: ConsoleIo): Promise<ListConsumerGroupsResult> {
  const { groups } = await withKafkaAdmin(io, (admin) => retryWhileCoordinatorMoves(() => admin.listGroups()));
  const result = { groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })).sort((a, b) => a.groupId.localeCompare(b.groupId)) };
  emit(io, listConsumerGroups, result);
  return result;
}

export function registerListConsumerGroups(group: Command, io: () => ConsoleIo): void {
  group
    .command('list-consumer-groups')
    .description('list the consumer groups')
    .action(async () => {
      await runListConsumerGroups(io());
    });
}
