/**
 * kafkajs's encoding, tuned for the capture proxy: the native CRC32C agrees with kafkajs's own JavaScript CRC
 * (and the standard check value), and in a plain Node process of its own (nothing loaded before the tuning,
 * and Node's own require cache, which the replacements go through) kafkajs then encodes record batches whose
 * CRC is right and whose records decode back to what was sent, from a few bytes to more than a mebibyte.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fastCrc32c, frameRequest } from '../../../src/capture-proxy/kafka-encoding';
import { fastProduceRequest } from '../../../src/capture-proxy/kafka-produce-request';

// kafkajs's own implementation, loaded straight from its file (the module the replacement stands in for).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;

describe('fastCrc32c', () => {
  it('gives the CRC-32C check value and kafkajs\'s result on random data of many sizes', () => {
    expect(fastCrc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const size of [0, 1, 7, 8, 63, 1000, 65_537, 1 << 20]) {
      const data = randomBytes(size);
      expect(fastCrc32c(data)).toBe(kafkajsCrc32c(data) >>> 0);
    }
  });
});

describe('frameRequest', () => {
  // kafkajs's own framing, loaded from its file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kafkajsFrame = require('kafkajs/src/protocol/request.js') as typeof frameRequest;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeBytes(b: Buffer): unknown; buf: Buffer; offset: number };

  it('frames requests as kafkajs does, in a buffer of the exact size', async () => {
    for (const [size, clientId] of [[0, 'capture-proxy'], [100, 'é-client'], [700_000, 'x'], [3, null]] as const) {
      const body = new Encoder();
      body.writeBytes(randomBytes(size));
      const request = { apiKey: 0, apiVersion: 7, encode: () => Promise.resolve(body) };
      const ours = await frameRequest({ correlationId: 123456, clientId, request });
      const theirs = (await kafkajsFrame({ correlationId: 123456, clientId, request })) as unknown as { buffer: Buffer };
      expect(ours.buf.subarray(0, ours.offset).equals(theirs.buffer)).toBe(true);
      expect(ours.buf.length).toBe(ours.offset);
    }
  });

  it('writes the header into the headroom of a one-pass produce request, copying nothing, for the same bytes', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kafkajsProduce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as Parameters<typeof fastProduceRequest>[0];
    const args = { acks: -1, timeout: 30_000, producerId: -1, producerEpoch: 0, topicData: [{ topic: 'logging-traffic-topic', partitions: [{ partition: 0, messages: [{ key: 'c', value: randomBytes(300_000) }] }] }] };
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_796_000_000_000);
    try {
      const body = await fastProduceRequest(kafkajsProduce)(args).encode();
      const ours = await frameRequest({ correlationId: 7, clientId: 'capture-proxy', request: { apiKey: 0, apiVersion: 7, encode: () => Promise.resolve(body) } });
      const theirs = (await kafkajsFrame({ correlationId: 7, clientId: 'capture-proxy', request: { ...kafkajsProduce(args), apiVersion: 7 } })) as unknown as { buffer: Buffer };
      expect(ours.buf.subarray(0, ours.offset).equals(theirs.buffer)).toBe(true);
      expect(ours.buf.buffer).toBe(body.buf.buffer);
    } finally {
      now.mockRestore();
    }
  });
});

describe('tuneKafkaEncoding', () => {
  it('takes effect before kafkajs first encodes, and kafkajs still encodes batches exactly', () => {
    // WHEN a fresh Node process tunes kafkajs and has it encode and decode record batches of several sizes
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../support/kafka-encoding-check.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { tuning: object; usesOurCrc: boolean; batches: { size: number; crcRight: boolean; records: number; valuesBack: boolean[] }[]; produced: object; again: object };

    // THEN the changes are in effect (and applying them again is harmless), and every batch is exact
    expect(result.tuning).toEqual({ crc: true, encoder: true, produceRequest: true, requestFrame: true });
    expect(result.again).toEqual({ crc: true, encoder: true, produceRequest: true, requestFrame: true });
    expect(result.produced).toEqual({ usesOnePass: true, crcRight: true, valueBack: true });
    expect(result.usesOurCrc).toBe(true);
    expect(result.batches).toEqual([10, 5000, 300_000, 1_500_000].map((size) => ({ size, crcRight: true, records: 2, valuesBack: [true, true] })));
  });
});
