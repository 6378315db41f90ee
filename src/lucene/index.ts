export type { LuceneDirectory } from './directory';
export { openShard, type DocPosition, type ShardDocument, type ShardReader, type SegmentSummary } from './shard-reader';
export { CorruptIndexError, UnsupportedFormatError } from './errors';
