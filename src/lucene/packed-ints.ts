/**
 * Per-chunk integer arrays of stored fields.
 * Lucene50: BitsPerValue(VInt): 0 → one VInt for all; else `count` values bit-packed big-endian (PackedInts PACKED).
 * Lucene90 (StoredFieldsInts): BitsPerValue(Byte) ∈ {0, 8, 16, 32}: 0 → one VInt for all; else blocks of 128
 * values interleaved in little-endian longs (long i holds values i, i + 128·bits/64·…, highest bits first),
 * then the tail one value at a time.
 */
import type { DataInput } from './data-input';
import { CorruptIndexError } from './errors';

export function readPackedInts(input: DataInput, count: number, out: Int32Array): void {
  const bits = input.readVInt();
  if (bits === 0) {
    out.fill(input.readVInt(), 0, count);
    return;
  }
  if (bits > 31) throw new CorruptIndexError(input.resource, `bits per value ${bits} > 31`, input.offset);
  const byteCount = Math.ceil((count * bits) / 8);
  const bytes = input.readBytes(byteCount);
  let bitPos = 0;
  for (let i = 0; i < count; i++) {
    let value = 0;
    for (let b = 0; b < bits; b++, bitPos++) {
      value = (value << 1) | ((bytes[bitPos >>> 3] >>> (7 - (bitPos & 7))) & 1);
    }
    out[i] = value;
  }
}

const BLOCK = 128;

export function readStoredFieldsInts(input: DataInput, count: number, out: Int32Array): void {
  const bits = input.readByte();
  if (bits === 0) {
    out.fill(input.readVInt(), 0, count);
    return;
  }
  const view = input.view;
  let i = 0;
  if (bits === 8) {
    // 128 values in 16 little-endian longs: long (j % 16) holds value j in its (j / 16)-th byte from the top.
    for (; i + BLOCK <= count; i += BLOCK) {
      const base = input.offset;
      input.skip(BLOCK);
      for (let j = 0; j < BLOCK; j++) out[i + j] = view.getUint8(base + (j % 16) * 8 + 7 - Math.floor(j / 16));
    }
    for (; i < count; i++) out[i] = input.readByte();
  } else if (bits === 16) {
    for (; i + BLOCK <= count; i += BLOCK) {
      const base = input.offset;
      input.skip(BLOCK * 2);
      for (let j = 0; j < BLOCK; j++) out[i + j] = view.getUint16(base + (j % 32) * 8 + 6 - Math.floor(j / 32) * 2, true);
    }
    for (; i < count; i++) out[i] = input.readShort() & 0xffff;
  } else if (bits === 32) {
    for (; i + BLOCK <= count; i += BLOCK) {
      const base = input.offset;
      input.skip(BLOCK * 4);
      for (let j = 0; j < BLOCK; j++) out[i + j] = view.getInt32(base + (j % 64) * 8 + 4 - Math.floor(j / 64) * 4, true);
    }
    for (; i < count; i++) out[i] = input.readInt();
  } else {
    throw new CorruptIndexError(input.resource, `stored-fields ints with ${bits} bits per value`, input.offset - 1);
  }
}
