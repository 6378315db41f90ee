/** A flipped byte anywhere in a snapshot gives an error naming the repository blob and the Lucene file. */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { dumpSnapshot, openRepository } from '../../../src/snapshot';
import { parseCompoundEntries } from '../../../src/lucene/compound';
import { parseSegmentInfos } from '../../../src/lucene/segment-infos';
import { fixture } from '../../support/fixtures';

let copy: string;
beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'corrupt-'));
  cpSync(fixture('ES_7_10_Updates_Deletes_w_Soft'), copy, { recursive: true });
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

function flipByte(file: string, at: (size: number) => number): void {
  const bytes = readFileSync(file);
  bytes[at(bytes.length)] ^= 0x5a;
  writeFileSync(file, bytes);
}

async function shardBlob(physicalName: string): Promise<string> {
  const repo = openRepository(copy);
  const snapshot = await repo.snapshot();
  const files = await repo.shardFiles(snapshot, 'test_updates_deletes', 0);
  const file = files.files.find((f) => f.physicalName === physicalName)!;
  const indexId = readdirSync(join(copy, 'indices'))[0];
  return join(copy, 'indices', indexId, '0', file.blob);
}

const dump = () => dumpSnapshot({ repo: copy }, new PassThrough().resume());

describe('corrupted snapshots', () => {
  it('names the blob and the compound sub-file when stored fields are damaged', async () => {
    // GIVEN a byte flipped inside the stored fields (.fdt) packed in segment _1's compound file
    const repo = openRepository(copy);
    const snapshot = await repo.snapshot();
    const { directory } = await repo.shardDirectory(snapshot, 'test_updates_deletes', 0);
    const segments = await directory.open('segments_3');
    const segment = parseSegmentInfos(await segments.read(0, segments.byteLength), 'segments_3').segments.find((s) => s.name === '_1')!;
    const cfe = await directory.open('_1.cfe');
    const fdt = parseCompoundEntries(await cfe.read(0, cfe.byteLength), '_1.cfe', segment.id).entries.get('.fdt')!;
    const blob = await shardBlob('_1.cfs');
    flipByte(blob, () => fdt.offset + Math.floor(fdt.length / 2));

    // THEN the dump fails naming the blob, the Lucene file and the kind of damage
    await expect(dump()).rejects.toThrow(new RegExp(`corrupt index file .*${blob.split('/').pop()} \\(_1\\.cfs\\)`));
  });

  it('names a metadata blob whose checksum no longer matches', async () => {
    const snapFile = readdirSync(copy).find((n) => n.startsWith('snap-'))!;
    const indexId = readdirSync(join(copy, 'indices'))[0];
    const shardMeta = join(copy, 'indices', indexId, '0', snapFile);
    flipByte(shardMeta, (size) => size - 30);

    await expect(dump()).rejects.toMatchObject({ code: 'MA_SNAPSHOT_CORRUPT', message: expect.stringContaining(`${indexId}/0/${snapFile}`) });
  });

  it('reports a truncated blob as a length mismatch', async () => {
    const blob = await shardBlob('_1.cfs');
    writeFileSync(blob, readFileSync(blob).subarray(0, 100));

    await expect(dump()).rejects.toThrow(/is 100 bytes, the shard file list says \d+/);
  });
});
