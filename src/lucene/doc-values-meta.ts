/**
 * Doc-values metadata (`.dvm`), read only far enough to find which documents have a value in one numeric
 * field: the soft-deletes field.
 *   IndexHeader("Lucene80DocValuesMetadata" | "Lucene90DocValuesMetadata", segment id, segment suffix)
 *   { FieldNumber(Int), Type(Byte), [SkipperMeta when the field has a skip index (Lucene 10)], Entry(type) }* , -1(Int), Footer
 *   SkipperMeta = Offset(Long), Length(Long), MaxValue(Long), MinValue(Long), DocCount(Int), MaxDocId(Int)
 * Entries of other fields are parsed only to step over them (Lucene80/Lucene90DocValuesProducer#readFields).
 */
import { readIndexHeader, verifyFooter } from './codec-util';
import { DataInput } from './data-input';
import { CorruptIndexError } from './errors';

export interface DocsWithField {
  /** -1: every document; -2: none; otherwise the IndexedDISI's offset in `.dvd`. */
  offset: number;
  length: number;
  denseRankPower: number;
  littleEndian: boolean;
}

const NUMERIC = 0;
const BINARY = 1;
const SORTED = 2;
const SORTED_SET = 3;
const SORTED_NUMERIC = 4;
const TERMS_DICT_BLOCK_LZ4_CODE = (6 << 16) | 1;
const SKIPPER_META_LENGTH = 4 * 8 + 2 * 4;

/** What the field infos say about other fields, which decides the size of their entries. */
export interface DocValuesFieldTraits {
  /** Lucene80 version 2: this binary field's values are compressed. */
  binaryCompressed(field: number): boolean;
  /** Lucene 10: this field has a doc-values skip index. */
  hasSkipIndex(field: number): boolean;
}

export function findDocsWithField(bytes: Uint8Array, resource: string, segmentId: Uint8Array, field: number, traits: DocValuesFieldTraits): DocsWithField | undefined {
  verifyFooter(bytes, resource);
  const input = new DataInput(bytes, resource);
  const header = readIndexHeader(input, /^Lucene(80|90)DocValuesMetadata$/, 0, 2, segmentId);
  if (header.codec.startsWith('Lucene90')) input.littleEndian = true;
  const lucene90 = input.littleEndian;
  for (let number = input.readInt(); number !== -1; number = input.readInt()) {
    const type = input.readByte();
    if (lucene90 && traits.hasSkipIndex(number)) input.skip(SKIPPER_META_LENGTH);
    if (number === field) {
      if (type !== NUMERIC) throw new CorruptIndexError(resource, `soft-deletes field ${field} has doc-values type ${type}, expected numeric`);
      const offset = input.readLong();
      const length = input.readLong();
      input.readShort();
      const denseRankPower = input.readByte();
      return { offset, length, denseRankPower, littleEndian: input.littleEndian };
    }
    if (lucene90) {
      skipLucene90Entry(input, type, number);
      continue;
    }
    switch (type) {
      case NUMERIC:
        skipNumeric(input);
        break;
      case BINARY:
        // Version 2 records the mode per field; version 1 always compressed; version 0 never.
        skipBinary(input, header.version >= 2 ? traits.binaryCompressed(number) : header.version === 1);
        break;
      case SORTED:
        skipSorted(input);
        break;
      case SORTED_SET:
        if (input.readByte() === 0) skipSorted(input);
        else {
          input.skip(8 + 8 + 2 + 1 + 1 + 8 + 8);
          const docs = input.readInt();
          input.readLong();
          skipMonotonic(input, docs + 1, input.readVInt());
          input.readLong();
          skipTermsDict(input);
        }
        break;
      case SORTED_NUMERIC:
        skipSortedNumeric(input);
        break;
      default:
        throw new CorruptIndexError(resource, `unknown doc-values type ${type} for field ${number}`, input.offset - 1);
    }
  }
  return undefined;
}

/** Lucene90 layouts: binary lost its compressed variant; sorted entries reuse the numeric layout for ords. */
function skipLucene90Entry(input: DataInput, type: number, number: number): void {
  switch (type) {
    case NUMERIC:
      skipNumeric(input);
      return;
    case BINARY: {
      input.skip(8 * 4 + 2 + 1);
      const docs = input.readInt();
      const minLength = input.readInt();
      const maxLength = input.readInt();
      if (minLength < maxLength) {
        input.readLong();
        skipMonotonic(input, docs + 1, input.readVInt());
        input.readLong();
      }
      return;
    }
    case SORTED:
      skipNumeric(input);
      skipLucene90TermsDict(input);
      return;
    case SORTED_SET:
      if (input.readByte() === 0) {
        skipNumeric(input);
      } else {
        skipSortedNumeric(input);
      }
      skipLucene90TermsDict(input);
      return;
    case SORTED_NUMERIC:
      skipSortedNumeric(input);
      return;
    default:
      throw new CorruptIndexError(input.resource, `unknown doc-values type ${type} for field ${number}`, input.offset - 1);
  }
}

/** A sorted-numeric entry (same layout in Lucene80 and Lucene90): numeric entry, then addresses when multi-valued. */
function skipSortedNumeric(input: DataInput): void {
  const numValues = skipNumeric(input);
  const docs = input.readInt();
  if (docs !== numValues) {
    input.readLong();
    skipMonotonic(input, docs + 1, input.readVInt());
    input.readLong();
  }
}

function skipLucene90TermsDict(input: DataInput): void {
  const size = input.readVLong();
  const blockShift = input.readInt();
  skipMonotonic(input, Math.ceil(size / 64), blockShift);
  input.skip(4 + 4 + 8 * 4);
  const indexShift = input.readInt();
  skipMonotonic(input, 1 + Math.ceil(size / 2 ** indexShift), blockShift);
  input.skip(8 * 4);
}

/** Steps over a numeric entry; returns its value count. */
function skipNumeric(input: DataInput): number {
  input.skip(8 + 8 + 2 + 1);
  const numValues = input.readLong();
  const tableSize = input.readInt();
  if (tableSize > 256) throw new CorruptIndexError(input.resource, `doc-values table of ${tableSize} entries`, input.offset - 4);
  if (tableSize > 0) input.skip(8 * tableSize);
  input.skip(1 + 8 * 5);
  return numValues;
}

function skipBinary(input: DataInput, compressed: boolean): void {
  input.skip(8 * 4 + 2 + 1);
  const docs = input.readInt();
  const minLength = input.readInt();
  const maxLength = input.readInt();
  if ((compressed && docs > 0) || minLength < maxLength) {
    input.readLong();
    let addresses = docs + 1;
    if (compressed) {
      addresses = input.readVInt();
      input.readVInt();
      input.readVInt();
    }
    skipMonotonic(input, addresses, input.readVInt());
    input.readLong();
  }
}

function skipSorted(input: DataInput): void {
  input.skip(8 + 8 + 2 + 1 + 4 + 1 + 8 + 8);
  skipTermsDict(input);
}

function skipTermsDict(input: DataInput): void {
  const size = input.readVLong();
  const code = input.readInt();
  const compressed = code === TERMS_DICT_BLOCK_LZ4_CODE;
  const blockShift = compressed ? 6 : code;
  const monotonicShift = input.readInt();
  skipMonotonic(input, Math.ceil(size / 2 ** blockShift), monotonicShift);
  input.readInt();
  if (compressed) input.readInt();
  input.skip(8 * 4);
  const indexShift = input.readInt();
  skipMonotonic(input, 1 + Math.ceil(size / 2 ** indexShift), monotonicShift);
  input.skip(8 * 4);
}

/** DirectMonotonic meta: one {Min(Long), AvgIncrement(Int), Offset(Long), BitsRequired(Byte)} per block. */
function skipMonotonic(input: DataInput, values: number, blockShift: number): void {
  const blocks = Math.ceil(values / 2 ** blockShift);
  input.skip(21 * blocks);
}
