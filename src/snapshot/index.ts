export { decodeMappings, openRepository, SnapshotRepository, type RepositoryOptions } from './repository';
export { openSnapshotShard } from './shard-source';
export { dumpSnapshot, listRepository, type DumpOptions, type DumpResult, type RepositoryListing } from './dump';
export { SnapshotError, type SnapshotErrorCode } from './errors';
export { assertSourceHoldsVectors, vectorsLeftOutOfSource } from './excluded-vectors';
export type { IndexMetadata, GlobalMetadata, ShardFile, ShardFileList, SnapshotSummary, EngineVersion } from './model';
