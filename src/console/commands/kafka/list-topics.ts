/** `console kafka list-topics`: the topics of the cluster, internal ones left out. */
import type { Command } from 'commander';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { withKafkaAdmin } from '../../kafka-admin';

export interface ListTopicsResult {
  topics: string[];
}

export const listTopics: CommandDefinition<ListTopicsResult> = {
  name: 'kafka list-topics',
  text: (r) => (r.topics.length ? r.topics.join('\n') + '\n' : 'No topics.\n'),
};

export async function runListTopics(io: ConsoleIo): Promise<ListTopicsResult> {
  const topics = await withKafkaAdmin(io, (admin) => admin.listTopics());
  const result = { topics: topics.filter((t) => !t.startsWith('__')).sort() };
  emit(io, listTopics, result);
  return result;
}

export function registerListTopics(group: Command, io: () => ConsoleIo): void {
  group
    .command('list-topics')
    .description('list the topics')
    .action(async () => {
      await runListTopics(io());
    });
}
