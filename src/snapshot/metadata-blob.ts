/**
 * Decodes a snapshot metadata blob (`snap-*.dat`, `meta-*.dat`, shard `index-*`):
 *   Header(codec name, version 1), Body, Footer(CRC32)
 *   Body = SMILE document | "DFL\0" + raw DEFLATE of the SMILE document (repository `compress: true`)
 * The header is checked first and the body's first bytes decide compression, rather than searching the
 * whole blob for the deflate marker.
 */
import { inflateRawSync } from 'node:zlib';
import { readHeader, verifyFooter, FOOTER_LENGTH } from '../lucene/codec-util';
import { DataInput } from '../lucene/data-input';
import { SnapshotError } from './errors';
import { decodeSmile } from './smile';


const DEFLATE_MARKER = [0x44, 0x46, 0x4c, 0x00];
const SMILE_MARKER = [0x3a, 0x29, 0x0a];

function startsWith(bytes: Uint8Array, at: number, marker: number[]): boolean {
  return marker.every((b, i) => bytes[at + i] === b);
}

export function decodeMetadataBlob(bytes: Uint8Array, blob: string, codec: string): unknown {
  try {
    verifyFooter(bytes, blob);
    const input = new DataInput(bytes, blob);
    readHeader(input, codec, 1, 1);
    let body = bytes.subarray(input.offset, bytes.length - FOOTER_LENGTH);
    if (startsWith(body, 0, DEFLATE_MARKER)) body = inflateRawSync(body.subarray(4));
    if (!startsWith(body, 0, SMILE_MARKER)) throw new Error('body is neither SMILE nor DEFLATE-compressed SMILE');
    return decodeSmile(body);
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `cannot read metadata blob ${blob}: ${(error as Error).message}`);
  }
}
