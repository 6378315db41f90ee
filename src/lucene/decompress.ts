/**
 * The block compressions of stored fields. Each reads one compressed block from `input` (advancing it)
 * and writes `length` bytes into `out` at `outOffset`.
 *   lz4           LZ4 block (Lucene50 BEST_SPEED)
 *   deflate       CompressedLength(VInt), raw DEFLATE (Lucene50 BEST_COMPRESSION)
 *   lz4-dict      DictLength(VInt), BlockLength(VInt), DictCompressedLength(VInt), BlockCompressedLength(VInt)*,
 *                 LZ4(dict), LZ4(block with dict as prefix)* (Lucene87/90 BEST_SPEED)
 *   deflate-dict  DictLength(VInt), BlockLength(VInt), {CompressedLength(VInt), raw DEFLATE}(dict),
 *                 {CompressedLength(VInt), raw DEFLATE with the dict preset}* (Lucene87/90 BEST_COMPRESSION)
 *   zstd          CompressedLength(VInt), zstd frame; nothing at all for an empty block
 *                 (Elasticsearch 8.14+ Zstd814StoredFieldsFormat, both modes)
 *   zstd-dict     DictLength(VInt = length / 60), BlockLength(VInt), ZstdBlock(dict),
 *                 ZstdBlock(with the dict as raw-content history)* (OpenSearch custom codec `zstd`)
 *   zstd-no-dict  BlockLength(VInt), ZstdBlock* (OpenSearch custom codec `zstd_no_dict`)
 *   ZstdBlock     = CompressedLength(VInt), zstd frame; CompressedLength 0 alone for an empty one
 * Every block is read as its writer wrote it, empty ones included: the chunks follow each other in the file,
 * so the bytes of an empty block (none for `zstd`, 0s for the others) must be consumed to find the next one.
 */
import { inflateRawSync } from 'node:zlib';
import type { DataInput } from './data-input';
import { CorruptIndexError } from './errors';
import { lz4Decompress } from './lz4';
import { zstdDecompress } from './zstd';

export type CompressionMode = 'lz4' | 'deflate' | 'lz4-dict' | 'deflate-dict' | 'zstd' | 'zstd-dict' | 'zstd-no-dict';

export type Decompressor = (input: DataInput, length: number, out: Uint8Array, outOffset: number) => void;

export function decompressor(mode: CompressionMode): Decompressor {
  switch (mode) {
    case 'lz4':
      return (input, length, out, outOffset) => {
        input.offset = lz4Decompress(input.bytes, input.offset, length, out, outOffset, input.resource);
      };
    case 'deflate':
      return (input, length, out, outOffset) => {
        const compressedLength = input.readVInt();
        if (compressedLength === 0) {
          if (length !== 0) throw new CorruptIndexError(input.resource, `empty DEFLATE block where ${length} bytes were expected`, input.offset);
          return;
        }
        copyExact(inflate(input, input.readBytes(compressedLength)), length, out, outOffset, input);
      };
    case 'lz4-dict':
      return lz4WithDictionary();
    case 'deflate-dict':
      return (input, length, out, outOffset) => {
        const dictLength = input.readVInt();
        const blockLength = input.readVInt();
        const dictCompressed = input.readVInt();
        const dict = dictCompressed === 0 ? new Uint8Array(0) : inflate(input, input.readBytes(dictCompressed));
        if (dict.length !== dictLength) throw new CorruptIndexError(input.resource, `DEFLATE dictionary is ${dict.length} bytes, expected ${dictLength}`, input.offset);
        const take = Math.min(dictLength, length);
        out.set(dict.subarray(0, take), outOffset);
        let at = dictLength;
        guardBlocks(input, length, dictLength, blockLength);
        while (at < length) {
          const compressedLength = input.readVInt();
          const block = inflate(input, input.readBytes(compressedLength), dictLength > 0 ? dict : undefined);
          const expected = Math.min(blockLength, length - at);
          copyExact(block, expected, out, outOffset + at, input);
          at += blockLength;
        }
      };
    case 'zstd':
      return (input, length, out, outOffset) => {
        if (length === 0) return;
        const compressedLength = input.readVInt();
        const at = input.offset;
        zstdDecompress(input.readBytes(compressedLength), length, out, outOffset, { resource: input.resource, offset: at });
      };
    case 'zstd-dict':
      return (input, length, out, outOffset) => {
        const dictLength = input.readVInt();
        const blockLength = input.readVInt();
        guardBlocks(input, length, dictLength, blockLength);
        readZstdBlock(input, dictLength, out, outOffset);
        const dict = out.subarray(outOffset, outOffset + dictLength);
        for (let at = dictLength; at < length; at += blockLength) readZstdBlock(input, Math.min(blockLength, length - at), out, outOffset + at, dict);
      };
    case 'zstd-no-dict':
      return (input, length, out, outOffset) => {
        const blockLength = input.readVInt();
        guardBlocks(input, length, 0, blockLength);
        for (let at = 0; at < length; at += blockLength) readZstdBlock(input, Math.min(blockLength, length - at), out, outOffset + at);
      };
  }
}

/** CompressedLength(VInt), zstd frame: a length of 0 stands for an empty block. */
function readZstdBlock(input: DataInput, length: number, out: Uint8Array, outOffset: number, dictionary?: Uint8Array): void {
  const compressedLength = input.readVInt();
  if (compressedLength === 0) {
    if (length !== 0) throw new CorruptIndexError(input.resource, `empty zstd block where ${length} bytes were expected`, input.offset);
    return;
  }
  const at = input.offset;
  zstdDecompress(input.readBytes(compressedLength), length, out, outOffset, { resource: input.resource, offset: at }, dictionary);
}

function lz4WithDictionary(): Decompressor {
  let scratch = new Uint8Array(0);
  return (input, length, out, outOffset) => {
    const dictLength = input.readVInt();
    const blockLength = input.readVInt();
    input.readVInt(); // compressed length of the dictionary: LZ4 finds its own end
    guardBlocks(input, length, dictLength, blockLength);
    let blocks = 0;
    for (let total = dictLength; total < length; total += blockLength) {
      input.readVInt();
      blocks++;
    }
    if (scratch.length < dictLength + blockLength) scratch = new Uint8Array(dictLength + blockLength);
    input.offset = lz4Decompress(input.bytes, input.offset, dictLength, scratch, 0, input.resource);
    out.set(scratch.subarray(0, Math.min(dictLength, length)), outOffset);
    let at = dictLength;
    for (let i = 0; i < blocks; i++) {
      const size = Math.min(blockLength, length - at);
      input.offset = lz4Decompress(input.bytes, input.offset, size, scratch, dictLength, input.resource);
      out.set(scratch.subarray(dictLength, dictLength + size), outOffset + at);
      at += size;
    }
  };
}

function guardBlocks(input: DataInput, length: number, dictLength: number, blockLength: number): void {
  if (dictLength > length || (length > dictLength && blockLength <= 0)) {
    throw new CorruptIndexError(input.resource, `block of ${length} bytes with dictionary ${dictLength} and sub-blocks of ${blockLength}`, input.offset);
  }
}

function inflate(input: DataInput, compressed: Uint8Array, dictionary?: Uint8Array): Buffer {
  try {
    return inflateRawSync(compressed, dictionary ? { dictionary } : {});
  } catch (error) {
    throw new CorruptIndexError(input.resource, `DEFLATE data is invalid: ${(error as Error).message}`, input.offset);
  }
}

function copyExact(bytes: Uint8Array, length: number, out: Uint8Array, outOffset: number, input: DataInput): void {
  if (bytes.length !== length) throw new CorruptIndexError(input.resource, `block decompressed to ${bytes.length} bytes, expected ${length}`, input.offset);
  out.set(bytes, outOffset);
}
