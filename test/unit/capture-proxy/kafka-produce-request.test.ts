/**
 * The one-pass produce request is byte for byte kafkajs's own, over the cases that reach it (keys and values
 * as buffers, strings or null; empty, varint-boundary and large values; several topics and partitions), and
 * the requests it does not cover still go through kafkajs's encoder.
 */
import { randomBytes } from 'node:crypto';
import { encodeProduceRequest, fastProduceRequest, PiecedBytes, type ProduceRequest, type ProduceRequestArgs } from '../../../src/capture-proxy/kafka-produce-request';

// kafkajs's own factory and its 64-bit integer, loaded from their files (the module the replacement stands in for).
/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajsProduceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (args: ProduceRequestArgs) => ProduceRequest;
const Long = require('kafkajs/src/utils/long.js') as { fromInt(value: number): { value: bigint } };
/* eslint-enable @typescript-eslint/no-require-imports */

const NOW = 1_796_000_000_123;

async function kafkajsBytes(args: ProduceRequestArgs): Promise<Buffer> {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(NOW);
  try {
    const encoder = (await kafkajsProduceRequest(args).encode()) as unknown as { buffer: Buffer };
    return encoder.buffer;
  } finally {
    spy.mockRestore();
  }
}

describe('encodeProduceRequest', () => {
  it('writes what kafkajs writes for one record of each size around the varint boundaries', async () => {
    for (const size of [0, 1, 63, 64, 127, 128, 8191, 8192, 300_000, 1_048_000]) {
      // Arguments as kafkajs's producer passes them when it is not idempotent.
      const args: ProduceRequestArgs = { acks: -1, timeout: 30_000, producerId: -1, producerEpoch: 0, topicData: [{ topic: 'logging-traffic-topic', partitions: [{ partition: 0, messages: [{ key: 'connection-1', value: randomBytes(size) }] }] }] };
      expect(encodeProduceRequest(args, NOW).equals(await kafkajsBytes(args))).toBe(true);
    }
  });

  it('writes what kafkajs writes for many records, topics and partitions, with string, null and missing keys and values', async () => {
    const messages = Array.from({ length: 70 }, (_, i) => ({
      key: i % 3 === 0 ? `k-${i}-é` : i % 3 === 1 ? Buffer.from(`k${i}`) : null,
      value: i % 4 === 0 ? randomBytes(i * 37) : i % 4 === 1 ? `value ${i} ✓` : i % 4 === 2 ? null : undefined,
    }));
    const args: ProduceRequestArgs = {
      acks: 1,
      timeout: 1500,
      producerId: Long.fromInt(-1),
      producerEpoch: 3,
      topicData: [
        { topic: 'first', partitions: [{ partition: 0, messages: messages.slice(0, 30) }, { partition: 7, firstSequence: 11, messages: messages.slice(30, 31) }] },
        { topic: 'second-topic', partitions: [{ partition: 2, messages: messages.slice(31) }] },
      ],
    };
    expect(encodeProduceRequest(args, NOW).equals(await kafkajsBytes(args))).toBe(true);
  });
  it('copies a value in pieces into the request as kafkajs writes the same bytes joined', async () => {
    const pieces = [randomBytes(70), randomBytes(65_536), randomBytes(1), randomBytes(200_000)];
    const joined = Buffer.concat(pieces);
    const message = (value: Buffer | PiecedBytes) => ({ acks: -1, timeout: 30_000, producerId: -1, producerEpoch: 0, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'c', value }, { key: 'd', value: Buffer.from('small') }] }] }] });
    expect(encodeProduceRequest(message(new PiecedBytes(pieces, joined.length)), NOW).equals(await kafkajsBytes(message(joined)))).toBe(true);
  });
});

describe('fastProduceRequest', () => {
  const topicData = [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: Buffer.from('v') }] }] }];
  const fast = fastProduceRequest(kafkajsProduceRequest);

  it('encodes plain requests itself and keeps the request\'s identity', async () => {
    const request = fast({ acks: -1, timeout: 100, producerId: -1, producerEpoch: 0, topicData });
    const original = kafkajsProduceRequest({ acks: -1, timeout: 100, topicData });
    expect(request.encode).not.toBe(original.encode);
    expect([request.apiKey, request.apiVersion, request.apiName, request.expectResponse()]).toEqual([original.apiKey, original.apiVersion, original.apiName, true]);
    const encoder = (await request.encode()) as unknown as { buffer: Buffer; buf: Buffer };
    expect(encoder.buffer.length).toBe(encoder.buf.length);
  });

  it('leaves compressed, transactional, idempotent and header-carrying requests to kafkajs', async () => {
    const cases: ProduceRequestArgs[] = [
      { acks: -1, timeout: 100, compression: 1, topicData },
      { acks: -1, timeout: 100, transactionalId: 'tx', topicData },
      { acks: -1, timeout: 100, producerId: Long.fromInt(42), topicData },
      { acks: -1, timeout: 100, producerId: 42, producerEpoch: 1, topicData },
      { acks: -1, timeout: 100, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }] }] }] },
      { acks: -1, timeout: 100, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: '5' }] }] }] },
    ];
    for (const args of cases) {
      const spy = jest.spyOn(Date, 'now').mockReturnValue(NOW);
      try {
        const ours = (await fast(args).encode()) as unknown as { buffer: Buffer };
        expect(ours.buffer.equals(await kafkajsBytes(args))).toBe(true);
      } finally {
        spy.mockRestore();
      }
    }
  });
});
