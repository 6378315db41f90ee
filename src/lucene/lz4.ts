/**
 * LZ4 block decompression as Lucene writes it (org.apache.lucene.util.compress.LZ4): sequences of
 *   Token(Byte: literal length << 4 | match length - 4), [more literal length bytes], Literals,
 *   MatchOffset(little-endian UInt16), [more match length bytes]
 * until `length` bytes are produced. The last sequence has literals only. Lucene's decoder always reads at
 * least one token, so even an empty block is one byte (`00`). Matches may reach back into bytes already in
 * `dest` before `destOffset` (the preset dictionary).
 * Returns the position in `src` after the block.
 */
import { CorruptIndexError } from './errors';

export function lz4Decompress(src: Uint8Array, srcOffset: number, length: number, dest: Uint8Array, destOffset: number, resource: string): number {
  let s = srcOffset;
  let d = destOffset;
  const destEnd = destOffset + length;
  const srcEnd = src.length;
  do {
    if (s >= srcEnd) throw truncated(resource, s);
    const token = src[s++];
    let literals = token >>> 4;
    if (literals !== 0) {
      if (literals === 0x0f) {
        let b: number;
        do {
          if (s >= srcEnd) throw truncated(resource, s);
          b = src[s++];
          literals += b;
        } while (b === 0xff);
      }
      if (s + literals > srcEnd) throw truncated(resource, s);
      if (d + literals > destEnd) throw new CorruptIndexError(resource, `LZ4 literals overrun the block (${d + literals - destOffset} > ${length})`, s);
      dest.set(src.subarray(s, s + literals), d);
      s += literals;
      d += literals;
    }
    if (d >= destEnd) break;
    if (s + 2 > srcEnd) throw truncated(resource, s);
    const distance = src[s] | (src[s + 1] << 8);
    s += 2;
    let matchLength = token & 0x0f;
    if (matchLength === 0x0f) {
      let b: number;
      do {
        if (s >= srcEnd) throw truncated(resource, s);
        b = src[s++];
        matchLength += b;
      } while (b === 0xff);
    }
    matchLength += 4;
    let from = d - distance;
    if (distance === 0 || from < 0) throw new CorruptIndexError(resource, `LZ4 match distance ${distance} points before the start of the buffer`, s);
    if (d + matchLength > destEnd) throw new CorruptIndexError(resource, `LZ4 match overruns the block`, s);
    if (distance >= matchLength) {
      dest.copyWithin(d, from, from + matchLength);
      d += matchLength;
    } else {
      // Overlapping match: bytes repeat with period `distance`, so copy one at a time.
      const end = d + matchLength;
      while (d < end) dest[d++] = dest[from++];
    }
  } while (d < destEnd);
  return s;
}

function truncated(resource: string, at: number): CorruptIndexError {
  return new CorruptIndexError(resource, 'LZ4 block ends early (truncated data)', at);
}
