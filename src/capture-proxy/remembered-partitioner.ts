/**
 * kafkajs's default partitioner (the Java client's: murmur2 of the key, modulo the topic's partition count)
 * with its answer remembered per key. kafkajs computes murmur2 with BigInt-backed 64-bit integers, about
 * 5 µs and dozens of short-lived objects for a connection id, for every record; a connection sends every
 * record under the same key for its whole life, and the answer depends only on the key and the count.
 */
import type { ICustomPartitioner } from 'kafkajs';
import { Partitioners } from './kafka-client';

/** Keys remembered at most; past that the memory starts over (closed connections' keys go with it). */
const MAX_REMEMBERED = 10_000;

export const rememberedDefaultPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  const remembered = new Map<string, number>();
  let partitions = 0;
  return (args) => {
    const key = args.message.key;
    if (typeof key !== 'string') return partition(args);
    if (args.partitionMetadata.length !== partitions) {
      remembered.clear();
      partitions = args.partitionMetadata.length;
    }
    let chosen = remembered.get(key);
    if (chosen === undefined) {
      chosen = partition(args);
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(key, chosen);
    }
    return chosen;
  };
};
