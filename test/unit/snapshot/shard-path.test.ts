/**
 * Shard folders in OpenSearch's hashed layouts. The expected folder names are the ones OpenSearch 3.3.0
 * gave the two shards of index id YXpGi8nFTXy2DXBHEgXgxw in a filesystem repository with default settings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../../src/snapshot/fs-blob-store';
import { fnv1a64, hashedShardSegment, SHARD_PATHS_FOLDER, shardLocator } from '../../../src/snapshot/shard-path';

const INDEX_ID = 'YXpGi8nFTXy2DXBHEgXgxw';

let root: string;
let store: FsBlobStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shard-path-'));
  store = new FsBlobStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const listRecords = () => store.list(SHARD_PATHS_FOLDER);

function writeRecord(type: number, paths: string[]): void {
  mkdirSync(join(root, SHARD_PATHS_FOLDER), { recursive: true });
  const record = { indexId: INDEX_ID, indexName: 'idx', number_of_shards: paths.length, shard_path_type: type, shard_path_hash_algorithm: 1, paths };
  writeFileSync(join(root, SHARD_PATHS_FOLDER, `snapshot_path_${INDEX_ID}.idx.${paths.length}.${type}.1`), JSON.stringify(record));
}

describe('hashedShardSegment', () => {
  it('names shard folders as OpenSearch 3.3 does', () => {
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn); // the published FNV-1a 64-bit test vector
    expect(hashedShardSegment(INDEX_ID, 0)).toBe('u00100111011110');
    expect(hashedShardSegment(INDEX_ID, 1)).toBe('Z10011100100001');
  });
});

describe('shardLocator', () => {
  it('keeps the fixed layout when the catalogue records no path type', async () => {
    const location = await shardLocator(store, listRecords, INDEX_ID, undefined)(3);
    expect(location).toEqual({ store, folder: `indices/${INDEX_ID}/3` });
  });

  it('puts the hashed-prefix folder in front of the base path and the hashed-infix folder after it', async () => {
    const prefixed = await shardLocator(store, listRecords, INDEX_ID, 1)(0);
    expect(prefixed.store.location).toBe(join(root, 'u00100111011110'));
    expect(prefixed.folder).toBe(`indices/${INDEX_ID}/0`);
    const infixed = await shardLocator(store, listRecords, INDEX_ID, 2)(1);
    expect(infixed).toEqual({ store, folder: `Z10011100100001/indices/${INDEX_ID}/1` });
  });

  it('follows the snapshot_shard_paths record, which carries a node path prefix the hash alone cannot give', async () => {
    // GIVEN a record written by a node with cluster.snapshot.shard.path.prefix = "p-"
    writeRecord(1, [`p-u00100111011110/indices/${INDEX_ID}/0/`, `p-Z10011100100001/indices/${INDEX_ID}/1/`]);

    // WHEN locating shard 1 THEN the recorded folder is used
    expect((await shardLocator(store, listRecords, INDEX_ID, 1)(1)).store.location).toBe(join(root, 'p-Z10011100100001'));
  });

  it('rejects an unknown path type and a record that names another index', async () => {
    expect(() => shardLocator(store, listRecords, INDEX_ID, 7)).toThrow(expect.objectContaining({ code: 'MA_SNAPSHOT_UNSUPPORTED' }));
    writeRecord(2, ['u00100111011110/indices/someOtherIndex/0/']);
    await expect(shardLocator(store, listRecords, INDEX_ID, 2)(0)).rejects.toMatchObject({ code: 'MA_SNAPSHOT_CORRUPT', message: expect.stringContaining('not a folder of index') });
  });
});
