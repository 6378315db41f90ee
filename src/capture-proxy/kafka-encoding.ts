/**
 * Two changes to how kafkajs encodes produce requests, which the capture proxy pays for every byte of every
 * mutating request it records (for 1 MB bulks these were most of the proxy's CPU):
 *
 * - The CRC32C of each record batch: kafkajs computes it in JavaScript one byte at a time (about 400 MB/s on
 *   the machines we measure on); @node-rs/crc32 uses the CPU's CRC instruction (about 13 GB/s). Its module
 *   is put in the place of kafkajs's before kafkajs loads it, which happens with the first produce request.
 * - The growth of kafkajs's encoder buffers: each nested encoder (record, batch, request) that outgrows its
 *   buffer gets a zero-filled one of the next power of two, then overwrites it. Only the bytes written are
 *   ever read (`buffer` is the slice up to the write position), so the zero-filling is dropped.
 *
 * kafkajs 2.2.4 is its last release, so these internals stay put; a unit test checks in a fresh process that
 * both changes take effect and that the batches kafkajs then encodes carry the right CRC, and the Kafka
 * integration tests decode every record the proxy sends.
 */
import { Module } from 'node:module';
import { crc32c } from '@node-rs/crc32';

const CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const RECORD_BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';

/** The CRC32C of a record batch body, as kafkajs's module returns it (unsigned). */
export function fastCrc32c(buffer: Buffer): number {
  return crc32c(buffer) >>> 0;
}

interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}

interface EncoderClass {
  nextPowerOfTwo(value: number): number;
  prototype: { ensureAvailable(this: KafkajsEncoder, length: number): void };
}

/** kafkajs's own sizing of a grown buffer, taken from its encoder class when the tuning is applied. */
let nextPowerOfTwo: (value: number) => number = (value) => value;

/** kafkajs's `ensureAvailable`, growing into a buffer that is not zero-filled first. */
function ensureAvailableUnfilled(this: KafkajsEncoder, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(nextPowerOfTwo(this.offset + length));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
}

function encoderClass(): EncoderClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(ENCODER_MODULE) as EncoderClass;
}

export interface KafkaEncodingTuning {
  /** kafkajs uses `fastCrc32c` (false when it had loaded its record-batch encoder before: it keeps its own). */
  crc: boolean;
  /** kafkajs's encoders grow without zero-filling. */
  encoder: boolean;
}

/** Applies both changes (again is harmless); returns which are in effect. */
export function tuneKafkaEncoding(): KafkaEncodingTuning {
  const encoder = encoderClass();
  nextPowerOfTwo = (value) => encoder.nextPowerOfTwo(value);
  encoder.prototype.ensureAvailable = ensureAvailableUnfilled;
  return { crc: installCrc(), encoder: encoder.prototype.ensureAvailable === ensureAvailableUnfilled };
}

function installCrc(): boolean {
  const path = require.resolve(CRC_MODULE);
  if (require.cache[path]?.exports === fastCrc32c) return true;
  if (require.cache[require.resolve(RECORD_BATCH_MODULE)]) return false;
  const replacement = new Module(path);
  replacement.filename = path;
  replacement.loaded = true;
  replacement.exports = fastCrc32c;
  require.cache[path] = replacement;
  return true;
}
