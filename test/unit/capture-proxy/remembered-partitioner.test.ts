/**
 * The remembered partitioner answers exactly as kafkajs's default partitioner (the Java client's murmur2),
 * also after the topic's partition count changes and beyond the number of keys it remembers.
 */
import { randomUUID } from 'node:crypto';
import type { PartitionerArgs, PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../../../src/capture-proxy/kafka-client';
import { rememberedDefaultPartitioner } from '../../../src/capture-proxy/remembered-partitioner';

function args(key: PartitionerArgs['message']['key'], partitions: number): PartitionerArgs {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return { topic: 'logging-traffic-topic', partitionMetadata, message: { key, value: 'x' } };
}

describe('remembered default partitioner', () => {
  it('gives every key the partition kafkajs gives it, asked once or many times, for any partition count', () => {
    // GIVEN connection ids as the proxy makes them, and both partitioners
    const keys = Array.from({ length: 300 }, (_, i) => `${randomUUID()}.${i}.${randomUUID().slice(0, 8)}`);
    const theirs = Partitioners.DefaultPartitioner();
    const ours = rememberedDefaultPartitioner();

    // WHEN each key is placed three times, for a topic of 12 partitions and then of 7
    for (const partitions of [12, 7]) {
      const expected = keys.map((key) => theirs(args(key, partitions)));
      const placed = [0, 1, 2].map(() => keys.map((key) => ours(args(key, partitions))));

      // THEN every answer is kafkajs's, with the keys spread over the partitions
      for (const answers of placed) expect(answers).toEqual(expected);
      expect(new Set(expected).size).toBe(partitions);
    }
  });

  it('stays exact past the number of keys it remembers, and leaves keys that are not strings to kafkajs', () => {
    // GIVEN more keys than it remembers
    const theirs = Partitioners.DefaultPartitioner();
    const ours = rememberedDefaultPartitioner();
    const keys = Array.from({ length: 10_050 }, (_, i) => `connection-${i}`);

    // WHEN they are all placed, then the first ones again
    for (const key of keys) ours(args(key, 5));
    const again = keys.slice(0, 50).map((key) => ours(args(key, 5)));

    // THEN the answers are still kafkajs's, and a Buffer key gets kafkajs's answer for those bytes
    expect(again).toEqual(keys.slice(0, 50).map((key) => theirs(args(key, 5))));
    expect(ours(args(Buffer.from('connection-7'), 5))).toBe(theirs(args('connection-7', 5)));
  });
});
