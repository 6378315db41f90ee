/**
 * Run as its own Node process (jest's module registry does not go through Node's require cache, which the
 * replacement relies on): installs the fast CRC, has kafkajs encode a record batch, and prints what the test
 * checks as one JSON line.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { randomBytes } from 'node:crypto';
import { fastCrc32c, installFastKafkaCrc } from '../../src/capture-proxy/kafka-crc';

async function main(): Promise<void> {
  const installed = installFastKafkaCrc();
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: object) => Promise<{ buffer: Buffer }> };
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: object) => unknown;
  const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;
  const usesOurs = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') === fastCrc32c;
  const batch = await RecordBatch({ firstTimestamp: 1, maxTimestamp: 1, records: [Record({ key: Buffer.from('k'), value: randomBytes(5000) })] });
  // firstOffset (8), then the batch as bytes: length (4), leader epoch (4), magic (1), CRC (4), CRC'd body.
  const bytes = batch.buffer.subarray(8);
  const length = bytes.readInt32BE(0);
  const written = bytes.readUInt32BE(9);
  const expected = kafkajsCrc32c(bytes.subarray(13, 4 + length)) >>> 0;
  const reinstalled = installFastKafkaCrc();
  process.stdout.write(JSON.stringify({ installed, usesOurs, written, expected, reinstalled }) + '\n');
}

void main();
