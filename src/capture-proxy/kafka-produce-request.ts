/**
 * kafkajs's produce request (versions 3 to 7 share its encoder) written in one pass into one buffer of the
 * exact size. kafkajs builds it from nested encoders, each copying the one inside it into a new buffer of
 * the next power of two: record, batch body, batch, record set, partition, topic, request, about nine
 * copies of every captured byte, and as many large short-lived allocations. At 1 MB bulks those copies and
 * the garbage collections they set off (each 64 MB of new off-heap buffers starts one) were most of the
 * proxy's CPU. The bytes are the same as kafkajs's (a unit test compares the two encoders), so the broker
 * sees no difference. Requests this does not cover (compressed, transactional, idempotent, with headers or
 * timestamps) are left to kafkajs's own encoder.
 *
 *   Produce v3+    = transactional_id:int16(-1) acks:int16 timeout:int32 [topic:string [partition:int32 record_set:bytes]]
 *   record batch   = base_offset:int64 length:int32 leader_epoch:int32 magic:int8(2) crc:uint32 attributes:int16
 *                    last_offset_delta:int32 first_ts:int64 max_ts:int64 producer_id:int64 producer_epoch:int16
 *                    base_sequence:int32 count:int32 record*
 *   record         = length:varint attributes:int8 ts_delta:varlong offset_delta:varint key:varint-bytes
 *                    value:varint-bytes headers:varint(0)
 */
import { crc32c } from '@node-rs/crc32';
import { varintSize, writeVarint, zigZag } from './varint';

/** The request module's path inside kafkajs; versions 4 to 7 require it and change only the version number. */
export const PRODUCE_REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
const NO_COMPRESSION = 0;
/** Record batch bytes from the CRC's end to the record count, included. */
const BATCH_BODY_HEADER = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Record batch bytes before the records: base offset, length, leader epoch, magic, CRC, then the body header. */
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4 + BATCH_BODY_HEADER;

/**
 * A message value in pieces (a capture record as its writer left it), copied piece by piece into the
 * request: the one copy of those bytes on their way to Kafka. Only this encoder takes it, so a sink passes
 * one only while `installProduceRequest` is in effect and the request is one this encoder covers.
 */
export class PiecedBytes {
  readonly pieces: readonly Uint8Array[];
  readonly length: number;

  constructor(pieces: readonly Uint8Array[], length: number) {
    this.pieces = pieces;
    this.length = length;
  }
}

type Bytes = Buffer | PiecedBytes | string | null | undefined;

interface Message {
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, unknown>;
  timestamp?: unknown;
}

interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Message[];
}

interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

/** A kafkajs 64-bit integer: a BigInt inside. */
interface KafkajsLong {
  value: bigint;
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  /** A number as kafkajs's producer passes it (-1 when not idempotent), or a kafkajs Long. */
  producerId?: KafkajsLong | number;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}

/** kafkajs's encoder as far as its users look into it: the bytes written are `buf` up to `offset`. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  /**
   * Bytes free for the request's frame just before `buf`, in the same allocation: set by this encoder, so the
   * framing can write the header there instead of copying the body after it (`frameRequest`).
   */
  headroom?: number;
}

/** Room left before a produce request body for its frame: size, API key and version, correlation id, client id. */
export const FRAME_HEADROOM = 4 + 2 + 2 + 4 + 2 + 242;

export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse(): boolean;
  encode(): Promise<KafkajsEncoder>;
}

type ProduceRequestFactory = (args: ProduceRequestArgs) => ProduceRequest;

type EncoderConstructor = new (initialSize: number) => KafkajsEncoder;
/** kafkajs's encoder class, looked up once: encoders are made for every request. */
let encoderConstructor: EncoderConstructor | undefined;

/** A kafkajs encoder whose written bytes are `buf`, with `headroom` bytes free before it. */
export function kafkajsEncoder(buf: Buffer, headroom = 0): KafkajsEncoder {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  encoderConstructor ??= require(ENCODER_MODULE) as EncoderConstructor;
  const encoder = new encoderConstructor(0);
  encoder.buf = buf;
  encoder.offset = buf.length;
  if (headroom > 0) encoder.headroom = headroom;
  return encoder;
}

/** Bytes of a Kafka (zigzag) varint. */
function signedVarintSize(value: number): number {
  return varintSize(zigZag(value));
}

function writeSignedVarint(buffer: Buffer, offset: number, value: number): number {
  return writeVarint(buffer, offset, zigZag(value));
}

function byteLength(bytes: Bytes): number {
  if (bytes == null) return -1;
  return Buffer.isBuffer(bytes) || bytes instanceof PiecedBytes ? bytes.length : Buffer.byteLength(String(bytes));
}

function writeBytes(buffer: Buffer, offset: number, bytes: Bytes, length: number): number {
  offset = writeSignedVarint(buffer, offset, length);
  if (length <= 0) return offset;
  if (Buffer.isBuffer(bytes)) return offset + bytes.copy(buffer, offset);
  if (bytes instanceof PiecedBytes) {
    for (const piece of bytes.pieces) {
      buffer.set(piece, offset);
      offset += piece.length;
    }
    return offset;
  }
  return offset + buffer.write(String(bytes), offset, length, 'utf8');
}

/** Whether this encoder writes the request, or leaves it to kafkajs's. */
function covered(args: ProduceRequestArgs): boolean {
  if ((args.compression ?? NO_COMPRESSION) !== NO_COMPRESSION || args.transactionalId != null) return false;
  const producerId = args.producerId;
  if (producerId !== undefined && (typeof producerId === 'number' ? producerId : Number(producerId.value)) !== -1) return false;
  return args.topicData.every((topic) => topic.partitions.every((p) => p.messages.every((m) => m.timestamp == null && (m.headers === undefined || Object.keys(m.headers).length === 0))));
}

interface SizedRecord {
  message: Message;
  keyLength: number;
  valueLength: number;
  /** Bytes after the record's own length varint. */
  bodySize: number;
}

/**
 * The request body in one buffer, byte for byte what kafkajs's encoder writes for the same arguments; the
 * allocation starts `headroom` bytes before the buffer returned.
 */
export function encodeProduceRequest(args: ProduceRequestArgs, now: number = Date.now(), headroom = 0): Buffer {
  const producerEpoch = args.producerEpoch ?? 0;
  const sized = args.topicData.map((topic) => ({
    topic,
    nameLength: Buffer.byteLength(topic.topic),
    partitions: topic.partitions.map((partition) => {
      const records: SizedRecord[] = partition.messages.map((message, i) => {
        const keyLength = byteLength(message.key);
        const valueLength = byteLength(message.value);
        const bodySize = 1 + 1 + signedVarintSize(i) + signedVarintSize(keyLength) + Math.max(0, keyLength) + signedVarintSize(valueLength) + Math.max(0, valueLength) + 1;
        return { message, keyLength, valueLength, bodySize };
      });
      const batchSize = BATCH_HEADER + records.reduce((sum, r) => sum + signedVarintSize(r.bodySize) + r.bodySize, 0);
      return { partition, records, batchSize };
    }),
  }));
  let size = 2 + 2 + 4 + 4;
  for (const topic of sized) size += 2 + topic.nameLength + 4 + topic.partitions.reduce((sum, p) => sum + 4 + 4 + p.batchSize, 0);

  const buffer = Buffer.allocUnsafe(headroom + size).subarray(headroom);
  let offset = buffer.writeInt16BE(-1, 0);
  offset = buffer.writeInt16BE(args.acks, offset);
  offset = buffer.writeInt32BE(args.timeout, offset);
  offset = buffer.writeInt32BE(sized.length, offset);
  for (const topic of sized) {
    offset = buffer.writeInt16BE(topic.nameLength, offset);
    offset += buffer.write(topic.topic.topic, offset, 'utf8');
    offset = buffer.writeInt32BE(topic.partitions.length, offset);
    for (const { partition, records, batchSize } of topic.partitions) {
      offset = buffer.writeInt32BE(partition.partition, offset);
      offset = buffer.writeInt32BE(batchSize, offset);
      offset = buffer.writeBigInt64BE(0n, offset);
      offset = buffer.writeInt32BE(batchSize - 12, offset);
      offset = buffer.writeInt32BE(0, offset);
      offset = buffer.writeInt8(2, offset);
      const crcAt = offset;
      offset += 4;
      const bodyStart = offset;
      offset = buffer.writeInt16BE(0, offset);
      offset = buffer.writeInt32BE(records.length - 1, offset);
      offset = buffer.writeBigInt64BE(BigInt(now), offset);
      offset = buffer.writeBigInt64BE(BigInt(now), offset);
      offset = buffer.writeBigInt64BE(-1n, offset);
      offset = buffer.writeInt16BE(producerEpoch, offset);
      offset = buffer.writeInt32BE(partition.firstSequence ?? 0, offset);
      offset = buffer.writeInt32BE(records.length, offset);
      records.forEach((record, i) => {
        offset = writeSignedVarint(buffer, offset, record.bodySize);
        buffer[offset++] = 0;
        buffer[offset++] = 0;
        offset = writeSignedVarint(buffer, offset, i);
        offset = writeBytes(buffer, offset, record.message.key, record.keyLength);
        offset = writeBytes(buffer, offset, record.message.value, record.valueLength);
        buffer[offset++] = 0;
      });
      buffer.writeUInt32BE(crc32c(buffer.subarray(bodyStart, offset)) >>> 0, crcAt);
    }
  }
  if (offset !== size) throw new Error(`produce request encoded ${offset} bytes, sized ${size}`);
  return buffer;
}

/** kafkajs's request factory with its encoder replaced for the requests `encodeProduceRequest` covers. */
export function fastProduceRequest(original: ProduceRequestFactory): ProduceRequestFactory {
  return (args) => {
    const request = original(args);
    if (!covered(args)) return request;
    return {
      ...request,
      encode: () => Promise.resolve(kafkajsEncoder(encodeProduceRequest(args, Date.now(), FRAME_HEADROOM), FRAME_HEADROOM)),
    };
  };
}

/** The modules of versions 4 to 7, which take version 3's module when they load. */
const LATER_VERSION_MODULES = [4, 5, 6, 7].map((v) => `kafkajs/src/protocol/requests/produce/v${v}/request.js`);

/**
 * Puts `fastProduceRequest` in place of kafkajs's module (loading the original first); returns whether it is
 * in effect for every version, which needs this to run before kafkajs first produces (versions 4 to 7 take
 * the module then).
 */
export function installProduceRequest(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const original = require(PRODUCE_REQUEST_MODULE) as ProduceRequestFactory & { fast?: true };
  if (original.fast) return true;
  if (LATER_VERSION_MODULES.some((module) => require.cache[require.resolve(module)])) return false;
  require.cache[require.resolve(PRODUCE_REQUEST_MODULE)]!.exports = Object.assign(fastProduceRequest(original), { fast: true as const });
  return true;
}
