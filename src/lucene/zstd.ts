/**
 * One Zstandard frame (RFC 8878) as the zstd stored-fields codecs write them, decompressed by fzstd.
 *   Frame       = Magic(LE UInt32 0xFD2FB528), Descriptor(Byte), [WindowDescriptor(Byte)], [DictionaryID(1|2|4 bytes)],
 *                 [FrameContentSize(1|2|4|8 bytes, LE)], Block+, [ContentChecksum(4 bytes)]
 *   Descriptor  = ContentSizeFlag(2 bits) << 6 | SingleSegment << 5 | Unused << 4 | Reserved(0) << 3 | Checksum << 2 | DictionaryIDFlag(2 bits)
 *   Block       = Header(LE 24 bits: BlockSize << 3 | BlockType(0 raw, 1 RLE, 2 compressed) << 1 | LastBlock), Content
 * Single-segment frames have no window descriptor and always carry the content size (2-byte sizes are stored minus 256).
 *
 * A raw-content dictionary (OpenSearch's `zstd` codec) is nothing but history in front of the frame: no
 * entropy tables, the default repeat offsets, no dictionary ID. fzstd takes no dictionary, so such a frame is
 * decoded as a new frame that starts with the dictionary as raw blocks followed by the frame's own blocks.
 * Raw blocks change nothing but the history, so the original blocks decode exactly as against the dictionary.
 * Frames that name a trained dictionary (a dictionary ID) would need its tables and are refused.
 */
import { decompress as fzstdDecompress } from 'fzstd';
import { CorruptIndexError, UnsupportedFormatError } from './errors';

const MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;

interface FrameHeader {
  length: number;
  checksum: boolean;
  dictionaryId: number;
  contentSize?: number;
}

/** Where the frame sits, for messages: the Lucene file (as the repository names it) and its offset there. */
export interface FramePlace {
  resource: string;
  offset: number;
}

/**
 * Decompresses `frame` into out[outOffset, outOffset + length), with `dictionary` (raw content) as the
 * history before it when given. Anything but exactly `length` bytes is corruption.
 */
export function zstdDecompress(frame: Uint8Array, length: number, out: Uint8Array, outOffset: number, place: FramePlace, dictionary?: Uint8Array): void {
  const header = readFrameHeader(frame, place);
  if (header.dictionaryId !== 0) {
    throw new UnsupportedFormatError(place.resource, `a zstd frame at offset ${place.offset} that needs trained dictionary ${header.dictionaryId}`, 'zstd frames without a dictionary or with a raw-content dictionary');
  }
  if (header.contentSize !== undefined && header.contentSize !== length) {
    throw new CorruptIndexError(place.resource, `zstd frame says it holds ${header.contentSize} bytes, the block is ${length}`, place.offset);
  }
  const withDictionary = dictionary !== undefined && dictionary.length > 0;
  const bytes = decode(withDictionary ? withHistory(frame, header, dictionary, length) : frame, place);
  const produced = withDictionary ? bytes.subarray(dictionary.length) : bytes;
  if (produced.length !== length) throw new CorruptIndexError(place.resource, `zstd frame decompressed to ${produced.length} bytes, expected ${length}`, place.offset);
  out.set(produced, outOffset);
}

/**
 * fzstd is always left to allocate the output: given a buffer, it compares that buffer with a number, which
 * turns the whole buffer into a string for every frame (ten times slower in the stored-blocks benchmark).
 */
function decode(frame: Uint8Array, place: FramePlace): Uint8Array {
  try {
    return fzstdDecompress(frame);
  } catch (error) {
    throw new CorruptIndexError(place.resource, `zstd frame is invalid: ${(error as Error).message}`, place.offset);
  }
}

function readFrameHeader(frame: Uint8Array, place: FramePlace): FrameHeader {
  const fail = (detail: string): CorruptIndexError => new CorruptIndexError(place.resource, `zstd frame ${detail}`, place.offset);
  if (frame.length < 6) throw fail(`is ${frame.length} bytes, shorter than a frame header`);
  const magic = (frame[0] | (frame[1] << 8) | (frame[2] << 16) | (frame[3] << 24)) >>> 0;
  if (magic !== MAGIC) throw fail(`magic is 0x${magic.toString(16)}, expected 0x${MAGIC.toString(16)}`);
  const descriptor = frame[4];
  if (descriptor & 0x08) throw fail('header has its reserved bit set');
  const singleSegment = (descriptor & 0x20) !== 0;
  const contentSizeFlag = descriptor >>> 6;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3];
  const contentSizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag;
  let at = 5 + (singleSegment ? 0 : 1);
  const length = at + dictionaryIdBytes + contentSizeBytes;
  if (frame.length < length + 3) throw fail(`is ${frame.length} bytes, shorter than its header and one block`);
  const dictionaryId = littleEndian(frame, at, dictionaryIdBytes);
  at += dictionaryIdBytes;
  let contentSize: number | undefined;
  if (contentSizeBytes > 0) contentSize = littleEndian(frame, at, contentSizeBytes) + (contentSizeBytes === 2 ? 256 : 0);
  return { length, checksum: (descriptor & 0x04) !== 0, dictionaryId, contentSize };
}

function littleEndian(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = count - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  return value;
}

/**
 * A single-segment frame of dictionary + content: the dictionary as raw blocks, then the original blocks
 * (and checksum, which fzstd skips) unchanged.
 */
function withHistory(frame: Uint8Array, header: FrameHeader, dictionary: Uint8Array, length: number): Uint8Array {
  const total = dictionary.length + length;
  const rawBlocks = Math.ceil(dictionary.length / MAX_BLOCK);
  const body = frame.subarray(header.length);
  const out = new Uint8Array(4 + 1 + 4 + rawBlocks * 3 + dictionary.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  out[4] = (2 << 6) | (1 << 5) | (header.checksum ? 0x04 : 0); // single segment, 4-byte content size (fzstd reads no more)
  view.setUint32(5, total, true);
  let at = 9;
  for (let from = 0; from < dictionary.length; from += MAX_BLOCK) {
    const size = Math.min(MAX_BLOCK, dictionary.length - from);
    const blockHeader = size << 3; // raw block, not the last one
    out[at] = blockHeader & 0xff;
    out[at + 1] = (blockHeader >>> 8) & 0xff;
    out[at + 2] = (blockHeader >>> 16) & 0xff;
    out.set(dictionary.subarray(from, from + size), at + 3);
    at += 3 + size;
  }
  out.set(body, at);
  return out;
}
