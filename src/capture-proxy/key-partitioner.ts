/**
 * The Java client's default partitioner for keyed records (murmur2 of the key's bytes, made positive, modulo
 * the topic's partition count), as kafkajs's default partitioner also places them, so a connection's records
 * land where any Kafka client would put that key. kafkajs computes murmur2 with 64-bit integer objects:
 * about 5 µs and dozens of short-lived objects per record, which showed in profiles of clients that open a
 * connection per request (each connection is a new key). Here it is 32-bit integer arithmetic on a reused
 * buffer. Records without a key (the proxy sends none) are left to kafkajs's partitioner.
 */
import type { ICustomPartitioner } from 'kafkajs';
import { Partitioners } from './kafka-client';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's `Utils.murmur2` of the first `length` bytes: the same signed 32-bit result as the Java client's. */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2] << 16;
    if (rest >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export const keyPartitioner: ICustomPartitioner = () => {
  const unkeyed = Partitioners.DefaultPartitioner();
  let scratch = Buffer.allocUnsafe(256);
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const key = message.key;
    if (key === undefined || key === null) return unkeyed(args);
    if (typeof key === 'string') {
      const length = Buffer.byteLength(key);
      if (length > scratch.length) scratch = Buffer.allocUnsafe(length * 2);
      scratch.write(key);
      return (murmur2(scratch, length) & 0x7fffffff) % partitionMetadata.length;
    }
    return (murmur2(key) & 0x7fffffff) % partitionMetadata.length;
  };
};
