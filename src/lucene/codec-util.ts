/**
 * Lucene's file framing, shared by every file kind:
 *   Header      = Magic(BE int 0x3fd76c17), CodecName(String), Version(BE int)
 *   IndexHeader = Header, ObjectID(16 bytes), SuffixLength(byte), Suffix(bytes)
 *   Footer      = FooterMagic(BE int ~Magic), AlgorithmID(BE int 0), Checksum(BE long: CRC32 of all bytes before it)
 * Corresponds to org.apache.lucene.codecs.CodecUtil.
 */
import { crc32 } from 'node:zlib';
import type { DataInput } from './data-input';
import { CorruptIndexError, UnsupportedFormatError } from './errors';

export const CODEC_MAGIC = 0x3fd76c17;
export const FOOTER_MAGIC = ~CODEC_MAGIC;
export const FOOTER_LENGTH = 16;

export interface Header {
  codec: string;
  version: number;
}

export interface IndexHeader extends Header {
  id: Uint8Array;
  suffix: string;
}

export function readHeader(input: DataInput, codec: string | RegExp, minVersion: number, maxVersion: number): Header {
  const start = input.offset;
  const magic = input.readBEInt();
  if (magic !== CODEC_MAGIC) throw new CorruptIndexError(input.resource, `codec header magic is 0x${(magic >>> 0).toString(16)}, expected 0x3fd76c17`, start);
  const name = input.readString();
  const matches = typeof codec === 'string' ? name === codec : codec.test(name);
  if (!matches) throw new CorruptIndexError(input.resource, `codec is "${name}", expected ${typeof codec === 'string' ? `"${codec}"` : codec}`, start);
  const version = input.readBEInt();
  if (version < minVersion || version > maxVersion) throw new UnsupportedFormatError(input.resource, `${name} version ${version}`, `${minVersion}..${maxVersion}`);
  return { codec: name, version };
}

export function readIndexHeader(input: DataInput, codec: string | RegExp, minVersion: number, maxVersion: number, expectedId?: Uint8Array): IndexHeader {
  const header = readHeader(input, codec, minVersion, maxVersion);
  const idOffset = input.offset;
  const id = input.readBytes(16);
  if (expectedId && !sameBytes(id, expectedId)) throw new CorruptIndexError(input.resource, `segment id ${hex(id)} does not match the segment's ${hex(expectedId)}`, idOffset);
  const suffixLength = input.readByte();
  const suffix = new TextDecoder().decode(input.readBytes(suffixLength));
  return { ...header, id, suffix };
}

/** Checks the footer's magic and that the CRC32 of everything before the checksum matches it. */
export function verifyFooter(bytes: Uint8Array, resource: string): void {
  if (bytes.length < FOOTER_LENGTH) throw new CorruptIndexError(resource, `file is ${bytes.length} bytes, shorter than a footer`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = bytes.length - FOOTER_LENGTH;
  if (view.getInt32(at, false) !== FOOTER_MAGIC) throw new CorruptIndexError(resource, 'footer magic is missing (truncated file?)', at);
  const algorithm = view.getInt32(at + 4, false);
  if (algorithm !== 0) throw new CorruptIndexError(resource, `unknown checksum algorithm ${algorithm}`, at + 4);
  const expected = view.getBigUint64(at + 8, false);
  const actual = BigInt(crc32(bytes.subarray(0, bytes.length - 8)));
  if (expected !== actual) throw new CorruptIndexError(resource, `checksum mismatch: footer says ${expected.toString(16)}, content gives ${actual.toString(16)}`);
}

/** The checksum stored in a footer, for streaming verification of large files. */
export function footerChecksum(footer: Uint8Array, resource: string): number {
  if (footer.length !== FOOTER_LENGTH) throw new CorruptIndexError(resource, 'footer is not 16 bytes');
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (view.getInt32(0, false) !== FOOTER_MAGIC) throw new CorruptIndexError(resource, 'footer magic is missing (truncated file?)');
  return Number(view.getBigUint64(8, false));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
