/**
 * Blobs in a local folder. Each ranged read opens, reads and closes the file: reads are large (a window of
 * stored fields) or few (metadata), and no handle outlives the read.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkRange, type ByteSource } from '../common/byte-source';
import type { BlobStore } from './blob-store';
import { SnapshotError } from './errors';

export class FsBlobStore implements BlobStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  beforeBasePath(segment: string): BlobStore {
    return new FsBlobStore(join(this.location, segment));
  }

  async list(folder: string): Promise<string[]> {
    try {
      return await readdir(join(this.location, folder));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      return await readFile(join(this.location, path));
    } catch (error) {
      throw this.#notFound(path, error);
    }
  }

  async open(path: string): Promise<ByteSource> {
    const file = join(this.location, path);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw this.#notFound(path, error);
    }
    const name = `${this.location}/${path}`;
    return {
      name,
      byteLength: size,
      read: async (start, end) => {
        checkRange(name, size, start, end);
        const handle = await open(file, 'r');
        try {
          const buffer = Buffer.allocUnsafe(end - start);
          let done = 0;
          while (done < buffer.length) {
            const { bytesRead } = await handle.read(buffer, done, buffer.length - done, start + done);
            if (bytesRead === 0) throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${name} ended at ${start + done} bytes, expected ${size}`);
            done += bytesRead;
          }
          return buffer;
        } finally {
          await handle.close();
        }
      },
    };
  }

  #notFound(path: string, error: unknown): Error {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `blob ${path} is missing from repository ${this.location}`);
    return error as Error;
  }
}
