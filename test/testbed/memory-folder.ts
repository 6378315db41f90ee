/**
 * A folder in memory (the RAM-backed file system at /dev/shm on Linux) for a server's throwaway data.
 *
 * Kafka writes every byte the proxy captures into its log. On disk that costs the kernel's file-system path
 * and then writeback to the block device, on the same cores the tests and benchmarks measure; in memory only
 * the copy. Measured with the proxy benchmark's Kafka-alone load (four 256 KiB records per send, four sends in
 * flight, 10 s, runs alternated on one machine): 332 to 387 bulks/s with 2.6 to 3.0 ms of broker CPU each
 * from disk, 496 to 541 bulks/s with 1.9 to 2.2 ms from memory. The test bed's Kafka keeps at most a few
 * hundred megabytes per partition (see its retention settings), so this only applies when the memory file
 * system has room to spare; elsewhere the data stays in the server's folder on disk.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, rmdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MEMORY_FILE_SYSTEM = '/dev/shm';
/** Free room the memory file system must have before a server's data goes there. */
export const MIN_FREE_BYTES = 2 * 1024 ** 3;

function hasRoom(root: string): boolean {
  try {
    if (!statSync(root).isDirectory()) return false;
    accessSync(root, constants.W_OK);
    const { bavail, bsize } = statfsSync(root);
    return bavail * bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/**
 * The folder for one server of the test bed at `home`, or undefined when the machine has no memory file
 * system with room. Named after the home, so two test beds never share one and a restart finds its own.
 */
export function memoryFolder(home: string, server: string, root = MEMORY_FILE_SYSTEM): string | undefined {
  if (!hasRoom(root)) return undefined;
  const id = createHash('sha256').update(home).digest('hex').slice(0, 12);
  return join(root, `migration-assistant-testbed-${id}`, server);
}

/** Gives the memory back once its server has stopped, and the test bed's folder too once no server has one there. */
export function removeMemoryFolder(folder: string | undefined): void {
  if (!folder) return;
  rmSync(folder, { recursive: true, force: true });
  try {
    rmdirSync(dirname(folder));
  } catch {
    // another server's folder is still in it, or it is gone already
  }
}
