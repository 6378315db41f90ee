/**
 * `.fnm` (or `_<seg>_<gen>.fnm` after doc-values updates): the segment's fields.
 *   IndexHeader("Lucene60FieldInfos" v0..2 | "Lucene90FieldInfos" v0 | "Lucene94FieldInfos" v0..2), Count(VInt),
 *   Count × { Name(String), Number(VInt), Bits(Byte), IndexOptions(Byte), DocValuesType(Byte),
 *             [DocValuesSkipIndexType(Byte) for Lucene94 v≥2 (Lucene 10)], DocValuesGen(Long), Attributes(Map),
 *             PointDimensions(VInt), [PointIndexDimensions(VInt) when v≥2 (60) / always (90+), PointNumBytes(VInt)] when dims > 0,
 *             [VectorDimension(VInt), VectorSimilarity(Byte) for Lucene90],
 *             [VectorEncoding(Byte), VectorDimension(VInt), VectorSimilarity(Byte) for Lucene94] }, Footer
 * Only names, numbers and the soft-deletes bit matter to us; the rest is read to stay aligned.
 */
import { readIndexHeader, verifyFooter } from './codec-util';
import { DataInput } from './data-input';
import { UnsupportedFormatError } from './errors';

export interface FieldInfo {
  name: string;
  number: number;
  softDeletes: boolean;
  docValuesType: number;
  /** Lucene 10: the field has a doc-values skip index, whose metadata precedes its entry in `.dvm`. */
  docValuesSkipIndex: boolean;
  /** Generation of the doc-values update holding this field's values; -1 when they are in the segment's own files. */
  docValuesGen: number;
  attributes: Record<string, string>;
}

const SOFT_DELETES_BIT = 0x08;

export function parseFieldInfos(bytes: Uint8Array, resource: string, segmentId: Uint8Array): Map<number, FieldInfo> {
  verifyFooter(bytes, resource);
  const input = new DataInput(bytes, resource);
  const header = readIndexHeader(input, /^Lucene(60|90|94)FieldInfos$/, 0, 10, segmentId);
  const generation = header.codec.slice(6, 8) as '60' | '90' | '94';
  input.littleEndian = generation !== '60';
  // A newer version may add bytes per field: refuse it rather than misread every field after the first.
  const maxVersion = { '60': 2, '90': 0, '94': 2 }[generation];
  if (header.version > maxVersion) throw new UnsupportedFormatError(resource, `${header.codec} v${header.version}`, `v0..${maxVersion}`);
  const count = input.readVInt();
  const fields = new Map<number, FieldInfo>();
  for (let i = 0; i < count; i++) {
    const name = input.readString();
    const number = input.readVInt();
    const bits = input.readByte();
    input.readByte(); // index options
    const docValuesType = input.readByte();
    const docValuesSkipIndex = generation === '94' && header.version >= 2 && input.readByte() !== 0;
    const docValuesGen = input.readLong();
    const attributes = input.readMapOfStrings();
    const pointDimensions = input.readVInt();
    if (pointDimensions !== 0) {
      if (generation !== '60' || header.version >= 2) input.readVInt();
      input.readVInt();
    }
    if (generation === '90') {
      input.readVInt();
      input.readByte();
    } else if (generation === '94') {
      input.readByte();
      input.readVInt();
      input.readByte();
    }
    fields.set(number, { name, number, softDeletes: (bits & SOFT_DELETES_BIT) !== 0, docValuesType, docValuesSkipIndex, docValuesGen, attributes });
  }
  return fields;
}
