/**
 * Capture records in a local file, for local use and tests: each record is its TrafficStream bytes
 * preceded by their length as a protobuf varint, all in `<directory>/capture-<nodeId>.protocap`.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { CaptureRecord } from './connection-capture';
import type { CaptureSink } from './capture-sink';
import { varint } from './varint';

export class FileSink implements CaptureSink {
  readonly description: string;
  readonly #out: WriteStream;

  constructor(directory: string, nodeId: string) {
    mkdirSync(directory, { recursive: true });
    const file = join(directory, `capture-${nodeId}.protocap`);
    this.description = `file ${file}`;
    this.#out = createWriteStream(file, { flags: 'a' });
  }

  send(record: CaptureRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#out.write(Buffer.concat([varint(record.size), ...record.pieces]), (error) => (error ? reject(error) : resolve()));
    });
  }

  async sendBatch(records: CaptureRecord[]): Promise<void> {
    for (const record of records) await this.send(record);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(() => resolve()));
  }
}

/** Reads back a file written by FileSink: the records' bytes in order. */
export function readLengthPrefixed(bytes: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let b: number;
    do {
      b = bytes[offset++];
      length += (b & 0x7f) * multiplier;
      multiplier *= 128;
    } while (b & 0x80);
    records.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return records;
}
