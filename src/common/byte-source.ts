/**
 * A random-access source of bytes: a local file, an S3 object, a slice of either, or a buffer in a test.
 * Every decoder reads through this interface, so none of them knows where the bytes live.
 */
export interface ByteSource {
  /** Human-readable origin, used in error messages (for example `s3://bucket/indices/x/0/__abc`). */
  readonly name: string;
  readonly byteLength: number;
  /** Bytes in [start, end). Implementations may return a view that must not be mutated. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export function bufferSource(bytes: Uint8Array, name = 'buffer'): ByteSource {
  return {
    name,
    byteLength: bytes.byteLength,
    read: async (start, end) => {
      checkRange(name, bytes.byteLength, start, end);
      return bytes.subarray(start, end);
    },
  };
}

/** A window [offset, offset + length) of another source, for example one file inside a compound file. */
export function sliceSource(parent: ByteSource, offset: number, length: number, name: string): ByteSource {
  checkRange(parent.name, parent.byteLength, offset, offset + length);
  return {
    name,
    byteLength: length,
    read: async (start, end) => {
      checkRange(name, length, start, end);
      return parent.read(offset + start, offset + end);
    },
  };
}

export function checkRange(name: string, byteLength: number, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > byteLength) {
    throw new RangeError(`read [${start}, ${end}) is outside ${name} (${byteLength} bytes)`);
  }
}
