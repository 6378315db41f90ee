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

export class RequestParser {
  #state: State = { at: 'head' };
  #pending: Buffer = Buffer.alloc(0);
  readonly #maxHeadBytes: number;

  constructor(maxHeadBytes = 64 * 1024) {
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** True between requests (nothing of a next request seen yet). */
  get idle(): boolean {
    return this.#state.at === 'head' && this.#pending.length === 0;
  }

  push(chunk: Uint8Array): ParseEvent[] {
    const events: ParseEvent[] = [];
    let data = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pending = Buffer.alloc(0);
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
        const headBytes = data.subarray(offset, end + 4);
        if (headBytes.length > this.#maxHeadBytes) throw new MalformedRequestError(`request head larger than ${this.#maxHeadBytes} bytes`, 431);
        const head = parseHead(headBytes);
        events.push({ kind: 'head', head, bytes: headBytes });
        offset = end + 4;
        const framing = bodyFraming(head);
        if (framing === 'chunked') this.#state = { at: 'chunk-size' };
        else if (framing > 0) this.#state = { at: 'length', remaining: framing };
        else events.push({ kind: 'end' });
        continue;
      }
      if (state.at === 'length' || state.at === 'chunk-data') {
        const take = Math.min(state.remaining, data.length - offset);
        events.push({ kind: 'body', bytes: data.subarray(offset, offset + take) });
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
        events.push({ kind: 'body', bytes: data.subarray(offset, offset + take) });
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
      const line = data.subarray(offset, lineEnd).toString('latin1');
      events.push({ kind: 'body', bytes: data.subarray(offset, lineEnd + 2) });
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
    data = Buffer.alloc(0);
    return events;
  }
}

function parseHead(bytes: Uint8Array): RequestHead {
  const text = Buffer.from(bytes).toString('latin1');
  const lines = text.slice(0, -4).split('\r\n');
  const requestLine = lines[0];
  const match = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(requestLine);
  if (!match) {
    if (/^PRI \* HTTP\/2/.test(requestLine)) throw new MalformedRequestError('HTTP/2 is not supported; use HTTP/1.1', 501);
    throw new MalformedRequestError(`malformed request line "${requestLine.slice(0, 60)}"`, 400);
  }
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) throw new MalformedRequestError(`malformed header line "${line.slice(0, 60)}"`, 400);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { method: match[1], path: match[2], version: match[3], headers, firstLineLength: requestLine.length + 2, headersLength: bytes.length - requestLine.length - 2 };
}

function header(head: RequestHead, name: string): string[] {
  return head.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

/** Body length, or 'chunked'; requests without either have no body. */
function bodyFraming(head: RequestHead): number | 'chunked' {
  const encoding = header(head, 'transfer-encoding').join(',').toLowerCase();
  if (encoding) {
    if (/(^|,)\s*chunked\s*$/.test(encoding)) return 'chunked';
    throw new MalformedRequestError(`unsupported transfer-encoding "${encoding}"`, 501);
  }
  const lengths = header(head, 'content-length');
  if (lengths.length === 0) return 0;
  if (new Set(lengths).size > 1 || !/^\d+$/.test(lengths[0])) throw new MalformedRequestError(`invalid content-length "${lengths.join(', ')}"`, 400);
  return Number(lengths[0]);
}

export function headerValue(head: RequestHead, name: string): string | undefined {
  return header(head, name.toLowerCase())[0];
}
