/**
 * A snapshot repository's blob container: a folder on disk or an S3 prefix. Paths are relative to the
 * repository root and use `/`.
 */
import type { ByteSource } from '../common/byte-source';

export interface BlobStore {
  /** The repository location, for messages (`/mnt/snapshots` or `s3://bucket/prefix`). */
  readonly location: string;
  /** Names directly under a folder ('' = root): blobs and sub-folders alike, without trailing slash. */
  list(folder: string): Promise<string[]>;
  /** A ranged reader over one blob; fails with MA_SNAPSHOT_NOT_FOUND when it does not exist. */
  open(path: string): Promise<ByteSource>;
  /** The whole blob (metadata blobs are small). */
  read(path: string): Promise<Uint8Array>;
  /**
   * The same store with `segment` put in front of the repository's base path (the S3 prefix; a folder
   * repository has none): where OpenSearch's hashed-prefix shard layout writes a shard's blobs.
   */
  beforeBasePath(segment: string): BlobStore;
}
