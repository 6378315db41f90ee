/**
 * The capture of one client connection: observations in time order, cut into TrafficStream records of at
 * most `maxRecordBytes`. A read or write larger than the room left is split into segments followed by a
 * segment end. Each record carries how many requests came before it and whether it ends inside a
 * request, so a replayer can start from any record.
 */
import { encodeTrafficStream, timestamp, type ObservationKind, type TrafficObservation } from './traffic-stream';

export interface CaptureRecord {
  key: string;
  value: Uint8Array;
  /** The record that closes the connection. */
  last: boolean;
}

/** Bytes reserved per observation for its tags, lengths and timestamp. */
const OBSERVATION_OVERHEAD = 32;
const RECORD_OVERHEAD = 200;

export class ConnectionCapture {
  readonly connectionId: string;
  readonly #nodeId: string;
  readonly #maxRecordBytes: number;
  readonly #now: () => number;
  #observations: TrafficObservation[] = [];
  #size = 0;
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
    this.#nodeId = nodeId;
    this.#maxRecordBytes = Math.max(1024, maxRecordBytes - RECORD_OVERHEAD);
    this.#now = now;
  }

  get hasPending(): boolean {
    return this.#observations.length > 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  read(data: Uint8Array): CaptureRecord[] {
    this.#insideRequest = true;
    return this.#addData(data, 'read');
  }

  write(data: Uint8Array): CaptureRecord[] {
    return this.#addData(data, 'write');
  }

  endOfMessage(firstLineByteLength: number, headersByteLength: number): CaptureRecord[] {
    const records = this.#add({ endOfMessageIndicator: { firstLineByteLength, headersByteLength } }, 16);
    this.#insideRequest = false;
    this.#requestsInRecord++;
    return records;
  }

  requestDropped(): CaptureRecord[] {
    const records = this.#add({ requestDropped: {} }, 0);
    this.#insideRequest = false;
    return records;
  }

  exception(message: string): CaptureRecord[] {
    return this.#add({ connectionException: { message } }, message.length);
  }

  /** The final record, with a close observation. */
  close(): CaptureRecord[] {
    if (this.#closed) return [];
    const records = this.#add({ close: {} }, 0);
    this.#closed = true;
    records.push(this.#flush(true));
    return records;
  }

  /** Everything pending as a record (timer and size flushes); nothing when nothing is pending. */
  flush(): CaptureRecord[] {
    return this.#observations.length > 0 && !this.#closed ? [this.#flush(false)] : [];
  }

  #addData(data: Uint8Array, kind: 'read' | 'write'): CaptureRecord[] {
    const records: CaptureRecord[] = [];
    if (this.#size + data.length + OBSERVATION_OVERHEAD <= this.#maxRecordBytes) {
      records.push(...this.#add(kind === 'read' ? { read: { data } } : { write: { data } }, data.length));
      return records;
    }
    // Split across records: fill what is left of this one, then whole records, then a segment end.
    let offset = 0;
    while (offset < data.length) {
      let room = this.#maxRecordBytes - this.#size - OBSERVATION_OVERHEAD;
      if (room < 256) {
        records.push(this.#flush(false));
        room = this.#maxRecordBytes - OBSERVATION_OVERHEAD;
      }
      const piece = data.subarray(offset, offset + room);
      this.#push(kind === 'read' ? { readSegment: { data: piece } } : { writeSegment: { data: piece } }, piece.length);
      offset += piece.length;
    }
    records.push(...this.#add({ segmentEnd: {} }, 0));
    return records;
  }

  #add(observation: ObservationKind, payload: number): CaptureRecord[] {
    const records: CaptureRecord[] = [];
    if (this.#observations.length > 0 && this.#size + payload + OBSERVATION_OVERHEAD > this.#maxRecordBytes) records.push(this.#flush(false));
    this.#push(observation, payload);
    return records;
  }

  #push(observation: ObservationKind, payload: number): void {
    this.#observations.push({ ts: timestamp(this.#now()), ...observation } as TrafficObservation);
    this.#size += payload + OBSERVATION_OVERHEAD;
  }

  #flush(last: boolean): CaptureRecord {
    this.#records++;
    const value = encodeTrafficStream({
      connectionId: this.connectionId,
      nodeId: this.#nodeId,
      ...(this.#priorRequests > 0 ? { priorRequestsReceived: this.#priorRequests } : {}),
      ...(this.#startsInsideRequest ? { lastObservationWasUnterminatedRead: true } : {}),
      subStream: this.#observations,
      ...(last ? { numberOfThisLastChunk: this.#records } : { number: this.#records }),
    });
    this.#priorRequests += this.#requestsInRecord;
    this.#requestsInRecord = 0;
    this.#startsInsideRequest = this.#insideRequest;
    this.#observations = [];
    this.#size = 0;
    return { key: this.connectionId, value, last };
  }
}
