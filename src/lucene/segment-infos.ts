/**
 * segments_N: the commit point listing the index's segments.
 *   IndexHeader("segments", Format 6..10, suffix = generation in base 36)
 *   WrittenBy(3 × VInt), [IndexCreatedMajor(VInt) when Format ≥ 7]
 *   Version(Long), Counter(Int when Format < 8, else VLong), SegCount(Int), [MinSegmentVersion(3 × VInt) when SegCount > 0]
 *   SegCount × { Name(String), [HasId(Byte) when Format < 7], Id(16 bytes), Codec(String), DelGen(Long), DelCount(Int),
 *                FieldInfosGen(Long), DocValuesGen(Long), [SoftDelCount(Int) when Format ≥ 9],
 *                [HasSciId(Byte), [SciId(16 bytes)] when Format ≥ 10], FieldInfosFiles(Set), DocValuesUpdates(Int × {Field(Int), Files(Set)}) }
 *   UserData(Map), Footer
 * Fixed-width numbers are big-endian in every version (Lucene 9 kept this file big-endian).
 * Corresponds to org.apache.lucene.index.SegmentInfos#readCommit.
 */
import { readIndexHeader, verifyFooter } from './codec-util';
import { DataInput } from './data-input';
import { CorruptIndexError } from './errors';

export interface SegmentCommitInfo {
  name: string;
  id: Uint8Array;
  codec: string;
  delGen: number;
  delCount: number;
  fieldInfosGen: number;
  docValuesGen: number;
  softDelCount: number;
  /** Doc-values update files per field number. */
  docValuesUpdateFiles: Map<number, string[]>;
}

export interface SegmentInfos {
  generation: number;
  format: number;
  writtenBy: string;
  indexCreatedMajor: number;
  version: bigint;
  segments: SegmentCommitInfo[];
  userData: Record<string, string>;
}

const FORMAT_MIN = 6;
const FORMAT_MAX = 10;

export function parseSegmentInfos(bytes: Uint8Array, resource: string): SegmentInfos {
  verifyFooter(bytes, resource);
  const input = new DataInput(bytes, resource);
  const header = readIndexHeader(input, 'segments', FORMAT_MIN, FORMAT_MAX);
  const format = header.version;
  const writtenBy = [input.readVInt(), input.readVInt(), input.readVInt()];
  const indexCreatedMajor = format >= 7 ? input.readVInt() : 6;
  const version = input.readLongBig();
  if (format < 8) input.readInt();
  else input.readVLong();
  const count = input.readInt();
  if (count < 0) throw new CorruptIndexError(resource, `negative segment count ${count}`, input.offset - 4);
  if (count > 0) for (let i = 0; i < 3; i++) input.readVInt();
  const segments: SegmentCommitInfo[] = [];
  for (let i = 0; i < count; i++) {
    const name = input.readString();
    if (format < 7) {
      const hasId = input.readByte();
      if (hasId !== 1) throw new CorruptIndexError(resource, `segment ${name} has no id (pre-5.0 segment)`, input.offset - 1);
    }
    const id = input.readBytes(16);
    const codec = input.readString();
    const delGen = input.readLong();
    const delCount = input.readInt();
    const fieldInfosGen = input.readLong();
    const docValuesGen = input.readLong();
    const softDelCount = format >= 9 ? input.readInt() : 0;
    if (format >= 10) {
      const marker = input.readByte();
      if (marker === 1) input.skip(16);
      else if (marker !== 0) throw new CorruptIndexError(resource, `invalid SCI id marker ${marker}`, input.offset - 1);
    }
    input.readSetOfStrings();
    const updates = new Map<number, string[]>();
    const updateCount = input.readInt();
    for (let u = 0; u < updateCount; u++) {
      const field = input.readInt();
      updates.set(field, input.readSetOfStrings());
    }
    segments.push({ name, id, codec, delGen, delCount, fieldInfosGen, docValuesGen, softDelCount, docValuesUpdateFiles: updates });
  }
  const userData = input.readMapOfStrings();
  return {
    generation: Number.parseInt(header.suffix || '0', 36),
    format,
    writtenBy: writtenBy.join('.'),
    indexCreatedMajor,
    version,
    segments,
    userData,
  };
}

/** The newest commit among a directory's files (`segments_N` with the highest N, in base 36). */
export function latestSegmentsFile(fileNames: string[]): string | undefined {
  let best: string | undefined;
  let bestGen = -1;
  for (const name of fileNames) {
    const match = /^segments_([0-9a-z]+)$/.exec(name);
    if (!match) continue;
    const gen = Number.parseInt(match[1], 36);
    if (gen > bestGen) {
      best = name;
      bestGen = gen;
    }
  }
  return best;
}
