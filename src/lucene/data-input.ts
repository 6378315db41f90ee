/**
 * A cursor over bytes in memory with Lucene's primitive encodings: variable-length ints, strings, maps
 * and sets, and fixed-width numbers in big-endian (Lucene ≤ 8 bodies, every header and footer) or
 * little-endian (Lucene ≥ 9 bodies).
 */
import { CorruptIndexError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class DataInput {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly resource: string;
  offset: number;
  littleEndian: boolean;

  constructor(bytes: Uint8Array, resource: string, offset = 0, littleEndian = false) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.resource = resource;
    this.offset = offset;
    this.littleEndian = littleEndian;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  #need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new CorruptIndexError(this.resource, `needed ${n} bytes but only ${this.bytes.length - this.offset} remain (truncated file?)`, this.offset);
    }
  }

  readByte(): number {
    this.#need(1);
    return this.bytes[this.offset++];
  }

  readBytes(n: number): Uint8Array {
    if (n < 0) throw new CorruptIndexError(this.resource, `negative length ${n}`, this.offset);
    this.#need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  skip(n: number): void {
    this.#need(n);
    this.offset += n;
  }

  readShort(): number {
    this.#need(2);
    const value = this.view.getInt16(this.offset, this.littleEndian);
    this.offset += 2;
    return value;
  }

  readInt(): number {
    this.#need(4);
    const value = this.view.getInt32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  readBEInt(): number {
    this.#need(4);
    const value = this.view.getInt32(this.offset, false);
    this.offset += 4;
    return value;
  }

  /** A 64-bit value as a JavaScript number: exact up to 2^53, which covers offsets, lengths and generations. */
  readLong(): number {
    return Number(this.readLongBig());
  }

  readLongBig(): bigint {
    this.#need(8);
    const value = this.view.getBigInt64(this.offset, this.littleEndian);
    this.offset += 8;
    return value;
  }

  readBELongBig(): bigint {
    this.#need(8);
    const value = this.view.getBigInt64(this.offset, false);
    this.offset += 8;
    return value;
  }

  readVInt(): number {
    let b = this.readByte();
    let value = b & 0x7f;
    for (let shift = 7; b & 0x80; shift += 7) {
      if (shift > 28) throw new CorruptIndexError(this.resource, 'variable-length int is longer than 5 bytes', this.offset);
      b = this.readByte();
      value |= (b & 0x7f) << shift;
    }
    return value >>> 0 === value ? value : value | 0;
  }

  /** Up to 2^53 exactly; larger values lose precision, which Lucene never writes for the fields we read. */
  readVLong(): number {
    let b = this.readByte();
    let value = b & 0x7f;
    let multiplier = 128;
    for (let i = 1; b & 0x80; i++) {
      if (i > 9) throw new CorruptIndexError(this.resource, 'variable-length long is longer than 10 bytes', this.offset);
      b = this.readByte();
      value += (b & 0x7f) * multiplier;
      multiplier *= 128;
    }
    return value;
  }

  readZInt(): number {
    const n = this.readVInt() >>> 0;
    return (n >>> 1) ^ -(n & 1);
  }

  readString(): string {
    const length = this.readVInt();
    return utf8.decode(this.readBytes(length));
  }

  readSetOfStrings(): string[] {
    const count = this.readVInt();
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.readString());
    return out;
  }

  readMapOfStrings(): Record<string, string> {
    const count = this.readVInt();
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const key = this.readString();
      out[key] = this.readString();
    }
    return out;
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
