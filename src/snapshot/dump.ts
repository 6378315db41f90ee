/**
 * `console snapshot dump` and `console snapshot list --repo`: the documents of a snapshot as JSON lines,
 * and what a repository holds, read straight from the repository without any cluster.
 */
import type { Writable } from 'node:stream';
import { assertSourceHoldsVectors } from './excluded-vectors';
import { openSnapshotShard } from './shard-source';
import { openRepository, type RepositoryOptions } from './repository';

export interface DumpOptions extends RepositoryOptions {
  repo: string;
  snapshot?: string;
  /** Only these indices (default: every index of the snapshot). */
  indices?: string[];
}

export interface DumpResult {
  snapshot: string;
  indices: { name: string; documents: number }[];
  documents: number;
}

const utf8 = new TextDecoder();

async function write(out: Writable, line: string): Promise<void> {
  if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

export async function dumpSnapshot(options: DumpOptions, out: Writable): Promise<DumpResult> {
  const repo = openRepository(options.repo, options);
  const snapshot = await repo.snapshot(options.snapshot);
  const indices = options.indices?.length ? options.indices : snapshot.indices;
  const result: DumpResult = { snapshot: snapshot.name, indices: [], documents: 0 };
  for (const index of indices) {
    const metadata = await repo.indexMetadata(snapshot, index);
    assertSourceHoldsVectors(metadata);
    // Types are kept only where they carry meaning: indices created before 6.0 with a custom type.
    const keepType = metadata.createdVersion !== undefined && metadata.createdVersion.flavor === 'elasticsearch' && metadata.createdVersion.major < 6;
    let documents = 0;
    for (let shard = 0; shard < metadata.numberOfShards; shard++) {
      const { reader } = await openSnapshotShard(repo, snapshot, index, shard);
      for await (const doc of reader.documents()) {
        const line: Record<string, unknown> = { _index: index, _id: doc.id };
        if (keepType && doc.type && doc.type !== '_doc') line._type = doc.type;
        if (doc.routing !== undefined) line._routing = doc.routing;
        line._source = JSON.parse(utf8.decode(doc.source));
        await write(out, JSON.stringify(line) + '\n');
        documents++;
      }
    }
    result.indices.push({ name: index, documents });
    result.documents += documents;
  }
  return result;
}

export interface RepositoryListing {
  repository: string;
  snapshots: {
    name: string;
    uuid: string;
    state: string;
    version?: string;
    indices: { name: string; shards: number; documents: number; bytes: number }[];
  }[];
}

export async function listRepository(options: RepositoryOptions & { repo: string; snapshot?: string }): Promise<RepositoryListing> {
  const repo = openRepository(options.repo, options);
  const snapshots = options.snapshot ? [await repo.snapshot(options.snapshot)] : await repo.snapshots();
  const listing: RepositoryListing = { repository: repo.location, snapshots: [] };
  for (const snapshot of snapshots) {
    const indices = [];
    for (const index of snapshot.indices) {
      const metadata = await repo.indexMetadata(snapshot, index);
      let documents = 0;
      let bytes = 0;
      for (let shard = 0; shard < metadata.numberOfShards; shard++) {
        const { reader, files } = await openSnapshotShard(repo, snapshot, index, shard);
        documents += reader.liveDocCount;
        bytes += files.totalBytes;
      }
      indices.push({ name: index, shards: metadata.numberOfShards, documents, bytes });
    }
    listing.snapshots.push({ name: snapshot.name, uuid: snapshot.uuid, state: snapshot.state, ...(snapshot.version ? { version: snapshot.version } : {}), indices });
  }
  return listing;
}
