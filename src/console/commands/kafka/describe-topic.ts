/**
 * `console kafka describe-topic [TOPIC]`: each partition of a topic (default: the capture topic) with its
 * leader, replicas and in-sync replicas (broker ids), and its earliest and latest offsets.
 */
import type { Command } from 'commander';
import { table } from '../../format';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { requireTopic, withKafkaAdmin } from '../../kafka-admin';

export interface TopicPartitionDescription {
  partition: number;
  /** Broker id of the leader; -1 when the partition has none (offline). */
  leader: number;
  replicas: number[];
  isr: number[];
  earliest: number;
  latest: number;
  /** latest - earliest: the records still held (retention removes the oldest). */
  records: number;
}

export interface DescribeTopicResult {
  topic: string;
  replicationFactor: number;
  partitions: TopicPartitionDescription[];
  records: number;
}

const ids = (brokers: number[]): string => brokers.join(',') || '-';

export const describeTopic: CommandDefinition<DescribeTopicResult> = {
  name: 'kafka describe-topic',
  text: (r) =>
    `Topic: ${r.topic}  Partitions: ${r.partitions.length}  Replication factor: ${r.replicationFactor}  Records: ${r.records}\n` +
    table(
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'EARLIEST', 'LATEST', 'RECORDS'],
      r.partitions.map((p) => [p.partition, p.leader, ids(p.replicas), ids(p.isr), p.earliest, p.latest, p.records]),
    ),
};

export async function runDescribeTopic(topic: string, io: ConsoleIo): Promise<DescribeTopicResult> {
  const result = await withKafkaAdmin(io, async (admin) => {
    await requireTopic(admin, topic);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const offsets = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { earliest: Number(o.low), latest: Number(o.high) }]));
    const partitions = metadata.partitions
      .map((p) => {
        const { earliest, latest } = offsets.get(p.partitionId) ?? { earliest: 0, latest: 0 };
        return { partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, earliest, latest, records: latest - earliest };
      })
      .sort((a, b) => a.partition - b.partition);
    return { topic, replicationFactor: partitions[0]?.replicas.length ?? 0, partitions, records: partitions.reduce((sum, p) => sum + p.records, 0) };
  });
  emit(io, describeTopic, result);
  return result;
}

export function registerDescribeTopic(group: Command, io: () => ConsoleIo): void {
  group
    .command('describe-topic')
    .description('partitions of a topic (default: the capture topic): leader, replicas, in-sync replicas, earliest and latest offsets')
    .argument('[topic]', 'topic name', 'logging-traffic-topic')
    .action(async (topic: string) => {
      await runDescribeTopic(topic, io());
    });
}
