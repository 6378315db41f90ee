/** The files of one Lucene index (one shard), wherever they live: a snapshot's blobs, a folder, a test buffer. */
import type { ByteSource } from '../common/byte-source';

export interface LuceneDirectory {
  /** For messages, e.g. `snapshot s1, index logs, shard 0`. */
  readonly name: string;
  /** Physical Lucene file names: segments_N, _0.cfs, _0.si, … */
  fileNames(): string[];
  /** The file's bytes; the source's name identifies where they are stored (the repository blob). */
  open(fileName: string): Promise<ByteSource>;
}
