/**
 * Bulk request bodies: per document an action line, the `_source` bytes as stored (never parsed), and a
 * newline. A batch is assembled in one buffer while its documents are read, so each source is copied once,
 * straight from the decompressed chunk into the request; the batch's documents keep views into that
 * buffer for retries and for the failed-documents log.
 */
import type { BulkDocument } from './bulk-sink';

const EMPTY = new Uint8Array(0);
const LF = 0x0a;
const CR = 0x0d;

/** Room beyond the expected size, so that a batch a little larger than expected fits without growing. */
const SLACK = 64 * 1024;

export class BulkBodyBuilder {
  #buffer: Buffer;
  #length = 0;
  /** The documents added, whose sources are set by finish(), and where each source lies in the body. */
  readonly #documents: BulkDocument[] = [];
  readonly #bounds: number[] = [];
  /** The action line up to the id, kept while documents go to the same index (nearly always). */
  #prefixIndex?: string;
  #prefix = '';

  /** `capacity`: the expected body size; the buffer grows if the documents need more. */
  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(Math.max(0, capacity) + SLACK);
  }

  get count(): number {
    return this.#documents.length;
  }

  get byteLength(): number {
    return this.#length;
  }

  add(index: string, id: string, routing: string | undefined, source: Uint8Array): void {
    if (index !== this.#prefixIndex) {
      this.#prefixIndex = index;
      this.#prefix = `{"index":{"_index":${JSON.stringify(index)},"_id":`;
    }
    const action = routing === undefined ? `${this.#prefix}${JSON.stringify(id)}}}\n` : `${this.#prefix}${JSON.stringify(id)},"routing":${JSON.stringify(routing)}}}\n`;
    // A UTF-16 code unit takes at most three bytes in UTF-8.
    this.#reserve(action.length * 3 + source.length + 1);
    this.#length += this.#buffer.write(action, this.#length);
    const start = this.#length;
    this.#buffer.set(source, start);
    this.#length += source.length;
    if (hasLineBreak(source)) replaceLineBreaks(this.#buffer, start, this.#length);
    this.#buffer[this.#length++] = LF;
    this.#documents.push(routing === undefined ? { index, id, source: EMPTY } : { index, id, routing, source: EMPTY });
    this.#bounds.push(start, start + source.length);
  }

  /** The body and its documents, whose sources are views into it. */
  finish(): { body: Buffer; documents: BulkDocument[] } {
    const body = this.#buffer.subarray(0, this.#length);
    const { buffer, byteOffset } = body;
    const bounds = this.#bounds;
    this.#documents.forEach((document, i) => {
      document.source = new Uint8Array(buffer, byteOffset + bounds[2 * i], bounds[2 * i + 1] - bounds[2 * i]);
    });
    return { body, documents: this.#documents };
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#length + bytes, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** A bulk body of documents as they are, for example the documents of a batch that must be sent again. */
export function bulkBody(documents: BulkDocument[]): Buffer {
  const builder = new BulkBodyBuilder(documents.reduce((sum, d) => sum + d.source.length + d.id.length + 64, 0));
  for (const d of documents) builder.add(d.index, d.id, d.routing, d.source);
  return builder.finish().body;
}

/** Buffer's indexOf searches natively, several times faster than a loop or Uint8Array's own. */
function hasLineBreak(bytes: Uint8Array): boolean {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.indexOf(LF) >= 0 || buffer.indexOf(CR) >= 0;
}

/**
 * `_source` as stored may span lines (pretty-printed by the client that wrote it). Raw newlines can only
 * sit between JSON tokens, never inside strings (JSON escapes them there), so they can be replaced by
 * spaces without changing the document.
 */
function replaceLineBreaks(bytes: Uint8Array, start: number, end: number): void {
  for (let i = start; i < end; i++) if (bytes[i] === LF || bytes[i] === CR) bytes[i] = 0x20;
}
