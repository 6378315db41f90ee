/**
 * Documents the target refused for good (for example mapping conflicts), one JSON line each, so nothing
 * is dropped silently. The source can be left out where it may hold personal data.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RejectedDocument } from './bulk-sink';

export interface FailedDocumentLog {
  readonly location: string;
  write(rejected: RejectedDocument[]): Promise<void>;
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
      const lines = rejected.map((r) =>
        JSON.stringify({
          _index: r.document.index,
          _id: r.document.id,
          ...(r.document.routing !== undefined ? { _routing: r.document.routing } : {}),
          status: r.status,
          reason: r.reason,
          ...(includeSource ? { _source: JSON.parse(Buffer.from(r.document.source).toString('utf8')) } : {}),
          at: new Date().toISOString(),
        }),
      );
      await appendFile(file, lines.join('\n') + '\n');
    },
  };
}
