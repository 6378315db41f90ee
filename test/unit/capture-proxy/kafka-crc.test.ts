/**
 * The CRC32C kafkajs puts in record batches, replaced by a native one: the replacement agrees with kafkajs's
 * own JavaScript CRC (and the standard check value), and kafkajs's record-batch encoder really uses it (checked
 * in a Node process of its own: jest's module registry bypasses the require cache the replacement goes through).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fastCrc32c } from '../../../src/capture-proxy/kafka-crc';

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

describe('installFastKafkaCrc', () => {
  it('makes the record-batch encoder kafkajs loads afterwards use it, with correct CRCs', () => {
    // WHEN a fresh Node process installs it and has kafkajs encode a record batch
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../support/kafka-crc-check.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { installed: boolean; usesOurs: boolean; written: number; expected: number; reinstalled: boolean };

    // THEN kafkajs asked for our CRC, wrote the right one, and installing again is harmless
    expect(result).toEqual({ installed: true, usesOurs: true, written: result.expected, expected: expect.any(Number), reinstalled: true });
  });
});
