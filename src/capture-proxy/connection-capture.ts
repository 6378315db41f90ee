/**
 * The capture of one client connection: observations in time order, cut into TrafficStream records of at
 * most `maxRecordBytes`. A read or write larger than the room left is split into segments followed by a
 * segment end. Each record carries how many requests came before it and whether it ends inside a
 * request, so a replayer can start from any record. Observations are written straight into the record's
 * bytes as they arrive (`TrafficStreamWriter`), so a flush costs next to nothing. After the close record,
 * nothing more is captured (late bytes from a socket being torn down would have no record to go in).
 */
import { joinPieces, MAX_OBSERVATION_OVERHEAD, TrafficStreamWriter, type DataKind, type EmptyKind } from './traffic-stream-writer';

export interface CaptureRecord {
  readonly key: string;
  /** The record's bytes (for a record written in pieces, joined when first read). */
  readonly value: Uint8Array;
  /** The same bytes as written, in order and uncopied: a sink that copies them anyway skips the join. */
  readonly pieces: readonly Uint8Array[];
  /** Bytes in the record. */
  readonly size: number;
  /** The record that closes the connection. */
  readonly last: boolean;
}

/** A record whose bytes are in one piece. */
export function wholeRecord(key: string, value: Uint8Array, last = false): CaptureRecord {
  return { key, value, pieces: [value], size: value.length, last };
}

/** A record in the pieces the writer produced; `value` joins them the first time it is read. */
class PiecedRecord implements CaptureRecord {
  readonly key: string;
  readonly pieces: readonly Uint8Array[];
  readonly size: number;
  readonly last: boolean;
  #value?: Uint8Array;

  constructor(key: string, pieces: readonly Uint8Array[], last: boolean) {
    this.key = key;
    this.pieces = pieces;
    this.size = pieces.reduce((sum, piece) => sum + piece.length, 0);
    this.last = last;
  }

  get value(): Uint8Array {
    this.#value ??= joinPieces(this.pieces);
    return this.#value;
  }
}

/** What a call returns when it completed no record: shared, so the common case allocates nothing. */
const NO_RECORDS: readonly CaptureRecord[] = Object.freeze([]);

/** Smallest room left in a record worth starting a segment in; less, and the record is sent first. */
const MIN_SEGMENT = 256;

export class ConnectionCapture {
  readonly connectionId: string;
  readonly #writer: TrafficStreamWriter;
  readonly #capacity: number;
  readonly #now: () => number;
  #records = 0;
  /** Completed requests (EOMs) before the current record. */
  #priorRequests = 0;
  #requestsInRecord = 0;
  /** The record being built started in the middle of a request. */
  #startsInsideRequest = false;
  #insideRequest = false;
  #closed = false;

  constructor(connectionId: string, nodeId: string, maxRecordBytes: number, now: () => number = Date.now) {
    this.connectionId = connectionId;
    this.#writer = new TrafficStreamWriter(connectionId, nodeId, Math.max(2048, maxRecordBytes));
    this.#capacity = this.#writer.capacity;
    this.#now = now;
  }

  get hasPending(): boolean {
    return this.#writer.observations > 0;
  }

  /** When the oldest observation not yet in a returned record happened; undefined when there is none. */
  get pendingSinceMs(): number | undefined {
    return this.#writer.firstObservationMs;
  }

  /** Bytes of the record being written (not yet returned by a call). */
  get pendingBytes(): number {
    return this.#writer.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  read(data: Uint8Array): readonly CaptureRecord[] {
    this.#insideRequest = true;
    return this.#addData(data, 'read', 'readSegment');
  }

  write(data: Uint8Array): readonly CaptureRecord[] {
    return this.#addData(data, 'write', 'writeSegment');
  }

  endOfMessage(firstLineByteLength: number, headersByteLength: number): readonly CaptureRecord[] {
    if (this.#closed) return NO_RECORDS;
    const records = this.#makeRoom(0);
    this.#writer.endOfMessage(this.#now(), firstLineByteLength, headersByteLength);
    this.#insideRequest = false;
    this.#requestsInRecord++;
    return records;
  }

  requestDropped(): readonly CaptureRecord[] {
    const records = this.#addEmpty('requestDropped');
    this.#insideRequest = false;
    return records;
  }

  exception(message: string): readonly CaptureRecord[] {
    if (this.#closed) return NO_RECORDS;
    const records = this.#makeRoom(Buffer.byteLength(message));
    this.#writer.exception(this.#now(), message);
    return records;
  }

  /** The final record, with a close observation. */
  close(): readonly CaptureRecord[] {
    if (this.#closed) return NO_RECORDS;
    const records = [...this.#addEmpty('close')];
    this.#closed = true;
    records.push(this.#flush(true));
    return records;
  }

  /** Everything pending as a record (timer and size flushes); nothing when nothing is pending. */
  flush(): readonly CaptureRecord[] {
    return this.#writer.observations > 0 && !this.#closed ? [this.#flush(false)] : NO_RECORDS;
  }

  #addData(data: Uint8Array, kind: DataKind, segmentKind: DataKind): readonly CaptureRecord[] {
    if (this.#closed) return NO_RECORDS;
    if (this.#writer.size + data.length + MAX_OBSERVATION_OVERHEAD <= this.#capacity) {
      this.#writer.data(kind, this.#now(), data);
      return NO_RECORDS;
    }
    // Split across records: fill what is left of this one, then whole records, then a segment end.
    const records: CaptureRecord[] = [];
    let offset = 0;
    while (offset < data.length) {
      let room = this.#capacity - this.#writer.size - MAX_OBSERVATION_OVERHEAD;
      if (room < MIN_SEGMENT) {
        records.push(this.#flush(false));
        room = this.#capacity - MAX_OBSERVATION_OVERHEAD;
      }
      const piece = data.subarray(offset, offset + room);
      this.#writer.data(segmentKind, this.#now(), piece);
      offset += piece.length;
    }
    records.push(...this.#addEmpty('segmentEnd'));
    return records;
  }

  #addEmpty(kind: EmptyKind): readonly CaptureRecord[] {
    if (this.#closed) return NO_RECORDS;
    const records = this.#makeRoom(0);
    this.#writer.empty(kind, this.#now());
    return records;
  }

  /** Sends the current record first when an observation with `payload` bytes would not fit in it. */
  #makeRoom(payload: number): readonly CaptureRecord[] {
    if (this.#writer.observations > 0 && this.#writer.size + payload + MAX_OBSERVATION_OVERHEAD > this.#capacity) return [this.#flush(false)];
    return NO_RECORDS;
  }

  #flush(last: boolean): CaptureRecord {
    this.#records++;
    const pieces = this.#writer.finish({
      index: this.#records,
      last,
      priorRequestsReceived: this.#priorRequests,
      lastObservationWasUnterminatedRead: this.#startsInsideRequest,
    });
    this.#priorRequests += this.#requestsInRecord;
    this.#requestsInRecord = 0;
    this.#startsInsideRequest = this.#insideRequest;
    return new PiecedRecord(this.connectionId, pieces, last);
  }
}
