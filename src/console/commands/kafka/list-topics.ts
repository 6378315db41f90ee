/** `console kafka list-topics`: the topics of the cluster, internal ones left out. */
import type { Command } from 'commander';
import { kafkaAdmin } from '../../kafka-admin';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';

export interface ListTopicsResult {
  topics: string[];
}

export const listTopics: CommandDefinition<ListTopicsResult> = {
  name: 'kafka list-topics',
  text: (r) => (r.topics.length ? r.topics.join('\n') + '\n' : 'No topics.\n'),
};

export async function runListTopics(io: ConsoleIo): Promise<ListTopicsResult> {
  const admin = await kafkaAdmin(servicesFile(io).section('kafka'));
  try {
    const result = { topics: (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort() };
    emit(io, listTopics, result);
    return result;
  } finally {
    await admin.disconnect();
  }
}

export function registerListTopics(group: Command, io: () => ConsoleIo): void {
  group
    .command('list-topics')
    .description('list the topics')
    .action(async () => {
      await runListTopics(io());
    });
}
