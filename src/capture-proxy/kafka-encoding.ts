/**
 * Changes to how kafkajs encodes produce requests, which the capture proxy pays for every byte of every
 * mutating request it records (for 1 MB bulks these were most of the proxy's CPU):
 *
 * - The CRC32C of each record batch: kafkajs computes it in JavaScript one byte at a time (about 400 MB/s on
 *   the machines we measure on); @node-rs/crc32 uses the CPU's CRC instruction (about 13 GB/s). Its module
 *   is put in the place of kafkajs's before kafkajs loads it, which happens with the first produce request.
 * - The growth of kafkajs's encoder buffers: each nested encoder (record, batch, request) that outgrows its
 *   buffer gets a zero-filled one of the next power of two, then overwrites it. Only the bytes written are
 *   ever read (`buffer` is the slice up to the write position), so the zero-filling is dropped.
 * - The produce request itself is written in one pass into one buffer (`./kafka-produce-request`) rather
 *   than copied through nine nested encoders, and every request is framed (size, header, body) with one
 *   copy into a buffer of its exact size, where kafkajs made two, each into the next power of two.
 *
 * kafkajs 2.2.4 is its last release, so these internals stay put; a unit test checks in a fresh process that
 * the changes take effect and that the batches kafkajs then encodes carry the right CRC, and the Kafka
 * integration tests decode every record the proxy sends.
 */
import { Module } from 'node:module';
import { crc32c } from '@node-rs/crc32';
import { installProduceRequest, kafkajsEncoder, type KafkajsEncoder } from './kafka-produce-request';

const CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const RECORD_BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
const REQUEST_MODULE = 'kafkajs/src/protocol/request.js';
/** Takes the request framing when it loads, so the framing must be in place before kafkajs itself loads. */
const CONNECTION_MODULE = 'kafkajs/src/network/connection.js';

/** The CRC32C of a record batch body, as kafkajs's module returns it (unsigned). */
export function fastCrc32c(buffer: Buffer): number {
  return crc32c(buffer) >>> 0;
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
  /** Produce requests are written in one buffer (false when kafkajs had produced before: it keeps its own). */
  produceRequest: boolean;
  /** Requests are framed with one copy (false when kafkajs had been loaded before: it keeps its own). */
  requestFrame: boolean;
}

/**
 * The frame kafkajs sends for a request: size, API key and version, correlation id, client id, then the body.
 * The header goes in the body's headroom when it has enough (produce requests), else body and header are
 * copied into a buffer of their exact size.
 */
export async function frameRequest({ correlationId, clientId, request }: { correlationId: number; clientId: string | null; request: { apiKey: number; apiVersion: number; encode(): Promise<KafkajsEncoder> } }): Promise<KafkajsEncoder> {
  const payload = await request.encode();
  const clientIdLength = clientId == null ? 0 : Buffer.byteLength(clientId);
  const headerSize = 4 + 2 + 2 + 4 + 2 + clientIdLength;
  const inPlace = (payload.headroom ?? 0) >= headerSize;
  const frame = inPlace ? Buffer.from(payload.buf.buffer, payload.buf.byteOffset - headerSize, headerSize + payload.offset) : Buffer.allocUnsafe(headerSize + payload.offset);
  let offset = frame.writeInt32BE(frame.length - 4, 0);
  offset = frame.writeInt16BE(request.apiKey, offset);
  offset = frame.writeInt16BE(request.apiVersion, offset);
  offset = frame.writeInt32BE(correlationId, offset);
  offset = frame.writeInt16BE(clientId == null ? -1 : clientIdLength, offset);
  if (clientId != null) frame.write(clientId, offset, 'utf8');
  if (!inPlace) payload.buf.copy(frame, headerSize, 0, payload.offset);
  return kafkajsEncoder(frame);
}

/**
 * Applies the changes (again is harmless); returns which are in effect. Call it before anything loads
 * kafkajs itself (`./kafka-client` does), or the request framing stays kafkajs's.
 */
export function tuneKafkaEncoding(): KafkaEncodingTuning {
  const encoder = encoderClass();
  nextPowerOfTwo = (value) => encoder.nextPowerOfTwo(value);
  encoder.prototype.ensureAvailable = ensureAvailableUnfilled;
  // The CRC first: loading kafkajs's produce request loads its record-batch encoder, which takes the CRC module.
  const crc = replaceModule(CRC_MODULE, fastCrc32c, RECORD_BATCH_MODULE);
  return {
    crc,
    encoder: encoder.prototype.ensureAvailable === ensureAvailableUnfilled,
    produceRequest: installProduceRequest(),
    requestFrame: replaceModule(REQUEST_MODULE, frameRequest, CONNECTION_MODULE),
  };
}

/** Puts `exports` in the require cache as kafkajs's module `module`, unless `takenBy` has already loaded it. */
function replaceModule(module: string, exports: unknown, takenBy: string): boolean {
  const path = require.resolve(module);
  if (require.cache[path]?.exports === exports) return true;
  if (require.cache[require.resolve(takenBy)]) return false;
  const replacement = new Module(path);
  replacement.filename = path;
  replacement.loaded = true;
  replacement.exports = exports;
  require.cache[path] = replacement;
  return true;
}
