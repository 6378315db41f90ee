/**
 * The key partitioner places keyed records exactly as kafkajs's default partitioner and the Java client do
 * (murmur2 of the key's bytes), for any key length and partition count.
 */
import { randomUUID } from 'node:crypto';
import type { PartitionerArgs, PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../../../src/capture-proxy/kafka-client';
import { keyPartitioner, murmur2 } from '../../../src/capture-proxy/key-partitioner';

function args(key: PartitionerArgs['message']['key'], partitions: number, partition?: number): PartitionerArgs {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return { topic: 'logging-traffic-topic', partitionMetadata, message: { key, value: 'x', partition } };
}

describe('key partitioner', () => {
  it('computes murmur2 as the Java client does (the test vectors of its Utils)', () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect([key, murmur2(Buffer.from(key))]).toEqual([key, hash]);
  });

  it('gives every key the partition kafkajs gives it, for any partition count and key length', () => {
    // GIVEN connection ids as the proxy makes them, keys of every length up to 300 bytes (past the reused buffer), and both partitioners
    const keys = [
      ...Array.from({ length: 300 }, (_, i) => `${randomUUID()}.${i}.${randomUUID().slice(0, 8)}`),
      ...Array.from({ length: 300 }, (_, i) => 'k'.repeat(i) + 'é'.repeat(i % 3)),
    ];
    const theirs = Partitioners.DefaultPartitioner();
    const ours = keyPartitioner();

    for (const partitions of [12, 7, 1]) {
      // WHEN each key is placed twice
      const expected = keys.map((key) => theirs(args(key, partitions)));
      const placed = [0, 1].map(() => keys.map((key) => ours(args(key, partitions))));

      // THEN every answer is kafkajs's, with the keys spread over the partitions
      for (const answers of placed) expect(answers).toEqual(expected);
      expect(new Set(expected).size).toBe(partitions);
    }
  });

  it('places a Buffer key by its bytes, keeps a partition given with the record, and leaves records without a key to kafkajs', () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    expect(ours(args(Buffer.from('connection-7'), 5))).toBe(theirs(args('connection-7', 5)));
    expect(ours(args('connection-7', 5, 3))).toBe(3);
    const unkeyed = Array.from({ length: 10 }, () => ours(args(null, 5)));
    expect(new Set(unkeyed).size).toBe(5);
  });
});
