/**
 * Reads a snapshot repository written by Elasticsearch 5–8 or OpenSearch 1–3 without restoring it:
 * the repository catalogue (`index-N`), snapshot and index metadata, and each shard's file list, which
 * becomes a LuceneDirectory whose files are read with ranged reads straight from the blobs.
 */
import { inflateRawSync } from 'node:zlib';
import type { ByteSource } from '../common/byte-source';
import { bufferSource } from '../common/byte-source';
import type { LuceneDirectory } from '../lucene/directory';
import type { BlobStore } from './blob-store';
import { concatSource } from './concat-source';
import { SnapshotError } from './errors';
import { FsBlobStore } from './fs-blob-store';
import { decodeMetadataBlob } from './metadata-blob';
import { decodeVersionId, describeIndexVersion, type GlobalMetadata, type IndexMetadata, type ShardFile, type ShardFileList, type SnapshotSummary } from './model';
import { S3BlobStore, type S3StoreOptions } from './s3-blob-store';
import { SHARD_PATHS_FOLDER, shardLocator, type ShardLocation } from './shard-path';

interface RepositoryData {
  snapshots: { name: string; uuid: string; state?: number | string; version?: string; index_version?: number; index_metadata_lookup?: Record<string, string> }[];
  indices: Record<string, { id: string; snapshots: string[]; shard_path_type?: number }>;
  index_metadata_identifiers?: Record<string, string>;
}

const SNAPSHOT_STATES: Record<number, string> = { 0: 'IN_PROGRESS', 1: 'SUCCESS', 2: 'FAILED', 3: 'PARTIAL', 4: 'INCOMPATIBLE' };

export type RepositoryOptions = S3StoreOptions;

/** Opens a repository at a folder path, `file://` URL or `s3://bucket/prefix`. */
export function openRepository(uri: string, options: RepositoryOptions = {}): SnapshotRepository {
  if (uri.startsWith('s3://')) return new SnapshotRepository(new S3BlobStore(uri, options));
  if (uri.startsWith('file://')) return new SnapshotRepository(new FsBlobStore(new URL(uri).pathname));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new SnapshotError('MA_SNAPSHOT_BAD_URI', `unsupported repository location "${uri}": use a folder path, file:// or s3://`);
  return new SnapshotRepository(new FsBlobStore(uri));
}

export class SnapshotRepository {
  readonly store: BlobStore;
  #data?: Promise<RepositoryData>;
  readonly #locators = new Map<string, (shard: number) => Promise<ShardLocation>>();
  #shardPathRecords?: Promise<string[]>;

  constructor(store: BlobStore) {
    this.store = store;
  }

  get location(): string {
    return this.store.location;
  }

  /** The newest catalogue: the highest `index-N` (the generation `index.latest` points to when present). */
  repositoryData(): Promise<RepositoryData> {
    this.#data ??= (async () => {
      const names = await this.store.list('');
      const generations = names.map((n) => /^index-(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
      if (generations.length === 0) {
        throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `no snapshot repository at ${this.location}: it has no index-N catalogue`);
      }
      const newest = Math.max(...generations);
      const text = new TextDecoder().decode(await this.store.read(`index-${newest}`));
      try {
        const data = JSON.parse(text) as RepositoryData;
        data.snapshots ??= [];
        data.indices ??= {};
        return data;
      } catch (error) {
        throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `catalogue ${this.location}/index-${newest} is not valid JSON: ${(error as Error).message}`);
      }
    })();
    return this.#data;
  }

  async snapshots(): Promise<SnapshotSummary[]> {
    const data = await this.repositoryData();
    return data.snapshots.map((s) => ({
      name: s.name,
      uuid: s.uuid,
      state: typeof s.state === 'number' ? (SNAPSHOT_STATES[s.state] ?? String(s.state)) : (s.state ?? 'SUCCESS'),
      ...(typeof s.index_version === 'number' ? { version: describeIndexVersion(s.index_version) } : s.version ? { version: s.version } : {}),
      indices: Object.entries(data.indices)
        .filter(([, index]) => index.snapshots.includes(s.uuid))
        .map(([name]) => name)
        .sort(),
    }));
  }

  /** The named snapshot, or the only one when no name is given. */
  async snapshot(name?: string): Promise<SnapshotSummary> {
    const all = await this.snapshots();
    if (name === undefined) {
      if (all.length === 1) return all[0];
      if (all.length === 0) throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `repository ${this.location} holds no snapshot`);
      throw new SnapshotError('MA_SNAPSHOT_AMBIGUOUS', `repository ${this.location} holds ${all.length} snapshots; name one with --snapshot: ${all.map((s) => s.name).join(', ')}`);
    }
    const found = all.find((s) => s.name === name);
    if (!found) throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `snapshot "${name}" is not in repository ${this.location}; it holds: ${all.map((s) => s.name).join(', ') || 'none'}`);
    return found;
  }

  /** The snapshot's own record (`snap-<uuid>.dat`): indices, state, times, shard counts. */
  async snapshotInfo(snapshot: SnapshotSummary): Promise<Record<string, unknown>> {
    const blob = `snap-${snapshot.uuid}.dat`;
    const decoded = decodeMetadataBlob(await this.store.read(blob), `${this.location}/${blob}`, 'snapshot') as { snapshot: Record<string, unknown> };
    return decoded.snapshot;
  }

  /** Cluster metadata captured with the snapshot: legacy templates, index templates, component templates. */
  async globalMetadata(snapshot: SnapshotSummary): Promise<GlobalMetadata> {
    const blob = `meta-${snapshot.uuid}.dat`;
    const decoded = decodeMetadataBlob(await this.store.read(blob), `${this.location}/${blob}`, 'metadata') as { 'meta-data'?: Record<string, unknown> };
    const raw = decoded['meta-data'] ?? {};
    const section = (key: string, inner: string) => ((raw[key] as Record<string, unknown> | undefined)?.[inner] ?? {}) as Record<string, unknown>;
    return {
      templates: (raw.templates ?? {}) as Record<string, unknown>,
      indexTemplates: section('index_template', 'index_template'),
      componentTemplates: section('component_template', 'component_template'),
      raw,
    };
  }

  async #indexId(snapshot: SnapshotSummary, index: string): Promise<string> {
    const data = await this.repositoryData();
    const entry = data.indices[index];
    if (!entry || !entry.snapshots.includes(snapshot.uuid)) {
      throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `index "${index}" is not in snapshot "${snapshot.name}"; it holds: ${snapshot.indices.join(', ') || 'no index'}`);
    }
    return entry.id;
  }

  async indexMetadata(snapshot: SnapshotSummary, index: string): Promise<IndexMetadata> {
    const data = await this.repositoryData();
    const id = await this.#indexId(snapshot, index);
    // Since 7.9 index metadata blobs are shared between snapshots and found through two lookups.
    const lookup = data.snapshots.find((s) => s.uuid === snapshot.uuid)?.index_metadata_lookup?.[id];
    const blobId = lookup ? (data.index_metadata_identifiers?.[lookup] ?? snapshot.uuid) : snapshot.uuid;
    const blob = `indices/${id}/meta-${blobId}.dat`;
    const decoded = decodeMetadataBlob(await this.store.read(blob), `${this.location}/${blob}`, 'index-metadata') as Record<string, Record<string, unknown>>;
    const body = decoded[index] ?? Object.values(decoded)[0];
    const settings = flattenSettings((body.settings ?? {}) as Record<string, unknown>);
    const numberOfShards = Number(settings['index.number_of_shards']);
    if (!Number.isInteger(numberOfShards) || numberOfShards < 1) throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${this.location}/${blob} has no valid index.number_of_shards`);
    const created = Number(settings['index.version.created']);
    return {
      name: index,
      id,
      numberOfShards,
      settings,
      mappings: decodeMappings(body.mappings, `${this.location}/${blob}`),
      aliases: (body.aliases ?? {}) as Record<string, unknown>,
      ...(Number.isFinite(created) && created > 0 ? { createdVersion: decodeVersionId(created) } : {}),
    };
  }

  /** The folder holding a shard's blobs, in the layout the index records (fixed, or hashed on OpenSearch 2.17+). */
  async shardLocation(snapshot: SnapshotSummary, index: string, shard: number): Promise<ShardLocation> {
    const id = await this.#indexId(snapshot, index);
    let locate = this.#locators.get(id);
    if (!locate) {
      const type = (await this.repositoryData()).indices[index]?.shard_path_type;
      const records = () => (this.#shardPathRecords ??= this.store.list(SHARD_PATHS_FOLDER));
      locate = shardLocator(this.store, records, id, type);
      this.#locators.set(id, locate);
    }
    return locate(shard);
  }

  async shardFiles(snapshot: SnapshotSummary, index: string, shard: number): Promise<ShardFileList> {
    const { store, folder } = await this.shardLocation(snapshot, index, shard);
    const blob = `${folder}/snap-${snapshot.uuid}.dat`;
    const decoded = decodeMetadataBlob(await store.read(blob), `${store.location}/${blob}`, 'snapshot') as { files?: RawShardFile[] };
    const files = (decoded.files ?? []).map(
      (f): ShardFile => ({
        blob: f.name,
        physicalName: f.physical_name,
        length: Number(f.length),
        checksum: f.checksum,
        partSize: f.part_size === undefined ? Number.MAX_SAFE_INTEGER : Math.min(Number(f.part_size), Number.MAX_SAFE_INTEGER),
        ...(f.written_by ? { writtenBy: f.written_by } : {}),
        ...(f.meta_hash ? { metaHash: toBytes(f.meta_hash) } : {}),
      }),
    );
    return { snapshot: snapshot.name, index, shard, files, totalBytes: files.reduce((sum, f) => sum + f.length, 0) };
  }

  /** A LuceneDirectory over the shard's files as the snapshot stored them. */
  async shardDirectory(snapshot: SnapshotSummary, index: string, shard: number): Promise<{ files: ShardFileList; directory: LuceneDirectory }> {
    const files = await this.shardFiles(snapshot, index, shard);
    const location = await this.shardLocation(snapshot, index, shard);
    const byName = new Map(files.files.map((f) => [f.physicalName, f]));
    const directory: LuceneDirectory = {
      name: `snapshot "${snapshot.name}", index "${index}", shard ${shard}`,
      fileNames: () => [...byName.keys()],
      open: async (fileName) => {
        const file = byName.get(fileName);
        if (!file) throw new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `shard ${shard} of "${index}" in snapshot "${snapshot.name}" has no file ${fileName}`);
        return this.#openShardFile(location, file);
      },
    };
    return { files, directory };
  }

  async #openShardFile({ store, folder }: ShardLocation, file: ShardFile): Promise<ByteSource> {
    const label = `${store.location}/${folder}/${file.blob} (${file.physicalName})`;
    if (file.blob.startsWith('v__')) {
      if (!file.metaHash || file.metaHash.length !== file.length) {
        throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${label}: virtual blob has ${file.metaHash?.length ?? 0} inline bytes, expected ${file.length}`);
      }
      return bufferSource(file.metaHash, label);
    }
    const partCount = Math.max(1, Math.ceil(file.length / file.partSize));
    const parts =
      partCount === 1
        ? [await store.open(`${folder}/${file.blob}`)]
        : await Promise.all(Array.from({ length: partCount }, (_, i) => store.open(`${folder}/${file.blob}.part${i}`)));
    const source = concatSource(parts, file.partSize, label);
    if (source.byteLength !== file.length) {
      throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${label} is ${source.byteLength} bytes, the shard file list says ${file.length}`);
    }
    return { ...source, name: label };
  }
}

interface RawShardFile {
  name: string;
  physical_name: string;
  length: number | bigint;
  checksum: string;
  part_size?: number | bigint;
  written_by?: string;
  meta_hash?: Uint8Array | { data: number[] };
}

function toBytes(value: Uint8Array | { data: number[] }): Uint8Array {
  return value instanceof Uint8Array ? value : Uint8Array.from(value.data);
}

/** Settings may be stored nested (`{"index":{"number_of_shards":…}}`) or flat; callers get them flat. */
export function flattenSettings(settings: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, flattenSettings(value as Record<string, unknown>, path));
    else out[path] = value;
  }
  return out;
}

/**
 * Mappings are stored as an array of `{type: mapping}` objects, or as one object, and each mapping may be
 * the compressed source bytes (`DFL\0` + raw DEFLATE of JSON) rather than a parsed object.
 */
export function decodeMappings(value: unknown, blob: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (entry: unknown) => {
    const parsed = entry instanceof Uint8Array || (entry && typeof entry === 'object' && 'data' in (entry as object) && Array.isArray((entry as { data: unknown }).data))
      ? parseCompressedJson(toBytes(entry as Uint8Array), blob)
      : entry;
    if (parsed && typeof parsed === 'object') Object.assign(out, parsed);
  };
  if (Array.isArray(value)) value.forEach(add);
  else if (value) add(value);
  return out;
}

function parseCompressedJson(bytes: Uint8Array, blob: string): unknown {
  const isDeflate = bytes[0] === 0x44 && bytes[1] === 0x46 && bytes[2] === 0x4c && bytes[3] === 0x00;
  const json = isDeflate ? inflateRawSync(bytes.subarray(4)) : bytes;
  try {
    return JSON.parse(new TextDecoder().decode(json));
  } catch (error) {
    throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${blob}: a mapping is not readable JSON (${(error as Error).message})`);
  }
}
