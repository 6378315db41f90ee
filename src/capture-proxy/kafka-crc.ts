/**
 * kafkajs computes each record batch's CRC32C in JavaScript, one byte at a time (about 400 MB/s on the
 * machines we measure on). The capture proxy sends every byte of every mutating request through it, and for
 * 1 MB bulks it was a third of the proxy's CPU. This puts the hardware-accelerated CRC32C of @node-rs/crc32
 * (about 13 GB/s) in the place of the module kafkajs loads for it. kafkajs loads that module with its first
 * produce request, so installing before the producer sends is enough. kafkajs 2.2.4 is its last release, so
 * the module's path and contract (a Buffer in, an unsigned 32-bit CRC out) stay put; a unit test checks that
 * the replacement takes effect and agrees with kafkajs's own.
 */
import { Module } from 'node:module';
import { crc32c } from '@node-rs/crc32';

const KAFKAJS_CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const KAFKAJS_RECORD_BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';

/** The CRC32C of a record batch body, as kafkajs's module returns it (unsigned). */
export function fastCrc32c(buffer: Buffer): number {
  return crc32c(buffer) >>> 0;
}

/**
 * Makes kafkajs use `fastCrc32c`. Returns false when kafkajs had already loaded its record-batch encoder (it
 * then keeps its own CRC, which is slower but just as correct).
 */
export function installFastKafkaCrc(): boolean {
  const path = require.resolve(KAFKAJS_CRC_MODULE);
  if (require.cache[path]?.exports === fastCrc32c) return true;
  if (require.cache[require.resolve(KAFKAJS_RECORD_BATCH_MODULE)]) return false;
  const replacement = new Module(path);
  replacement.filename = path;
  replacement.loaded = true;
  replacement.exports = fastCrc32c;
  require.cache[path] = replacement;
  return true;
}
