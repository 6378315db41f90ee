/**
 * `console kafka delete-topic [--acknowledge-risk] [TOPIC]`: deletes a topic (default: the capture topic)
 * and every record in it. Asks first unless `--acknowledge-risk` is given; a topic that does not exist
 * is an error. Returns once the brokers no longer list the topic, so the next command does not see it.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { confirmOrAbort } from '../../confirm';
import { ConsoleError } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { requireTopic, withKafkaAdmin } from '../../kafka-admin';

export interface DeleteTopicFlags {
  acknowledgeRisk?: boolean;
}

export interface DeleteTopicResult {
  topic: string;
}

export const DELETE_TOPIC_QUESTION = 'Deleting a topic will irreversibly delete all captured traffic records stored in that topic. Are you sure you want to continue?';

export const deleteTopic: CommandDefinition<DeleteTopicResult> = {
  name: 'kafka delete-topic',
  text: (r) => `Deleted topic ${r.topic}.\n`,
};

export async function runDeleteTopic(topic: string, flags: DeleteTopicFlags, io: ConsoleIo): Promise<DeleteTopicResult> {
  await confirmOrAbort(io, flags.acknowledgeRisk, DELETE_TOPIC_QUESTION);
  await withKafkaAdmin(io, async (admin) => {
    await requireTopic(admin, topic);
    await admin.deleteTopics({ topics: [topic] });
    // The controller has accepted the deletion; the brokers learn of it from the metadata log a moment
    // later. Until then list-topics would still show the topic and create-topic of that name would fail.
    for (let waited = 0; (await admin.listTopics()).includes(topic); waited += 200) {
      if (waited >= 10_000) throw new ConsoleError('MA_KAFKA_DELETE_PENDING', `Kafka accepted the deletion of topic "${topic}" but still lists it after 10 s; check with console kafka list-topics`);
      await sleep(200);
    }
  });
  const result = { topic };
  emit(io, deleteTopic, result);
  return result;
}

export function registerDeleteTopic(group: Command, io: () => ConsoleIo): void {
  group
    .command('delete-topic')
    .description('delete a topic and all its records (default: the capture topic; asks for confirmation)')
    .argument('[topic]', 'topic name', 'logging-traffic-topic')
    .option('--acknowledge-risk', 'do not ask for confirmation')
    .addHelpText('after', '\nExample:\n  console kafka delete-topic --acknowledge-risk logging-traffic-topic')
    .action(async (topic: string, flags: DeleteTopicFlags) => {
      await runDeleteTopic(topic, flags, io());
    });
}
