/**
 * `console kafka create-topic [TOPIC] [--partitions N] [--replication-factor N]`: creates a topic (default:
 * the capture topic); what is not given comes from the broker defaults (`num.partitions`,
 * `default.replication.factor`). A topic that already exists is an error, left untouched.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { ConsoleError } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { withKafkaAdmin } from '../../kafka-admin';

export interface CreateTopicFlags {
  partitions?: number;
  replicationFactor?: number;
}

export interface CreateTopicResult {
  topic: string;
  /** As created, read back from the cluster (so broker defaults show as numbers). */
  partitions: number;
  replicationFactor: number;
}

export const createTopic: CommandDefinition<CreateTopicResult> = {
  name: 'kafka create-topic',
  text: (r) => `Created topic ${r.topic} with ${r.partitions} partition${r.partitions === 1 ? '' : 's'} and replication factor ${r.replicationFactor}.\n`,
};

export async function runCreateTopic(topic: string, flags: CreateTopicFlags, io: ConsoleIo): Promise<CreateTopicResult> {
  const result = await withKafkaAdmin(io, async (admin) => {
    // -1 asks the broker for its default (CreateTopics v4+, every broker since Kafka 2.4).
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: flags.partitions ?? -1, replicationFactor: flags.replicationFactor ?? -1 }], waitForLeaders: true });
    if (!created) throw new ConsoleError('MA_KAFKA_TOPIC_EXISTS', `topic "${topic}" already exists; nothing was changed`);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    return { topic, partitions: metadata.partitions.length, replicationFactor: metadata.partitions[0]?.replicas.length ?? 0 };
  });
  emit(io, createTopic, result);
  return result;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

export function registerCreateTopic(group: Command, io: () => ConsoleIo): void {
  group
    .command('create-topic')
    .description('create a topic (default: the capture topic), with the broker defaults unless told otherwise')
    .argument('[topic]', 'topic name', 'logging-traffic-topic')
    .option('--partitions <n>', 'number of partitions (default: the broker num.partitions)', positiveInteger)
    .option('--replication-factor <n>', 'copies of each partition (default: the broker default.replication.factor)', positiveInteger)
    .addHelpText('after', '\nExample:\n  console kafka create-topic logging-traffic-topic --partitions 6 --replication-factor 3')
    .action(async (topic: string, flags: CreateTopicFlags) => {
      await runCreateTopic(topic, flags, io());
    });
}
