/**
 * Documents the target refused for good (for example mapping conflicts), one JSON line each, so nothing
 * is dropped silently: appended to a local file, or written to S3 as gzip JSON-lines objects (S3 cannot
 * append, so each write is one object). The source can be left out where it may hold personal data.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri, s3Client, type S3StoreOptions } from '../snapshot/s3-blob-store';
import type { RejectedDocument } from './bulk-sink';

export interface FailedDocumentLog {
  readonly location: string;
  write(rejected: RejectedDocument[]): Promise<void>;
}

/**
 * One log line. `_source` is the parsed document; a source that is not JSON (which is often why the
 * target refused it) is kept as text in `_source_text` rather than breaking the log.
 */
export function failedDocumentLine(rejected: RejectedDocument, includeSource: boolean, at: Date = new Date()): string {
  const { document } = rejected;
  let source: Record<string, unknown> = {};
  if (includeSource) {
    const text = Buffer.from(document.source.buffer, document.source.byteOffset, document.source.byteLength).toString('utf8');
    try {
      source = { _source: JSON.parse(text) as unknown };
    } catch {
      source = { _source_text: text };
    }
  }
  return JSON.stringify({
    _index: document.index,
    _id: document.id,
    ...(document.routing !== undefined ? { _routing: document.routing } : {}),
    status: rejected.status,
    reason: rejected.reason,
    ...source,
    at: at.toISOString(),
  });
}

export function fileFailedDocumentLog(directory: string, workerId: string, includeSource: boolean): FailedDocumentLog {
  const file = join(directory, `failed-documents-${workerId}.jsonl`);
  let ready: Promise<unknown> | undefined;
  return {
    location: file,
    async write(rejected) {
      if (rejected.length === 0) return;
      ready ??= mkdir(directory, { recursive: true });
      await ready;
      await appendFile(file, rejected.map((r) => failedDocumentLine(r, includeSource)).join('\n') + '\n');
    },
  };
}

/**
 * Objects `<prefix>/<workerId>/<time>-<random>.jsonl.gz` under an `s3://bucket/prefix` URI. Object names
 * sort by time, and two workers (or two writes of one worker) never overwrite each other.
 */
export function s3FailedDocumentLog(uri: string, workerId: string, includeSource: boolean, options: S3StoreOptions = {}): FailedDocumentLog {
  const { bucket, prefix } = parseS3Uri(uri);
  const client = s3Client(options);
  const folder = `${prefix ? `${prefix}/` : ''}${encodeURIComponent(workerId)}/`;
  return {
    location: `s3://${bucket}/${folder}`,
    async write(rejected) {
      if (rejected.length === 0) return;
      const at = new Date();
      const key = `${folder}${at.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.jsonl.gz`;
      const body = gzipSync(rejected.map((r) => failedDocumentLine(r, includeSource, at)).join('\n') + '\n');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' }));
    },
  };
}
