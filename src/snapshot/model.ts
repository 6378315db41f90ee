/** What a snapshot repository holds, in the shapes the rest of the program uses. */

export interface SnapshotSummary {
  name: string;
  uuid: string;
  /** SUCCESS, PARTIAL, FAILED, IN_PROGRESS, INCOMPATIBLE, or a number when an old repository stores one. */
  state: string;
  /** Elasticsearch/OpenSearch version that wrote it, when the repository records it. */
  version?: string;
  indices: string[];
}

export interface IndexMetadata {
  name: string;
  /** Index id inside the repository (folder under `indices/`). */
  id: string;
  numberOfShards: number;
  /** Flat settings as stored (`index.number_of_shards`, …). */
  settings: Record<string, unknown>;
  /** Mappings by type (`_doc` for indices created on 7.x or later). */
  mappings: Record<string, unknown>;
  aliases: Record<string, unknown>;
  /** `index.version.created` decoded, e.g. 7100299 → 7.10.2. */
  createdVersion?: EngineVersion;
}

export interface ShardFile {
  /** Blob name in the repository (`__uuid`, `v__uuid`, `__0`). */
  blob: string;
  /** Lucene file name (`_0.cfs`, `segments_3`). */
  physicalName: string;
  length: number;
  checksum: string;
  partSize: number;
  writtenBy?: string;
  /** Content kept in the metadata itself (small files; the only copy for `v__` blobs). */
  metaHash?: Uint8Array;
}

export interface ShardFileList {
  snapshot: string;
  index: string;
  shard: number;
  files: ShardFile[];
  /** Σ files[].length: the real size of the shard (the stored `total_size` counts only new files). */
  totalBytes: number;
}

export interface GlobalMetadata {
  templates: Record<string, unknown>;
  indexTemplates: Record<string, unknown>;
  componentTemplates: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface EngineVersion {
  id: number;
  flavor: 'elasticsearch' | 'opensearch';
  major: number;
  minor: number;
  patch: number;
}

/** OpenSearch marks its version ids by flipping bit 27, which keeps them apart from Elasticsearch's. */
const OPENSEARCH_MASK = 0x08000000;

/**
 * Elasticsearch up to 8.10 (and every OpenSearch) numbers versions as major·1000000 + minor·10000 +
 * revision·100 + build. From 8.11 Elasticsearch writes index versions instead, counted per format change
 * (8.19.0 is 8536000, 9.2.0 is 9039001): only their major is meaningful, which is all the reader needs.
 */
export function decodeVersionId(id: number): EngineVersion {
  const opensearch = (id & OPENSEARCH_MASK) !== 0;
  const plain = opensearch ? id ^ OPENSEARCH_MASK : id;
  return { id, flavor: opensearch ? 'opensearch' : 'elasticsearch', major: Math.floor(plain / 1_000_000), minor: Math.floor(plain / 10_000) % 100, patch: Math.floor(plain / 100) % 100 };
}

/** The first index version that is not a release number (Elasticsearch 8.11 onwards). */
const FIRST_COUNTED_INDEX_VERSION = 8_500_000;

/**
 * Which Elasticsearch wrote a snapshot, from the catalogue's `index_version`: since 8.11 its `version` field
 * stays at "8.11.0" whatever the writer, so the index version is the truthful one to show.
 */
export function describeIndexVersion(indexVersion: number): string {
  if (indexVersion < FIRST_COUNTED_INDEX_VERSION) {
    const v = decodeVersionId(indexVersion);
    return `${v.major}.${v.minor}.${v.patch}`;
  }
  const major = Math.floor(indexVersion / 1_000_000);
  return `Elasticsearch ${major === 8 ? '8.11 or later 8.x' : `${major}.x`} (index version ${indexVersion})`;
}
