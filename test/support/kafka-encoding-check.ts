/**
 * Run as a plain Node process of its own (Node's require cache, which the replacements go through, and
 * nothing of kafkajs loaded before): tunes kafkajs's encoding, has kafkajs encode record batches of several sizes
 * and a produce request, and prints what the test checks as one JSON line.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { randomBytes } from 'node:crypto';
import { fastCrc32c, tuneKafkaEncoding } from '../../src/capture-proxy/kafka-encoding';

type Encode = (options: object) => Promise<{ buffer: Buffer }>;

async function main(): Promise<void> {
  const tuning = tuneKafkaEncoding();
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: Encode };
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: object) => unknown;
  const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
  const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: { key: Buffer; value: Buffer }[] }>;
  const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;
  const usesOurCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') === fastCrc32c;
  const batches = [];
  // Sizes that make the encoders grow several times (from 512 bytes up to 2 MiB).
  for (const size of [10, 5000, 300_000, 1_500_000]) {
    const values = [randomBytes(size), randomBytes(Math.ceil(size / 3))];
    const batch = await RecordBatch({ firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: 1, records: values.map((value, offsetDelta) => Record({ key: Buffer.from(`k${offsetDelta}`), value, offsetDelta })) });
    // firstOffset (8), then the batch as bytes: length (4), leader epoch (4), magic (1), CRC (4), CRC'd body.
    const bytes = batch.buffer.subarray(8);
    const length = bytes.readInt32BE(0);
    const crcRight = bytes.readUInt32BE(9) === kafkajsCrc32c(bytes.subarray(13, 4 + length)) >>> 0;
    // The batch as a consumer reads it: offset, length, then the batch.
    const decoded = await decodeBatch(new Decoder(Buffer.concat([Buffer.alloc(8), bytes.subarray(0, 4 + length)])));
    const valuesBack = decoded.records.map((r) => Buffer.compare(r.value, values[decoded.records.indexOf(r)]) === 0);
    batches.push({ size, crcRight, records: decoded.records.length, valuesBack });
  }
  // A produce request as kafkajs's producer asks for it from Kafka 4 (version 7, not idempotent): through the
  // one-pass encoder, and readable.
  const produce = require('kafkajs/src/protocol/requests/produce/index.js') as { protocol(v: { version: number }): (args: object) => { request: { encode(): Promise<unknown> } } };
  const value = randomBytes(400_000);
  const topicData = [{ topic: 'logging-traffic-topic', partitions: [{ partition: 0, messages: [{ key: 'connection', value }] }] }];
  const encoded = (await produce.protocol({ version: 7 })({ acks: -1, timeout: 1000, producerId: -1, producerEpoch: 0, topicData }).request.encode()) as { buffer: Buffer; buf: Buffer; offset: number };
  const request = encoded.buffer;
  // kafkajs's own encoders end in a buffer of a power of two; the one-pass encoder's is exactly the request.
  const usesOnePass = encoded.buf.length === encoded.offset && (require('kafkajs/src/protocol/requests/produce/v3/request.js') as { fast?: boolean }).fast === true;
  // Body: transactional id (2), acks (2), timeout (4), topics (4), name (2 + 21), partitions (4), partition (4), record set size (4).
  const recordSet = request.subarray(47);
  const decodedRequest = await decodeBatch(new Decoder(recordSet));
  const produced = { usesOnePass, crcRight: recordSet.readUInt32BE(17) === kafkajsCrc32c(recordSet.subarray(21)) >>> 0, valueBack: decodedRequest.records[0]?.value.equals(value) };
  process.stdout.write(JSON.stringify({ tuning, usesOurCrc, batches, produced, again: tuneKafkaEncoding() }) + '\n');
}

void main();
