/**
 * Where a shard's blobs live. Elasticsearch and OpenSearch before 2.17 always use the fixed layout
 * `indices/<indexId>/<shard>/` under the repository's base path. OpenSearch 2.17+ records a
 * `shard_path_type` per index in `index-N` and, for the hashed types, spreads shards over many top-level
 * prefixes (OpenSearch 3 does so by default):
 *   0 FIXED         <basePath>/indices/<indexId>/<shard>/
 *   1 HASHED_PREFIX <segment>/<basePath>/indices/<indexId>/<shard>/   (in front of the base path)
 *   2 HASHED_INFIX  <basePath>/<segment>/indices/<indexId>/<shard>/
 *   segment = [node prefix] + FNV-1a-64("<shard><indexId>") written as one URL-base64 character (top 6 bits)
 *             and the next 14 bits in binary, e.g. "u00100111011110" (OpenSearch's FNV_1A_COMPOSITE_1).
 * Each snapshot also writes `snapshot_shard_paths/snapshot_path_<indexId>.<name>.<shards>.<type>.<algorithm>`,
 * JSON whose `paths` list every shard folder as written; when present it is the authority (it carries the
 * optional node prefix `cluster.snapshot.shard.path.prefix`, which nothing else records).
 */
import type { BlobStore } from './blob-store';
import { SnapshotError } from './errors';

export const SHARD_PATHS_FOLDER = 'snapshot_shard_paths';

export enum ShardPathType {
  Fixed = 0,
  HashedPrefix = 1,
  HashedInfix = 2,
}

const URL_BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const MASK_64 = (1n << 64n) - 1n;

export function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK_64;
  return hash;
}

/** The hashed folder name of one shard, as OpenSearch computes it when no node prefix is set. */
export function hashedShardSegment(indexId: string, shard: number): string {
  const bits = fnv1a64(`${shard}${indexId}`).toString(2).padStart(64, '0');
  return URL_BASE64[Number.parseInt(bits.slice(0, 6), 2)] + bits.slice(6, 20);
}

/** A shard's folder: a path relative to `store` (the repository itself, or its hashed-prefix twin). */
export interface ShardLocation {
  store: BlobStore;
  folder: string;
}

/**
 * The folder of every shard of an index, keyed by shard number, from its `snapshot_shard_paths` record,
 * or undefined when the repository has none for the index.
 */
async function recordedSegments(store: BlobStore, records: string[], indexId: string, type: ShardPathType): Promise<Map<number, string> | undefined> {
  const name = records.find((n) => n.startsWith(`snapshot_path_${indexId}.`));
  if (!name) return undefined;
  const blob = `${SHARD_PATHS_FOLDER}/${name}`;
  let record: { paths?: unknown };
  try {
    record = JSON.parse(new TextDecoder().decode(await store.read(blob))) as typeof record;
  } catch (error) {
    throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${store.location}/${blob} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(record.paths)) throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${store.location}/${blob} has no "paths" list`);
  const segments = new Map<number, string>();
  for (const path of record.paths) {
    // …/<segment>/indices/<indexId>/<shard>/ for the infix type; <segment>/… (before the base path) for the prefix type.
    const parts = String(path).split('/').filter(Boolean);
    const at = parts.lastIndexOf('indices');
    if (at < 1 || parts[at + 1] !== indexId || !/^\d+$/.test(parts[at + 2] ?? '')) {
      throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${store.location}/${blob} lists "${String(path)}", which is not a folder of index ${indexId}`);
    }
    segments.set(Number(parts[at + 2]), type === ShardPathType.HashedPrefix ? parts[0] : parts[at - 1]);
  }
  return segments;
}

/**
 * Resolves the shard folders of one index; its paths record is read once, on first use. `records` lists
 * the repository's `snapshot_shard_paths` folder (the caller lists it once for all indices).
 */
export function shardLocator(store: BlobStore, records: () => Promise<string[]>, indexId: string, type: number | undefined): (shard: number) => Promise<ShardLocation> {
  const pathType = type ?? ShardPathType.Fixed;
  if (!(pathType in ShardPathType)) {
    throw new SnapshotError('MA_SNAPSHOT_UNSUPPORTED', `index ${indexId} uses shard path type ${pathType}; known: 0 FIXED, 1 HASHED_PREFIX, 2 HASHED_INFIX`);
  }
  let record: ReturnType<typeof recordedSegments> | undefined;
  return async (shard) => {
    const fixed = `indices/${indexId}/${shard}`;
    if (pathType === ShardPathType.Fixed) return { store, folder: fixed };
    record ??= records().then((names) => recordedSegments(store, names, indexId, pathType));
    const segment = (await record)?.get(shard) ?? hashedShardSegment(indexId, shard);
    return pathType === ShardPathType.HashedPrefix ? { store: store.beforeBasePath(segment), folder: fixed } : { store, folder: `${segment}/${fixed}` };
  };
}
