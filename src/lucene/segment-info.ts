/**
 * `.si`: one segment's own description.
 *   IndexHeader(codec by generation, segment id)
 *   Version(3 × Int), [HasMinVersion(Byte), [MinVersion(3 × Int)] for Lucene70+], DocCount(Int), IsCompound(Byte: 1 yes, -1 no),
 *   [HasBlocks(Byte) when written by Lucene ≥ 9.9], Diagnostics(Map), Files(Set), Attributes(Map), IndexSort…, Footer
 * Ints are big-endian up to Lucene86, little-endian from Lucene90. Corresponds to Lucene62/70/86/90/99SegmentInfoFormat.
 * The attributes carry the stored-fields mode (BEST_SPEED or BEST_COMPRESSION, or a zstd mode).
 */
import { readIndexHeader, verifyFooter } from './codec-util';
import { DataInput } from './data-input';
import { CorruptIndexError, UnsupportedFormatError } from './errors';

export interface SegmentInfo {
  codecName: string;
  version: string;
  maxDoc: number;
  isCompound: boolean;
  diagnostics: Record<string, string>;
  files: string[];
  attributes: Record<string, string>;
}

interface Layout {
  littleEndian: boolean;
  hasMinVersion: boolean;
  hasBlocks: boolean;
}

const LAYOUTS: Record<string, Layout> = {
  Lucene62SegmentInfo: { littleEndian: false, hasMinVersion: false, hasBlocks: false },
  Lucene70SegmentInfo: { littleEndian: false, hasMinVersion: true, hasBlocks: false },
  Lucene86SegmentInfo: { littleEndian: false, hasMinVersion: true, hasBlocks: false },
  Lucene90SegmentInfo: { littleEndian: true, hasMinVersion: true, hasBlocks: true },
  Lucene99SegmentInfo: { littleEndian: true, hasMinVersion: true, hasBlocks: true },
};

export function parseSegmentInfo(bytes: Uint8Array, resource: string, segmentId: Uint8Array): SegmentInfo {
  verifyFooter(bytes, resource);
  const input = new DataInput(bytes, resource);
  const header = readIndexHeader(input, /SegmentInfo$/, 0, 10, segmentId);
  const layout = LAYOUTS[header.codec];
  if (!layout) throw new UnsupportedFormatError(resource, header.codec, Object.keys(LAYOUTS).join(', '));
  input.littleEndian = layout.littleEndian;
  const versionParts = [input.readInt(), input.readInt(), input.readInt()];
  const version = versionParts.join('.');
  if (layout.hasMinVersion) {
    const hasMin = input.readByte();
    if (hasMin === 1) input.skip(12);
    else if (hasMin !== 0) throw new CorruptIndexError(resource, `invalid min-version marker ${hasMin}`, input.offset - 1);
  }
  const maxDoc = input.readInt();
  if (maxDoc < 0) throw new CorruptIndexError(resource, `negative document count ${maxDoc}`, input.offset - 4);
  const compound = input.readByte();
  if (compound !== 1 && compound !== 0xff) throw new CorruptIndexError(resource, `invalid compound marker ${compound}`, input.offset - 1);
  // Lucene 9.9 added a "has blocks" flag without changing the codec version: the writer's version tells.
  const [major, minor] = versionParts;
  if (layout.hasBlocks && (major > 9 || (major === 9 && minor >= 9))) input.readByte();
  const diagnostics = input.readMapOfStrings();
  const files = input.readSetOfStrings();
  const attributes = input.readMapOfStrings();
  return { codecName: header.codec, version, maxDoc, isCompound: compound === 1, diagnostics, files, attributes };
}
