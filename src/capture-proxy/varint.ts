/**
 * Base-128 varints, as protobuf (TrafficStream records, the trace file's length prefixes) and Kafka (record
 * fields) write them: seven bits a byte, lowest first. Kafka's signed varints are zigzag-encoded first.
 * Values are JavaScript numbers, exact up to 2^53.
 */

/** Bytes the unsigned varint of `value` takes. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes the unsigned varint of `value` at `offset`; returns the offset after it. */
export function writeVarint(buffer: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buffer[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buffer[offset++] = value;
  return offset;
}

/** A signed number as Kafka's varints carry it: 0, -1, 1, -2, … become 0, 1, 2, 3, … */
export function zigZag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** The unsigned varint of `value` on its own. */
export function varint(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(varintSize(value));
  writeVarint(bytes, 0, value);
  return bytes;
}
