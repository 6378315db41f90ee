/**
 * zstd stored fields: Elasticsearch 8.14+ (ZstdStoredFields814) and OpenSearch's custom codecs
 * (CustomStoredFieldsZstd, CustomStoredFieldsZstdNoDict), read from the single-segment indices in
 * test/fixtures/lucene-zstd (see its README for how they were made) and checked against their expected.json.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bufferSource } from '../../../src/common/byte-source';
import { CorruptIndexError, UnsupportedFormatError, openShard, type LuceneDirectory, type ShardDocument } from '../../../src/lucene';
import { parseSegmentInfo } from '../../../src/lucene/segment-info';
import { parseSegmentInfos } from '../../../src/lucene/segment-infos';
import { readStoredFieldsFormat } from '../../../src/lucene/stored-fields';
import { zstdDecompress } from '../../../src/lucene/zstd';

const FIXTURES = resolve(__dirname, '../../fixtures/lucene-zstd');
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

interface Expected {
  id: string;
  routing?: string;
  sourceLength: number;
  sourceSha256: string;
}

/** The fixture's files in memory, each named `<fixture>/<file>` in messages; `edit` may change them first. */
function fixtureDirectory(fixture: string, edit?: (files: Map<string, Uint8Array>) => void): LuceneDirectory {
  const folder = join(FIXTURES, fixture);
  const files = new Map(
    readdirSync(folder)
      .filter((name) => name !== 'expected.json')
      .map((name) => [name, new Uint8Array(readFileSync(join(folder, name)))] as const),
  );
  edit?.(files);
  return {
    name: fixture,
    fileNames: () => [...files.keys()],
    open: async (name) => {
      const bytes = files.get(name);
      if (!bytes) throw new Error(`${fixture} has no ${name}`);
      return bufferSource(bytes, `${fixture}/${name}`);
    },
  };
}

async function all(dir: LuceneDirectory, from?: ShardDocument['position']): Promise<ShardDocument[]> {
  const out: ShardDocument[] = [];
  for await (const doc of (await openShard(dir)).documents({ from })) out.push(doc);
  return out;
}

function expected(fixture: string): Expected[] {
  return JSON.parse(readFileSync(join(FIXTURES, fixture, 'expected.json'), 'utf8')) as Expected[];
}

/** Offset in the .fdt of the n-th zstd frame magic. */
function frameAt(fdt: Uint8Array, n = 0): number {
  let found = -1;
  for (let i = 0; i + 4 <= fdt.length; i++) {
    if (ZSTD_MAGIC.every((b, k) => fdt[i + k] === b) && ++found === n) return i;
  }
  throw new Error('no zstd frame in the .fdt');
}

describe.each([
  ['elasticsearch-8.16-best_compression', 'Elasticsearch816', 'ZstdStoredFields814', 'Zstd814StoredFieldsFormat.mode', 'BEST_COMPRESSION', 'zstd', 240 * 1024],
  ['elasticsearch-8.16-best_speed', 'Elasticsearch816', 'ZstdStoredFields814', 'Zstd814StoredFieldsFormat.mode', 'BEST_SPEED', 'zstd', 14 * 1024],
  ['opensearch-2.19-zstd', 'ZSTD912', 'CustomStoredFieldsZstd', 'Lucene912CustomStoredFieldsFormat.mode', 'ZSTD', 'zstd-dict', 480 * 1024],
  ['opensearch-2.19-zstd_no_dict', 'ZSTDNODICT912', 'CustomStoredFieldsZstdNoDict', 'Lucene912CustomStoredFieldsFormat.mode', 'ZSTD_NO_DICT', 'zstd-no-dict', 480 * 1024],
])('%s', (fixture, codec, formatName, modeKey, mode, compression, chunkSize) => {
  it('reads every document: ids, routing and _source bytes exact, nested children skipped', async () => {
    // GIVEN an index whose first chunk holds only documents without stored fields, then small documents
    // and one big enough to be sliced
    const want = expected(fixture);

    // WHEN every live document is read
    const docs = await all(fixtureDirectory(fixture));

    // THEN each one is there, in order, with its exact bytes
    expect(docs.map((d) => d.id)).toEqual(want.map((e) => e.id));
    docs.forEach((doc, i) => {
      expect(doc.routing).toBe(want[i].routing);
      expect(doc.source.length).toBe(want[i].sourceLength);
      expect(createHash('sha256').update(doc.source).digest('hex')).toBe(want[i].sourceSha256);
    });
    // (the big document alone fills two chunks, so its chunk was written in slices)
    expect(want[30].sourceLength).toBeGreaterThanOrEqual(2 * chunkSize);
  });

  it('resumes after the sliced document from its position', async () => {
    const docs = await all(fixtureDirectory(fixture));
    const rest = await all(fixtureDirectory(fixture), docs[31].position);
    expect(rest.map((d) => d.id)).toEqual(docs.slice(31).map((d) => d.id));
  });

  it('knows the format from the .fdt header; the codec and the segment attribute name the producer and mode', async () => {
    const dir = fixtureDirectory(fixture);
    const segments = await dir.open('segments_1');
    const [segment] = parseSegmentInfos(await segments.read(0, segments.byteLength), segments.name).segments;
    const si = await dir.open('_0.si');
    const info = parseSegmentInfo(await si.read(0, si.byteLength), si.name, segment.id);
    const format = await readStoredFieldsFormat(await dir.open('_0.fdt'), await dir.open('_0.fdm'), segment.id);

    expect(segment.codec).toBe(codec);
    expect(info.attributes[modeKey]).toBe(mode);
    expect(format).toMatchObject({ mode: compression, lucene90: true, version: 1, chunkSize });
    expect(new TextDecoder().decode((await (await dir.open('_0.fdt')).read(0, 64)).subarray(5, 5 + formatName.length))).toBe(formatName);
  });

  it('names the Lucene file and the bad magic when a zstd frame is damaged', async () => {
    // GIVEN the first zstd frame's magic number overwritten
    let frame = -1;
    const dir = fixtureDirectory(fixture, (files) => {
      const fdt = files.get('_0.fdt')!;
      frame = frameAt(fdt);
      fdt[frame] = 0x29;
    });

    // THEN reading fails naming the file, the frame's offset in it and what was found there
    const failure = all(dir);
    await expect(failure).rejects.toThrow(CorruptIndexError);
    await expect(all(dir)).rejects.toThrow(`corrupt index file ${fixture}/_0.fdt at offset ${frame}: zstd frame magic is 0xfd2fb529, expected 0xfd2fb528`);
  });

  it('names the Lucene file when a frame declares another size than its block', async () => {
    // GIVEN the declared content size of the second frame changed by one
    const dir = fixtureDirectory(fixture, (files) => {
      const fdt = files.get('_0.fdt')!;
      const at = frameAt(fdt, 1);
      const descriptor = fdt[at + 4];
      const singleSegment = (descriptor & 0x20) !== 0;
      const sizeAt = at + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
      if (descriptor >>> 6 === 0 && !singleSegment) throw new Error('the frame declares no size');
      fdt[sizeAt] ^= 1;
    });

    await expect(all(dir)).rejects.toThrow(new RegExp(`corrupt index file ${fixture}/_0\\.fdt at offset \\d+: zstd frame says it holds \\d+ bytes, the block is \\d+`));
  });

  it('fails with a corruption error naming the file when compressed bytes are flipped', async () => {
    const dir = fixtureDirectory(fixture, (files) => {
      const fdt = files.get('_0.fdt')!;
      const at = frameAt(fdt, 1);
      for (let i = 12; i < 40; i++) fdt[at + i] ^= 0xa5;
    });

    await expect(all(dir)).rejects.toMatchObject({ code: 'MA_LUCENE_CORRUPT', message: expect.stringContaining(`${fixture}/_0.fdt`) });
  });
});

it('reports a stored-fields format it does not know by name (OpenSearch QAT hardware codecs)', async () => {
  // GIVEN an .fdt whose header names a format written by Intel QAT hardware
  const id = new Uint8Array(16).fill(7);
  const name = Buffer.from('QatStoredFieldsZstd');
  const header = Buffer.concat([Buffer.from([0x3f, 0xd7, 0x6c, 0x17, name.length]), name, Buffer.from([0, 0, 0, 1]), id, Buffer.from([0])]);
  const fdt = bufferSource(new Uint8Array(Buffer.concat([header, Buffer.alloc(32)])), 'x/_0.fdt');

  // THEN the error is an unsupported format naming it and the formats that are supported
  const failure = readStoredFieldsFormat(fdt, undefined, id);
  await expect(failure).rejects.toThrow(UnsupportedFormatError);
  await expect(readStoredFieldsFormat(fdt, undefined, id)).rejects.toThrow(/unsupported format in x\/_0\.fdt: found QatStoredFieldsZstd, supported .*ZstdStoredFields814, CustomStoredFieldsZstd, CustomStoredFieldsZstdNoDict/);
});

describe('zstdDecompress', () => {
  const place = { resource: 'x/_0.fdt', offset: 100 };
  // "hello" as a raw block in a single-segment frame with a 1-byte content size: magic, descriptor 0x20, size 5
  const hello = (descriptor: number, extra: number[]) => new Uint8Array([...ZSTD_MAGIC, descriptor, ...extra, 5, 0x29, 0, 0, ...Buffer.from('hello')]);

  it('decodes a frame into place', () => {
    const out = new Uint8Array(8);
    zstdDecompress(hello(0x20, []), 5, out, 2, place);
    expect(Buffer.from(out.subarray(2, 7)).toString()).toBe('hello');
  });

  it('decodes a frame made against a raw-content dictionary, with the dictionary as history', () => {
    // GIVEN a frame zstd-jni compressed against a raw-content dictionary, as OpenSearch's zstd codec does
    const folder = join(FIXTURES, 'raw-content-dictionary');
    const frame = new Uint8Array(readFileSync(join(folder, 'frame.zst')));
    const dictionary = new Uint8Array(readFileSync(join(folder, 'dictionary.txt')));
    const content = readFileSync(join(folder, 'content.txt'));

    // WHEN it is decoded with the dictionary, and without
    const out = new Uint8Array(content.length);
    zstdDecompress(frame, content.length, out, 0, place, dictionary);
    const without = new Uint8Array(content.length);
    let withoutError: unknown;
    try {
      zstdDecompress(frame, content.length, without, 0, place);
    } catch (error) {
      withoutError = error;
    }

    // THEN only the dictionary gives the content back: the frame's matches reach into it
    expect(Buffer.from(out).equals(content)).toBe(true);
    expect(withoutError instanceof CorruptIndexError || !Buffer.from(without).equals(content)).toBe(true);
  });

  it('refuses a frame that needs a trained dictionary, naming it', () => {
    // descriptor 0x21: single segment with a 1-byte dictionary ID (7)
    expect(() => zstdDecompress(hello(0x21, [7]), 5, new Uint8Array(5), 0, place)).toThrow(/unsupported format in x\/_0\.fdt: found a zstd frame at offset 100 that needs trained dictionary 7/);
  });

  it('names a size mismatch', () => {
    expect(() => zstdDecompress(hello(0x20, []), 4, new Uint8Array(5), 0, place)).toThrow(/corrupt index file x\/_0\.fdt at offset 100: zstd frame says it holds 5 bytes, the block is 4/);
  });
});
