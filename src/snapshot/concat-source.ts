/** One logical file stored as several blobs `<name>.part0 … .partN-1`, each `partSize` bytes but the last. */
import { checkRange, type ByteSource } from '../common/byte-source';

export function concatSource(parts: ByteSource[], partSize: number, name: string): ByteSource {
  if (parts.length === 1) return parts[0];
  const byteLength = parts.reduce((sum, p) => sum + p.byteLength, 0);
  return {
    name,
    byteLength,
    read: async (start, end) => {
      checkRange(name, byteLength, start, end);
      const pieces: Uint8Array[] = [];
      for (let at = start; at < end; ) {
        const index = Math.floor(at / partSize);
        const within = at - index * partSize;
        const take = Math.min(end - at, parts[index].byteLength - within);
        pieces.push(await parts[index].read(within, within + take));
        at += take;
      }
      return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    },
  };
}
