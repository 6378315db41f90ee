/**
 * `console kafka describe-topic-records [TOPIC]`: records per partition of the capture topic, counted from
 * the earliest and latest offsets (so records removed by retention are not counted).
 */
import type { Command } from 'commander';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { requireTopic, withKafkaAdmin } from '../../kafka-admin';

export interface TopicRecordsResult {
  topic: string;
  partitions: { partition: number; earliest: number; latest: number; records: number }[];
  records: number;
}

export const describeTopicRecords: CommandDefinition<TopicRecordsResult> = {
  name: 'kafka describe-topic-records',
  text: (r) => [`${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'RECORDS'.padEnd(10)}`, ...r.partitions.map((p) => `${r.topic.padEnd(30)} ${String(p.partition).padEnd(10)} ${String(p.records).padEnd(10)}`)].join('\n') + '\n',
};

export async function runDescribeTopicRecords(topic: string, io: ConsoleIo): Promise<TopicRecordsResult> {
  const partitions = await withKafkaAdmin(io, async (admin) => {
    await requireTopic(admin, topic);
    return (await admin.fetchTopicOffsets(topic))
      .map((o) => ({ partition: o.partition, earliest: Number(o.low), latest: Number(o.high), records: Number(o.high) - Number(o.low) }))
      .sort((a, b) => a.partition - b.partition);
  });
  const result = { topic, partitions, records: partitions.reduce((sum, p) => sum + p.records, 0) };
  emit(io, describeTopicRecords, result);
  return result;
}

export function registerDescribeTopicRecords(group: Command, io: () => ConsoleIo): void {
  group
    .command('describe-topic-records')
    .description('count the records in each partition of a topic (default: the capture topic)')
    .argument('[topic]', 'topic name', 'logging-traffic-topic')
    .action(async (topic: string) => {
      await runDescribeTopicRecords(topic, io());
    });
}
