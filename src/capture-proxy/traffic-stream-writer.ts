/**
 * Writes one TrafficStream record straight into its final bytes, observation by observation, as traffic
 * passes: no message objects, no second pass at flush time. The bytes are the ones the schema encoder in
 * `./traffic-stream` produces for the same record (fields in number order; proto3 fields without presence,
 * such as a timestamp's zero nanos or an empty message, left out), so either can be checked against the other.
 *
 *   TrafficStream  = connectionId(1) subStream(2)* (number(3) | numberOfThisLastChunk(4)) nodeId(5)
 *                    [priorRequestsReceived(6)] [lastObservationWasUnterminatedRead(7)]
 *   subStream      = ts(1){seconds(1) nanos(2)} capture
 *   capture        = read(4){data(1)} | readSegment(5){data(2)} | write(8){data(1)} | writeSegment(9){data(2)}
 *                  | close(11){} | connectionException(12){message(1)} | segmentEnd(14){}
 *                  | endOfMessageIndicator(15){firstLineByteLength(1) headersByteLength(2)} | requestDropped(16){}
 */
import { varintSize, writeVarint } from './varint';

/** The observations that carry bytes, with the tag of their field and of the bytes inside it. */
export const DATA_KINDS = {
  read: { tag: 0x22, dataTag: 0x0a },
  readSegment: { tag: 0x2a, dataTag: 0x12 },
  write: { tag: 0x42, dataTag: 0x0a },
  writeSegment: { tag: 0x4a, dataTag: 0x12 },
} as const;
export type DataKind = keyof typeof DATA_KINDS;

/** The observations without content (an empty message): their field tag as bytes. */
const EMPTY_KINDS = {
  close: [0x5a],
  segmentEnd: [0x72],
  requestDropped: [0x82, 0x01],
} as const;
export type EmptyKind = keyof typeof EMPTY_KINDS;

const TAG_CONNECTION_ID = 0x0a;
const TAG_SUB_STREAM = 0x12;
const TAG_NUMBER = 0x18;
const TAG_LAST_NUMBER = 0x20;
const TAG_NODE_ID = 0x2a;
const TAG_PRIOR_REQUESTS = 0x30;
const TAG_UNTERMINATED_READ = 0x38;
const TAG_TS = 0x0a;
const TAG_SECONDS = 0x08;
const TAG_NANOS = 0x10;
const TAG_EXCEPTION = 0x62;
const TAG_END_OF_MESSAGE = 0x7a;

/** Most bytes an observation adds besides its data: sub-stream tag and length, timestamp, capture tag and lengths. */
export const MAX_OBSERVATION_OVERHEAD = 1 + 5 + (1 + 1 + 1 + 8 + 1 + 5) + (2 + 5) + (1 + 5);
/** Data at least this large is kept by reference until the record is finished, rather than copied as it comes. */
export const REFERENCE_BYTES = 2048;
/** Most bytes the fields after the observations take, beyond the node id itself. */
const MAX_TRAILER_OVERHEAD = 1 + 5 + (1 + 5) + (1 + 5) + 2;

/** An int32 field value: negative numbers take ten bytes (sign-extended to 64 bits), as protobuf writes them. */
function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function writeInt32(buffer: Buffer, offset: number, value: number): number {
  if (value >= 0) return writeVarint(buffer, offset, value);
  let low = value >>> 0;
  for (let i = 0; i < 4; i++) {
    buffer[offset++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  buffer[offset++] = (low & 0x0f) | 0x70 | 0x80; // bits 28-31 of the low word, then the high word's 1s
  for (let i = 0; i < 4; i++) buffer[offset++] = 0xff;
  buffer[offset++] = 0x01;
  return offset;
}

function lengthDelimited(tag: number, bytes: Buffer): Buffer {
  const field = Buffer.allocUnsafe(1 + varintSize(bytes.length) + bytes.length);
  bytes.copy(field, writeVarint(field, writeVarint(field, 0, tag), bytes.length));
  return field;
}

export interface RecordEnd {
  /** The record's 1-based index on its connection. */
  index: number;
  /** The record closes the connection (index goes in numberOfThisLastChunk). */
  last: boolean;
  priorRequestsReceived: number;
  lastObservationWasUnterminatedRead: boolean;
}

export class TrafficStreamWriter {
  readonly #connectionIdField: Buffer;
  readonly #nodeIdField: Buffer;
  /** Where small bytes (field tags, lengths, small data) are written; `#at` is the write position. */
  #buffer?: Buffer;
  #at = 0;
  /** Start in `#buffer` of the bytes not yet in `#sealed`. */
  #segmentStart = 0;
  /** The record so far, in order, before `#buffer[#segmentStart, #at)`: filled buffers and large data, uncopied. */
  #sealed: Uint8Array[] = [];
  #sealedBytes = 0;
  #observations = 0;
  /** When the record's first observation happened (ms since the epoch); meaningful while `observations` > 0. */
  #firstObservationMs = 0;
  /**
   * Starting size of the next record's buffer: the size of the last one (up to 16 KiB), so steady small traffic
   * rarely regrows, while a connection that just sent a large record does not hold a large empty buffer.
   */
  #sizeHint = 1024;
  readonly #maxBytes: number;

  /** `maxBytes` bounds one record; the room left for observations is `maxBytes` less what the fields around them take. */
  constructor(connectionId: string, nodeId: string, maxBytes: number) {
    this.#connectionIdField = lengthDelimited(TAG_CONNECTION_ID, Buffer.from(connectionId, 'utf8'));
    this.#nodeIdField = lengthDelimited(TAG_NODE_ID, Buffer.from(nodeId, 'utf8'));
    this.#maxBytes = maxBytes;
  }

  /** Bytes the observations of a record may take in all. */
  get capacity(): number {
    return this.#maxBytes - this.#connectionIdField.length - this.#nodeIdField.length - MAX_TRAILER_OVERHEAD;
  }

  /** Bytes the observations written so far take. */
  get size(): number {
    return this.#buffer ? this.#sealedBytes + this.#at - this.#segmentStart - this.#connectionIdField.length : 0;
  }

  /** When the record's first observation happened, or undefined while the record is empty. */
  get firstObservationMs(): number | undefined {
    return this.#observations > 0 ? this.#firstObservationMs : undefined;
  }

  get observations(): number {
    return this.#observations;
  }

  /**
   * Small data is copied in; data of `REFERENCE_BYTES` or more is kept by reference, to be copied once by
   * whoever takes the pieces `finish` returns (the caller must not change it meanwhile; socket chunks are
   * never reused).
   */
  data(kind: DataKind, timeMs: number, data: Uint8Array): void {
    const { tag, dataTag } = DATA_KINDS[kind];
    const inner = data.length > 0 ? 1 + varintSize(data.length) + data.length : 0;
    const referenced = data.length >= REFERENCE_BYTES;
    let at = this.#begin(timeMs, 1 + varintSize(inner) + inner, referenced ? data.length : 0);
    const buffer = this.#buffer!;
    buffer[at++] = tag;
    at = writeVarint(buffer, at, inner);
    if (inner > 0) {
      buffer[at++] = dataTag;
      at = writeVarint(buffer, at, data.length);
      if (referenced) {
        this.#at = at;
        this.#seal();
        this.#sealed.push(data);
        this.#sealedBytes += data.length;
        return;
      }
      buffer.set(data, at);
    }
    this.#at = at + data.length;
  }

  empty(kind: EmptyKind, timeMs: number): void {
    const tag = EMPTY_KINDS[kind];
    let at = this.#begin(timeMs, tag.length + 1);
    const buffer = this.#buffer!;
    for (const byte of tag) buffer[at++] = byte;
    buffer[at++] = 0;
    this.#at = at;
  }

  endOfMessage(timeMs: number, firstLineByteLength: number, headersByteLength: number): void {
    const inner = 1 + int32Size(firstLineByteLength) + 1 + int32Size(headersByteLength);
    let at = this.#begin(timeMs, 1 + varintSize(inner) + inner);
    const buffer = this.#buffer!;
    buffer[at++] = TAG_END_OF_MESSAGE;
    at = writeVarint(buffer, at, inner);
    buffer[at++] = 0x08;
    at = writeInt32(buffer, at, firstLineByteLength);
    buffer[at++] = 0x10;
    this.#at = writeInt32(buffer, at, headersByteLength);
  }

  exception(timeMs: number, message: string): void {
    const bytes = Buffer.byteLength(message, 'utf8');
    const inner = bytes > 0 ? 1 + varintSize(bytes) + bytes : 0;
    let at = this.#begin(timeMs, 1 + varintSize(inner) + inner);
    const buffer = this.#buffer!;
    buffer[at++] = TAG_EXCEPTION;
    at = writeVarint(buffer, at, inner);
    if (inner > 0) {
      buffer[at++] = 0x0a;
      at = writeVarint(buffer, at, bytes);
      at += buffer.write(message, at, 'utf8');
    }
    this.#at = at;
  }

  /**
   * The record's bytes, with the fields after the observations, as they were written: in order and uncopied,
   * the writer's own buffers and the large data it kept by reference (`joinPieces` puts them in one buffer;
   * a sink that copies them anyway, into a Kafka request, skips that). The writer starts a new record afterwards.
   */
  finish(end: RecordEnd): Uint8Array[] {
    if (!this.#buffer) this.#start(0);
    const prior = end.priorRequestsReceived > 0 ? 1 + varintSize(end.priorRequestsReceived) : 0;
    const buffer = this.#ensure(1 + varintSize(end.index) + this.#nodeIdField.length + prior + (end.lastObservationWasUnterminatedRead ? 2 : 0));
    let at = this.#at;
    buffer[at++] = end.last ? TAG_LAST_NUMBER : TAG_NUMBER;
    at = writeVarint(buffer, at, end.index);
    at += this.#nodeIdField.copy(buffer, at);
    if (prior > 0) {
      buffer[at++] = TAG_PRIOR_REQUESTS;
      at = writeVarint(buffer, at, end.priorRequestsReceived);
    }
    if (end.lastObservationWasUnterminatedRead) {
      buffer[at++] = TAG_UNTERMINATED_READ;
      buffer[at++] = 1;
    }
    this.#at = at;
    this.#seal();
    const pieces = this.#sealed;
    this.#sizeHint = Math.min(Math.max(this.#sealedBytes, 256), 16 * 1024);
    this.#buffer = undefined;
    this.#at = this.#segmentStart = this.#sealedBytes = this.#observations = 0;
    this.#sealed = [];
    return pieces;
  }

  /**
   * Makes room for one observation whose capture field takes `captureBytes`, writes its sub-stream entry up to
   * and including the timestamp, and returns where the capture field goes.
   */
  #begin(timeMs: number, captureBytes: number, referencedBytes = 0): number {
    const seconds = Math.floor(timeMs / 1000);
    const nanos = (timeMs % 1000) * 1_000_000;
    const ts = (seconds > 0 ? 1 + varintSize(seconds) : 0) + (nanos > 0 ? 1 + varintSize(nanos) : 0);
    const observation = 1 + varintSize(ts) + ts + captureBytes;
    const buffer = this.#ensure(1 + varintSize(observation) + observation - referencedBytes);
    let at = this.#at;
    buffer[at++] = TAG_SUB_STREAM;
    at = writeVarint(buffer, at, observation);
    buffer[at++] = TAG_TS;
    at = writeVarint(buffer, at, ts);
    if (seconds > 0) {
      buffer[at++] = TAG_SECONDS;
      at = writeVarint(buffer, at, seconds);
    }
    if (nanos > 0) {
      buffer[at++] = TAG_NANOS;
      at = writeVarint(buffer, at, nanos);
    }
    if (this.#observations++ === 0) this.#firstObservationMs = timeMs;
    this.#at = at;
    return at;
  }

  #start(room: number): void {
    const size = Math.max(this.#sizeHint, this.#connectionIdField.length + room);
    this.#buffer = Buffer.allocUnsafe(size);
    this.#segmentStart = 0;
    this.#at = this.#connectionIdField.copy(this.#buffer, 0);
  }

  /** Moves the bytes written to `#buffer` since the last seal into `#sealed`. */
  #seal(): void {
    if (this.#at > this.#segmentStart) {
      this.#sealed.push(this.#buffer!.subarray(this.#segmentStart, this.#at));
      this.#sealedBytes += this.#at - this.#segmentStart;
    }
    this.#segmentStart = this.#at;
  }

  /** `#buffer` with room for `bytes` more: a full buffer is sealed as it is (never copied) and a new one started. */
  #ensure(bytes: number): Buffer {
    if (!this.#buffer) {
      this.#start(bytes);
      return this.#buffer!;
    }
    if (this.#at + bytes <= this.#buffer.length) return this.#buffer;
    this.#seal();
    this.#buffer = Buffer.allocUnsafe(Math.max(bytes, Math.min(this.#buffer.length * 2, 64 * 1024)));
    this.#at = this.#segmentStart = 0;
    return this.#buffer;
  }
}

/** Pieces of bytes in one buffer, copied once (a single piece is returned as it is). */
export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const joined = Buffer.allocUnsafe(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  return joined;
}
