/**
 * IndexedDISI: the set of documents that have a doc value, in blocks of 65,536 documents.
 *   Block = BlockId(Short), CardinalityMinusOne(Short), then by cardinality:
 *     ≤ 4095   SPARSE  Cardinality × DocLow(Short)
 *     < 65536  DENSE   [Rank((1024 >> (DenseRankPower - 7)) bytes) when DenseRankPower ≠ -1], Bits(1024 × Long)
 *     = 65536  ALL     nothing
 *   The set ends with the block of id 32767 (NO_MORE_DOCS >>> 16).
 * Shorts and longs follow the file's endianness. Corresponds to org.apache.lucene.codecs.lucene90.IndexedDISI.
 */
import { DataInput } from './data-input';
import { CorruptIndexError } from './errors';

const MAX_ARRAY_LENGTH = 4095;
const BLOCK_SIZE = 65536;
const LAST_BLOCK = 32767;

/** Marks every document of the set in `marks` (one byte per document). */
export function markIndexedDisi(bytes: Uint8Array, resource: string, littleEndian: boolean, denseRankPower: number, maxDoc: number, marks: Uint8Array): number {
  const input = new DataInput(bytes, resource, 0, littleEndian);
  let count = 0;
  for (;;) {
    if (input.remaining < 4) throw new CorruptIndexError(resource, 'doc-id set ends without its final block', input.offset);
    const block = input.readShort() & 0xffff;
    const cardinality = (input.readShort() & 0xffff) + 1;
    if (block === LAST_BLOCK) return count;
    const base = block * BLOCK_SIZE;
    if (cardinality <= MAX_ARRAY_LENGTH) {
      for (let i = 0; i < cardinality; i++) count += mark(base + (input.readShort() & 0xffff), maxDoc, marks, resource);
    } else if (cardinality === BLOCK_SIZE) {
      for (let i = 0; i < BLOCK_SIZE && base + i < maxDoc; i++) count += mark(base + i, maxDoc, marks, resource);
    } else {
      if (denseRankPower !== -1 && denseRankPower !== 0xff) input.skip(1024 >> (denseRankPower - 7));
      for (let word = 0; word < 1024; word++) {
        const bits = input.readLongBig();
        if (bits === 0n) continue;
        for (let bit = 0; bit < 64; bit++) {
          if ((bits >> BigInt(bit)) & 1n) count += mark(base + word * 64 + bit, maxDoc, marks, resource);
        }
      }
    }
  }
}

function mark(doc: number, maxDoc: number, marks: Uint8Array, resource: string): number {
  if (doc >= maxDoc) throw new CorruptIndexError(resource, `doc-id set names document ${doc} of a segment with ${maxDoc}`);
  if (marks[doc]) return 0;
  marks[doc] = 1;
  return 1;
}
