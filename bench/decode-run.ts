/**
 * Decodes every document of one snapshot into a null sink, in this process alone, and prints one JSON line:
 * documents, `_source` bytes, seconds and peak RSS. Run by bench/decode.ts in a fresh process so the RSS
 * is the reader's own.
 */
import { openRepository, openSnapshotShard } from '../src/snapshot';

async function main(): Promise<void> {
  const [repoPath, snapshotName] = process.argv.slice(2);
  const repo = openRepository(repoPath);
  const snapshot = await repo.snapshot(snapshotName);
  const started = process.hrtime.bigint();
  let documents = 0;
  let bytes = 0;
  for (const index of snapshot.indices) {
    const metadata = await repo.indexMetadata(snapshot, index);
    for (let shard = 0; shard < metadata.numberOfShards; shard++) {
      const { reader } = await openSnapshotShard(repo, snapshot, index, shard);
      for await (const doc of reader.documents()) {
        documents++;
        bytes += doc.source.length;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ documents, bytes, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

void main();
