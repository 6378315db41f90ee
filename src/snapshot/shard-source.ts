/** Opens one shard of a snapshot as a Lucene reader, at the commit the snapshot captured. */
import { openShard, type ShardReader } from '../lucene';
import type { SnapshotSummary } from './model';
import type { ShardFileList } from './model';
import type { SnapshotRepository } from './repository';
import { SnapshotError } from './errors';

export async function openSnapshotShard(repo: SnapshotRepository, snapshot: SnapshotSummary, index: string, shard: number): Promise<{ reader: ShardReader; files: ShardFileList }> {
  const { files, directory } = await repo.shardDirectory(snapshot, index, shard);
  const commits = files.files.filter((f) => /^segments_[0-9a-z]+$/.test(f.physicalName));
  if (commits.length !== 1) {
    throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `shard ${shard} of "${index}" in snapshot "${snapshot.name}" lists ${commits.length} segments_N files, expected exactly one`);
  }
  return { reader: await openShard(directory, commits[0].physicalName), files };
}
