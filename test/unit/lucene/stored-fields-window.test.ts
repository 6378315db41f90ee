/**
 * The stored-fields reader's moving window over a large `.fdt`: documents come back exact across many
 * refills, chunks larger than half the window or than the whole window are read whole, and the file is
 * read in large pieces rather than once per chunk. The `.fdt` is written here (Lucene50StoredFieldsFastData,
 * version 1, one document per chunk, LZ4 blocks of literals only), which the format allows and which keeps
 * the writer small.
 */
import { crc32 } from 'node:zlib';
import { bufferSource, type ByteSource } from '../../../src/common/byte-source';
import { CODEC_MAGIC, FOOTER_MAGIC } from '../../../src/lucene/codec-util';
import { readStoredDocuments, readStoredFieldsFormat, type RawStoredDocument } from '../../../src/lucene/stored-fields';

const SEGMENT_ID = new Uint8Array(16).fill(7);
const CHUNK_SIZE = 16 * 1024;
const ID_FIELD = 0;
const SOURCE_FIELD = 1;

class Writer {
  readonly parts: number[] = [];
  byte(b: number): void {
    this.parts.push(b & 0xff);
  }
  bytes(bytes: Uint8Array): void {
    for (const b of bytes) this.parts.push(b);
  }
  beInt(n: number): void {
    for (const shift of [24, 16, 8, 0]) this.byte(n >>> shift);
  }
  vInt(n: number): void {
    while (n > 0x7f) {
      this.byte((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.byte(n);
  }
  /** LZ4 block of literals only: Token(literal length << 4), more length bytes, literals. */
  lz4Literals(literals: Uint8Array): void {
    const n = literals.length;
    this.byte(Math.min(n, 15) << 4);
    if (n >= 15) {
      let rest = n - 15;
      for (; rest >= 255; rest -= 255) this.byte(255);
      this.byte(rest);
    }
    this.bytes(literals);
  }
}

/** Doc = 2 × { FieldNumber << 3 | 1 (VLong), Length (VInt), Bytes }: its _id then its _source. */
function storedDocument(id: string, source: Uint8Array): Uint8Array {
  const doc = new Writer();
  const idBytes = Buffer.from(id);
  doc.vInt((ID_FIELD << 3) | 1);
  doc.vInt(idBytes.length);
  doc.bytes(idBytes);
  doc.vInt((SOURCE_FIELD << 3) | 1);
  doc.vInt(source.length);
  doc.bytes(source);
  return Uint8Array.from(doc.parts);
}

/** IndexHeader, ChunkSize, PackedIntsVersion, one chunk per document (sliced above CHUNK_SIZE), Footer. */
function writeFdt(docs: { id: string; source: Uint8Array }[]): Uint8Array {
  const out = new Writer();
  out.beInt(CODEC_MAGIC);
  const codec = Buffer.from('Lucene50StoredFieldsFastData');
  out.vInt(codec.length);
  out.bytes(codec);
  out.beInt(1);
  out.bytes(SEGMENT_ID);
  out.byte(0);
  out.vInt(CHUNK_SIZE);
  out.vInt(2);
  docs.forEach((d, docBase) => {
    const bytes = storedDocument(d.id, d.source);
    const sliced = bytes.length >= 2 * CHUNK_SIZE;
    out.vInt(docBase);
    out.vInt((1 << 1) | (sliced ? 1 : 0));
    out.vInt(2);
    out.vInt(bytes.length);
    if (sliced) for (let at = 0; at < bytes.length; at += CHUNK_SIZE) out.lz4Literals(bytes.subarray(at, at + CHUNK_SIZE));
    else out.lz4Literals(bytes);
  });
  out.vInt(docs.length); // chunk statistics: number of chunks, dirty chunks
  out.vInt(0);
  out.beInt(FOOTER_MAGIC);
  out.beInt(0);
  const body = Uint8Array.from(out.parts);
  const footer = Buffer.alloc(8);
  footer.writeBigUInt64BE(BigInt(crc32(body)));
  return Buffer.concat([body, footer]);
}

/** A source that counts its reads. */
function counted(source: ByteSource): { source: ByteSource; reads: () => number } {
  let reads = 0;
  return {
    source: { name: source.name, byteLength: source.byteLength, read: (start, end) => (reads++, source.read(start, end)) },
    reads: () => reads,
  };
}

const text = (n: number, length: number) => Buffer.from(JSON.stringify({ n, body: `${n} `.repeat(length).slice(0, length) }));

async function readAll(fdt: ByteSource, maxDoc: number): Promise<RawStoredDocument[]> {
  const format = await readStoredFieldsFormat(fdt, undefined, SEGMENT_ID);
  const out: RawStoredDocument[] = [];
  for await (const chunk of readStoredDocuments(fdt, format, maxDoc, { id: ID_FIELD, source: SOURCE_FIELD })) out.push(...chunk);
  return out;
}

describe('stored fields read through the moving window', () => {
  it('gives back every document exactly across refills, with chunks bigger than half the window and than the window', async () => {
    // GIVEN 3,000 small documents (about 4 MB), then one of 700 KB (more than half the 1 MiB window),
    // one of 2.5 MB (more than the window, sliced) and small ones after them
    const docs = Array.from({ length: 3000 }, (_, n) => ({ id: `d${n}`, source: text(n, 1000 + (n % 700)) }));
    docs.push({ id: 'half', source: text(-1, 700 * 1024) }, { id: 'huge', source: text(-2, 2500 * 1024) });
    for (let n = 0; n < 50; n++) docs.push({ id: `after${n}`, source: text(n, 300) });
    const file = writeFdt(docs);
    const { source, reads } = counted(bufferSource(file, 'window.fdt'));

    // WHEN every document is read (the file's checksum is verified on the way)
    const read = await readAll(source, docs.length);

    // THEN each document is exact and in order
    expect(read.map((d) => Buffer.from(d.id!).toString())).toEqual(docs.map((d) => d.id));
    read.forEach((d, i) => expect(Buffer.compare(d.source!, docs[i].source)).toBe(0));
    // AND the file was read in pieces of half a window or more (plus the header, the tail and the
    // re-reads that grow the window for the two big chunks), not once per chunk
    expect(reads()).toBeLessThanOrEqual(Math.ceil(file.length / (512 * 1024)) + 8);
  });
});
