/**
 * Compound files: `.cfe` lists the sub-files that `.cfs` packs.
 *   .cfe = IndexHeader("Lucene50CompoundEntries" | "Lucene90CompoundEntries"), Count(VInt),
 *          Count × { Suffix(String), Offset(Long), Length(Long) }, Footer
 *   .cfs = IndexHeader(…CompoundData), sub-file bytes, Footer
 * Longs are big-endian in Lucene50, little-endian in Lucene90. Each sub-file keeps its own header and footer.
 */
import { sliceSource, type ByteSource } from '../common/byte-source';
import { readIndexHeader, verifyFooter } from './codec-util';
import { DataInput } from './data-input';
import { CorruptIndexError } from './errors';

export interface CompoundEntry {
  offset: number;
  length: number;
}

export function parseCompoundEntries(bytes: Uint8Array, resource: string, segmentId: Uint8Array): { entries: Map<string, CompoundEntry>; littleEndian: boolean } {
  verifyFooter(bytes, resource);
  const input = new DataInput(bytes, resource);
  const header = readIndexHeader(input, /^Lucene(50|90)CompoundEntries$/, 0, 0, segmentId);
  input.littleEndian = header.codec.startsWith('Lucene90');
  const count = input.readVInt();
  const entries = new Map<string, CompoundEntry>();
  for (let i = 0; i < count; i++) {
    const suffix = input.readString();
    const offset = input.readLong();
    const length = input.readLong();
    if (offset < 0 || length < 0) throw new CorruptIndexError(resource, `entry ${suffix} has offset ${offset} and length ${length}`);
    entries.set(suffix, { offset, length });
  }
  return { entries, littleEndian: input.littleEndian };
}

/** The sub-files of a compound segment as sources over ranges of the `.cfs`. */
export function compoundFiles(cfs: ByteSource, segmentName: string, entries: Map<string, CompoundEntry>): Map<string, ByteSource> {
  const files = new Map<string, ByteSource>();
  for (const [suffix, { offset, length }] of entries) {
    if (offset + length > cfs.byteLength) throw new CorruptIndexError(cfs.name, `compound entry ${suffix} [${offset}, ${offset + length}) runs past the end (${cfs.byteLength} bytes)`);
    files.set(segmentName + suffix, sliceSource(cfs, offset, length, `${cfs.name} → ${segmentName}${suffix}`));
  }
  return files;
}
