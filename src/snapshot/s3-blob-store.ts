/**
 * Blobs under an S3 prefix, read with ranged GETs through the AWS SDK (credentials from the default chain;
 * an endpoint override and path-style addressing for S3-compatible stores).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { checkRange, type ByteSource } from '../common/byte-source';
import type { BlobStore } from './blob-store';
import { SnapshotError } from './errors';

export interface S3Location {
  bucket: string;
  prefix: string;
}

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new SnapshotError('MA_SNAPSHOT_BAD_URI', `"${uri}" is not an S3 URI (expected s3://bucket/prefix)`);
  return { bucket: match[1], prefix: match[2].replace(/\/+$/, '') };
}

export interface S3StoreOptions {
  region?: string;
  endpoint?: string;
  /** For tests and S3-compatible stores: explicit credentials instead of the default chain. */
  credentials?: S3ClientConfig['credentials'];
}

/** An S3 client for a region, or for an S3-compatible store at `endpoint` (path-style addressing). */
export function s3Client(options: S3StoreOptions = {}): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    credentials: options.credentials,
    // S3-compatible stores do not all implement the SDK's default streaming checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export class S3BlobStore implements BlobStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(uri: string, options: S3StoreOptions = {}, client?: S3Client) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.location = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.#bucket = bucket;
    this.#prefix = prefix ? `${prefix}/` : '';
    this.#client = client ?? s3Client(options);
  }

  beforeBasePath(segment: string): BlobStore {
    return new S3BlobStore(`s3://${this.#bucket}/${segment}/${this.#prefix}`, {}, this.#client);
  }

  async list(folder: string): Promise<string[]> {
    const prefix = this.#prefix + (folder ? `${folder.replace(/\/+$/, '')}/` : '');
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key.slice(prefix.length));
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) names.push(common.Prefix.slice(prefix.length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + path }));
      return await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    } catch (error) {
      throw this.#translate(path, error);
    }
  }

  async open(path: string): Promise<ByteSource> {
    const key = this.#prefix + path;
    let size: number;
    try {
      size = (await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }))).ContentLength ?? 0;
    } catch (error) {
      throw this.#translate(path, error);
    }
    const name = `s3://${this.#bucket}/${key}`;
    return {
      name,
      byteLength: size,
      read: async (start, end) => {
        checkRange(name, size, start, end);
        if (start === end) return new Uint8Array(0);
        const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
        const bytes = await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
        if (bytes.length !== end - start) throw new SnapshotError('MA_SNAPSHOT_CORRUPT', `${name}: asked for ${end - start} bytes at ${start}, got ${bytes.length}`);
        return bytes;
      },
    };
  }

  #translate(path: string, error: unknown): Error {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return new SnapshotError('MA_SNAPSHOT_NOT_FOUND', `blob ${path} is missing from repository ${this.location}`);
    return error as Error;
  }
}
