/**
 * Sequential reader of compressed stored fields (`.fdt`), decompressing each chunk once.
 *   .fdt  = IndexHeader(format), [ChunkSize(VInt), PackedIntsVersion(VInt) before v3], Chunk*, [chunk stats], Footer
 *   Chunk = DocBase(VInt), Token(VInt: ChunkDocs << 1|2 | [Dirty << 1] | Sliced),
 *           NumStoredFields[ChunkDocs], Lengths[ChunkDocs] (2 VInts when ChunkDocs = 1, else packed ints),
 *           CompressedDocs (one block, or ChunkSize-byte slices each compressed alone when Sliced)
 *   Doc   = NumStoredFields × { FieldNumber << 3 | Type (VLong), Value }
 *           Type 0 String, 1 Bytes (VInt length + bytes), 2 ZInt, 3 ZFloat, 4 TLong, 5 ZDouble
 * Corresponds to Lucene50CompressingStoredFieldsReader (Lucene 5–8) and Lucene90CompressingStoredFieldsReader.
 * The header's format name tells the block compression (see decompress.ts); besides Lucene's own formats, the
 * Lucene90 layout is used with zstd by Elasticsearch 8.14+ (`ZstdStoredFields814`: best_compression, logsdb) and
 * by OpenSearch's custom codecs (`CustomStoredFieldsZstd`, `CustomStoredFieldsZstdNoDict`). Any other name is
 * reported as an unsupported format naming it.
 * The index (`.fdx`) is not needed for reading in order. The CRC of the whole file is verified as it streams by.
 */
import { crc32 } from 'node:zlib';
import type { ByteSource } from '../common/byte-source';
import { FOOTER_LENGTH, footerChecksum, readIndexHeader } from './codec-util';
import { DataInput } from './data-input';
import { decompressor, type CompressionMode } from './decompress';
import { CorruptIndexError, UnsupportedFormatError } from './errors';
import { readPackedInts, readStoredFieldsInts } from './packed-ints';

export interface StoredFieldsFormat {
  mode: CompressionMode;
  /** Lucene 9+: little-endian, StoredFieldsInts, 2-bit token flags. */
  lucene90: boolean;
  version: number;
  dataStart: number;
  chunkSize: number;
}

export interface WantedFields {
  id?: number;
  uid?: number;
  routing?: number;
  source?: number;
}

/** `id` and `source` are views into the decompressed chunk the document came from, never reused for another chunk. */
export interface RawStoredDocument {
  doc: number;
  id?: Uint8Array;
  uid?: string;
  routing?: string;
  source?: Uint8Array;
}

const FORMATS: Record<string, { mode: CompressionMode; lucene90: boolean }> = {
  Lucene50StoredFieldsFastData: { mode: 'lz4', lucene90: false },
  Lucene50StoredFieldsHighData: { mode: 'deflate', lucene90: false },
  Lucene87StoredFieldsFastData: { mode: 'lz4-dict', lucene90: false },
  Lucene87StoredFieldsHighData: { mode: 'deflate-dict', lucene90: false },
  Lucene90StoredFieldsFastData: { mode: 'lz4-dict', lucene90: true },
  Lucene90StoredFieldsHighData: { mode: 'deflate-dict', lucene90: true },
  ZstdStoredFields814: { mode: 'zstd', lucene90: true },
  CustomStoredFieldsZstd: { mode: 'zstd-dict', lucene90: true },
  CustomStoredFieldsZstdNoDict: { mode: 'zstd-no-dict', lucene90: true },
};

/** Reads the `.fdt` header and, where the format keeps it there, the `.fdm` meta's chunk size. */
export async function readStoredFieldsFormat(fdt: ByteSource, fdm: ByteSource | undefined, segmentId: Uint8Array): Promise<StoredFieldsFormat> {
  const head = new DataInput(await fdt.read(0, Math.min(fdt.byteLength, 256)), fdt.name);
  // Any name is read so that a format we do not know is reported by name rather than as damage.
  const header = readIndexHeader(head, /^\w+$/, 0, 10, segmentId);
  const known = FORMATS[header.codec];
  if (!known) throw new UnsupportedFormatError(fdt.name, header.codec, Object.keys(FORMATS).join(', '));
  let chunkSize: number;
  if (!known.lucene90 && header.version < 3) {
    chunkSize = head.readVInt();
    head.readVInt(); // packed ints version
  } else {
    if (!fdm) throw new CorruptIndexError(fdt.name, 'the stored-fields meta file (.fdm) is missing');
    const meta = new DataInput(await fdm.read(0, Math.min(fdm.byteLength, 256)), fdm.name);
    readIndexHeader(meta, known.lucene90 ? 'Lucene90FieldsIndexMeta' : 'Lucene85FieldsIndexMeta', 0, 10, segmentId);
    chunkSize = meta.readVInt();
  }
  return { ...known, version: header.version, dataStart: head.offset, chunkSize };
}

const INITIAL_WINDOW = 1 << 20;

/**
 * A moving window over the file: chunks are decoded from memory, and the window grows when a chunk is
 * larger than it (a sliced multi-megabyte document), so memory stays bounded by the largest chunk.
 * It moves on only when less than half of it is left ahead, so that each read brings half a window of
 * chunks rather than one chunk (and a copy of the rest of the window with it).
 */
class Window {
  bytes = new Uint8Array(0);
  start = 0;
  size = INITIAL_WINDOW;
  constructor(readonly source: ByteSource) {}

  get end(): number {
    return this.start + this.bytes.length;
  }

  async fill(from: number, minimum: number): Promise<void> {
    const limit = this.source.byteLength - FOOTER_LENGTH;
    if (from >= this.start && Math.min(limit, from + Math.max(minimum, this.size / 2)) <= this.end) return;
    const end = Math.min(limit, from + Math.max(minimum, this.size));
    const keepFrom = Math.max(from, this.start);
    const kept = keepFrom < this.end ? this.bytes.subarray(keepFrom - this.start) : new Uint8Array(0);
    const readFrom = Math.max(from, this.end);
    const fresh = readFrom < end ? await this.source.read(readFrom, end) : new Uint8Array(0);
    const next = new Uint8Array(kept.length + fresh.length);
    next.set(kept, 0);
    next.set(fresh, kept.length);
    this.bytes = next;
    this.start = from;
  }

  get atEnd(): boolean {
    return this.end >= this.source.byteLength - FOOTER_LENGTH;
  }
}

/**
 * Yields the wanted fields of documents [fromDoc, toDoc) of a segment with `maxDoc` documents, one chunk's
 * documents at a time (one asynchronous step per chunk rather than per document). Chunks before `fromDoc`
 * are decoded but not yielded (without the index they are the only way to find it).
 */
export async function* readStoredDocuments(
  fdt: ByteSource,
  format: StoredFieldsFormat,
  maxDoc: number,
  wanted: WantedFields,
  fromDoc = 0,
  toDoc = maxDoc,
): AsyncGenerator<RawStoredDocument[]> {
  const window = new Window(fdt);
  const decompress = decompressor(format.mode);
  let position = format.dataStart;
  let crc = crc32((await fdt.read(0, format.dataStart)) as Buffer);
  let crcPosition = format.dataStart;
  const verifyWhole = toDoc >= maxDoc;
  let numStoredFields = new Int32Array(128);
  let lengths = new Int32Array(128);
  let docBase = 0;
  while (docBase < maxDoc && docBase < toDoc) {
    // Decode one chunk from the window, growing it until the whole chunk fits.
    let decoded: { chunkDocs: number; data: Uint8Array; next: number } | undefined;
    for (;;) {
      await window.fill(position, 0);
      const input = new DataInput(window.bytes, fdt.name, position - window.start, format.lucene90);
      try {
        const chunkBase = input.readVInt();
        const token = input.readVInt();
        const chunkDocs = format.lucene90 || format.version >= 4 ? token >>> 2 : token >>> 1;
        const sliced = (token & 1) !== 0;
        if (chunkBase !== docBase || chunkDocs <= 0 || chunkBase + chunkDocs > maxDoc) {
          throw new CorruptIndexError(fdt.name, `chunk header says docs [${chunkBase}, ${chunkBase + chunkDocs}) where doc ${docBase} of ${maxDoc} was expected`, position - window.start);
        }
        if (numStoredFields.length < chunkDocs) {
          numStoredFields = new Int32Array(chunkDocs);
          lengths = new Int32Array(chunkDocs);
        }
        if (chunkDocs === 1) {
          numStoredFields[0] = input.readVInt();
          lengths[0] = input.readVInt();
        } else if (format.lucene90) {
          readStoredFieldsInts(input, chunkDocs, numStoredFields);
          readStoredFieldsInts(input, chunkDocs, lengths);
        } else {
          readPackedInts(input, chunkDocs, numStoredFields);
          readPackedInts(input, chunkDocs, lengths);
        }
        let total = 0;
        for (let i = 0; i < chunkDocs; i++) total += lengths[i];
        // A buffer per chunk: the documents' bytes are handed out as views into it, not copied one by one.
        // Every decompressor fills exactly `total` bytes or throws, so it need not be zeroed first.
        const data = Buffer.allocUnsafe(total);
        if (sliced) {
          for (let done = 0; done < total; done += format.chunkSize) decompress(input, Math.min(format.chunkSize, total - done), data, done);
        } else {
          decompress(input, total, data, 0);
        }
        decoded = { chunkDocs, data, next: window.start + input.offset };
        break;
      } catch (error) {
        // Ran off the window: widen it and decode the chunk again, unless the window already reaches the end.
        if (error instanceof CorruptIndexError && /truncated|remain/.test(error.detail) && !window.atEnd) {
          window.size *= 2;
          await window.fill(position, window.size);
          continue;
        }
        // Offsets found while decoding the chunk are in the window: give them as offsets in the file.
        if (error instanceof CorruptIndexError && error.offset !== undefined) throw new CorruptIndexError(error.resource, error.detail, window.start + error.offset);
        throw error;
      }
    }
    const { chunkDocs, data } = decoded;
    if (docBase + chunkDocs > fromDoc) {
      const docInput = new DataInput(data, fdt.name, 0, format.lucene90);
      const documents: RawStoredDocument[] = [];
      let offset = 0;
      for (let i = 0; i < chunkDocs; i++) {
        const doc = docBase + i;
        const end = offset + lengths[i];
        if (doc >= fromDoc && doc < toDoc) {
          docInput.offset = offset;
          documents.push(readDocument(docInput, doc, numStoredFields[i], wanted, end));
        }
        offset = end;
      }
      yield documents;
    }
    if (verifyWhole) crc = crc32(window.bytes.subarray(crcPosition - window.start, decoded.next - window.start), crc);
    crcPosition = decoded.next;
    position = decoded.next;
    docBase += chunkDocs;
    window.size = Math.max(INITIAL_WINDOW, window.size >> 1);
  }
  if (verifyWhole) {
    const tail = await fdt.read(position, fdt.byteLength);
    crc = crc32(tail.subarray(0, tail.length - 8), crc);
    const expected = footerChecksum(tail.subarray(tail.length - FOOTER_LENGTH), fdt.name);
    if (expected !== crc) throw new CorruptIndexError(fdt.name, `checksum mismatch: footer says ${expected.toString(16)}, content gives ${crc.toString(16)}`);
  }
}

const utf8 = new TextDecoder();

function readDocument(input: DataInput, doc: number, fieldCount: number, wanted: WantedFields, end: number): RawStoredDocument {
  const out: RawStoredDocument = { doc };
  for (let f = 0; f < fieldCount; f++) {
    const info = input.readVLong();
    const number = Math.floor(info / 8);
    const type = info & 7;
    switch (type) {
      case 0:
      case 1: {
        const length = input.readVInt();
        const value = input.readBytes(length);
        if (number === wanted.source) out.source = value;
        else if (number === wanted.id) out.id = value;
        else if (number === wanted.routing) out.routing = utf8.decode(value);
        else if (number === wanted.uid) out.uid = utf8.decode(value);
        break;
      }
      case 2:
        input.readVInt();
        break;
      case 3: {
        const b = input.readByte();
        if (b === 0xff) input.skip(4);
        else if ((b & 0x80) === 0) input.skip(3);
        break;
      }
      case 4:
        if (input.readByte() & 0x20) input.readVLong();
        break;
      case 5: {
        const b = input.readByte();
        if (b === 0xff) input.skip(8);
        else if (b === 0xfe) input.skip(4);
        else if ((b & 0x80) === 0) input.skip(7);
        break;
      }
      default:
        throw new CorruptIndexError(input.resource, `document ${doc} has a stored field of unknown type ${type}`, input.offset);
    }
  }
  if (input.offset !== end) throw new CorruptIndexError(input.resource, `document ${doc} decoded to ${input.offset} bytes of its chunk, expected ${end}`);
  return out;
}
