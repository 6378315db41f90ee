/**
 * kafkajs's encoding, tuned for the capture proxy: the native CRC32C agrees with kafkajs's own JavaScript CRC
 * (and the standard check value), and in a Node process of its own (jest's module registry bypasses the
 * require cache the CRC replacement goes through) kafkajs then encodes record batches whose CRC is right and
 * whose records decode back to what was sent, from a few bytes to more than a mebibyte.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fastCrc32c } from '../../../src/capture-proxy/kafka-encoding';

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

describe('tuneKafkaEncoding', () => {
  it('takes effect before kafkajs first encodes, and kafkajs still encodes batches exactly', () => {
    // WHEN a fresh Node process tunes kafkajs and has it encode and decode record batches of several sizes
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../support/kafka-encoding-check.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { tuning: object; usesOurCrc: boolean; batches: { size: number; crcRight: boolean; records: number; valuesBack: boolean[] }[]; again: object };

    // THEN both changes are in effect (and applying them again is harmless), and every batch is exact
    expect(result.tuning).toEqual({ crc: true, encoder: true });
    expect(result.again).toEqual({ crc: true, encoder: true });
    expect(result.usesOurCrc).toBe(true);
    expect(result.batches).toEqual([10, 5000, 300_000, 1_500_000].map((size) => ({ size, crcRight: true, records: 2, valuesBack: [true, true] })));
  });
});
