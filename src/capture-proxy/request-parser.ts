/**
 * Finds HTTP/1.1 request boundaries in a client's byte stream without changing or buffering the bodies:
 * the head (request line and headers, bounded in size) is collected and parsed; the body is counted by
 * Content-Length or followed through chunked encoding. Each call to `push` returns the events in order,
 * each with the exact bytes it covers, so the caller can forward and capture byte for byte.
 */
export interface RequestHead {
  method: string;
  path: string;
  version: string;
  headers: [string, string][];
  /** Bytes of the request line including its CRLF. */
  firstLineLength: number;
  /** Bytes of the header lines including the blank line. */
  headersLength: number;
}

export type ParseEvent =
  | { kind: 'head'; head: RequestHead; bytes: Uint8Array }
  | { kind: 'body'; bytes: Uint8Array }
  | { kind: 'end' };

export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
  constructor(
    message: string,
    readonly status: 400 | 431 | 501,
  ) {
    super(message);
  }
}

type State =
  | { at: 'head' }
  | { at: 'length'; remaining: number }
  | { at: 'chunk-size' }
  | { at: 'chunk-data'; remaining: number }
  | { at: 'chunk-crlf'; remaining: number }
  | { at: 'trailers' };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/;

/** `data[start, end)`, or `data` itself when that is all of it (the common case: a chunk that is one request). */
function slice(data: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === data.length ? data : data.subarray(start, end);
}

export class RequestParser {
  #state: State = { at: 'head' };
  /** Bytes of a head or chunk-size line that is not complete yet. */
  #pending?: Buffer;
  readonly #maxHeadBytes: number;

  constructor(maxHeadBytes = 64 * 1024) {
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** True between requests (nothing of a next request seen yet). */
  get idle(): boolean {
    return this.#state.at === 'head' && !this.#pending;
  }

  push(chunk: Uint8Array): ParseEvent[] {
    const events: ParseEvent[] = [];
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.#pending ? Buffer.concat([this.#pending, buffer]) : buffer;
    this.#pending = undefined;
    let offset = 0;
    while (offset < data.length) {
      const state = this.#state;
      if (state.at === 'head') {
        const end = data.indexOf(CRLFCRLF, offset);
        if (end < 0) {
          if (data.length - offset > this.#maxHeadBytes) throw new MalformedRequestError(`request head larger than ${this.#maxHeadBytes} bytes`, 431);
          this.#pending = Buffer.from(data.subarray(offset));
          break;
        }
        if (end + 4 - offset > this.#maxHeadBytes) throw new MalformedRequestError(`request head larger than ${this.#maxHeadBytes} bytes`, 431);
        const { head, framing } = parseHead(data, offset, end + 4);
        events.push({ kind: 'head', head, bytes: slice(data, offset, end + 4) });
        offset = end + 4;
        if (framing === 'chunked') this.#state = { at: 'chunk-size' };
        else if (framing > 0) this.#state = { at: 'length', remaining: framing };
        else events.push({ kind: 'end' });
        continue;
      }
      if (state.at === 'length' || state.at === 'chunk-data') {
        const take = Math.min(state.remaining, data.length - offset);
        events.push({ kind: 'body', bytes: slice(data, offset, offset + take) });
        offset += take;
        state.remaining -= take;
        if (state.remaining === 0) {
          if (state.at === 'length') {
            this.#state = { at: 'head' };
            events.push({ kind: 'end' });
          } else this.#state = { at: 'chunk-crlf', remaining: 2 };
        }
        continue;
      }
      if (state.at === 'chunk-crlf') {
        const take = Math.min(state.remaining, data.length - offset);
        events.push({ kind: 'body', bytes: slice(data, offset, offset + take) });
        offset += take;
        state.remaining -= take;
        if (state.remaining === 0) this.#state = { at: 'chunk-size' };
        continue;
      }
      // chunk-size and trailers are line based.
      const lineEnd = data.indexOf('\r\n', offset);
      if (lineEnd < 0) {
        if (data.length - offset > 4096) throw new MalformedRequestError('chunk size line too long', 400);
        this.#pending = Buffer.from(data.subarray(offset));
        break;
      }
      const line = data.toString('latin1', offset, lineEnd);
      events.push({ kind: 'body', bytes: slice(data, offset, lineEnd + 2) });
      offset = lineEnd + 2;
      if (state.at === 'chunk-size') {
        const size = Number.parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]+$/.test(line.split(';')[0].trim())) throw new MalformedRequestError(`invalid chunk size "${line.slice(0, 20)}"`, 400);
        this.#state = size === 0 ? { at: 'trailers' } : { at: 'chunk-data', remaining: size };
      } else if (line.length === 0) {
        this.#state = { at: 'head' };
        events.push({ kind: 'end' });
      }
    }
    return events;
  }
}

/**
 * Parses the head in `data[start, end)` (it ends with the blank line) in one pass over its lines, noting
 * the headers that decide the body's framing on the way.
 */
function parseHead(data: Buffer, start: number, end: number): { head: RequestHead; framing: number | 'chunked' } {
  const text = data.toString('latin1', start, end - 4);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const requestLine = text.slice(0, lineEnd);
  const match = REQUEST_LINE.exec(requestLine);
  if (!match) {
    if (/^PRI \* HTTP\/2/.test(requestLine)) throw new MalformedRequestError('HTTP/2 is not supported; use HTTP/1.1', 501);
    throw new MalformedRequestError(`malformed request line "${requestLine.slice(0, 60)}"`, 400);
  }
  const headers: [string, string][] = [];
  let encodings: string[] | undefined;
  let lengths: string[] | undefined;
  let at = lineEnd + 2;
  while (at <= text.length) {
    let next = text.indexOf('\r\n', at);
    if (next < 0) next = text.length;
    const line = text.slice(at, next);
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) throw new MalformedRequestError(`malformed header line "${line.slice(0, 60)}"`, 400);
    const value = line.slice(colon + 1).trim();
    headers.push([name, value]);
    if (name.length === 14 || name.length === 17) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') (lengths ??= []).push(value);
      else if (lower === 'transfer-encoding') (encodings ??= []).push(value);
    }
    at = next + 2;
  }
  const head = { method: match[1], path: match[2], version: match[3], headers, firstLineLength: requestLine.length + 2, headersLength: end - start - requestLine.length - 2 };
  return { head, framing: bodyFraming(encodings, lengths) };
}

/** Body length, or 'chunked'; requests without either have no body. */
function bodyFraming(encodings: string[] | undefined, lengths: string[] | undefined): number | 'chunked' {
  const encoding = encodings ? encodings.join(',').toLowerCase() : '';
  if (encoding) {
    if (/(^|,)\s*chunked\s*$/.test(encoding)) return 'chunked';
    throw new MalformedRequestError(`unsupported transfer-encoding "${encoding}"`, 501);
  }
  if (!lengths) return 0;
  if (new Set(lengths).size > 1 || !/^\d+$/.test(lengths[0])) throw new MalformedRequestError(`invalid content-length "${lengths.join(', ')}"`, 400);
  return Number(lengths[0]);
}

export function headerValue(head: RequestHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}
