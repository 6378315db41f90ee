/** The request framer finds every request boundary, whatever way the bytes are cut, and refuses bad input. */
import { MalformedRequestError, RequestParser, type ParseEvent } from '../../../src/capture-proxy/request-parser';

const stream = Buffer.from(
  'GET / HTTP/1.1\r\nHost: a\r\n\r\n' +
    'PUT /i/_doc/1 HTTP/1.1\r\nContent-Length: 7\r\n\r\n{"a":1}' +
    'POST /_bulk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n' +
    'DELETE /i HTTP/1.1\r\n\r\n',
);

function run(pieces: Buffer[]): { events: ParseEvent[]; bytes: Buffer } {
  const parser = new RequestParser();
  const events = pieces.flatMap((p) => parser.push(p));
  const bytes = Buffer.concat(events.filter((e) => e.kind !== 'end').map((e) => Buffer.from((e as { bytes: Uint8Array }).bytes)));
  return { events, bytes };
}

describe('RequestParser', () => {
  it.each([1, 3, 7, 1000])('frames four requests when fed %i bytes at a time, keeping every byte', (size) => {
    const pieces: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) pieces.push(stream.subarray(i, i + size));
    const { events, bytes } = run(pieces);
    expect(events.filter((e) => e.kind === 'head').map((e) => (e.kind === 'head' ? `${e.head.method} ${e.head.path}` : ''))).toEqual(['GET /', 'PUT /i/_doc/1', 'POST /_bulk', 'DELETE /i']);
    expect(events.filter((e) => e.kind === 'end')).toHaveLength(4);
    expect(bytes.equals(stream)).toBe(true);
  });

  it('reports the request line and header lengths for end-of-message markers', () => {
    const [head] = new RequestParser().push(Buffer.from('GET /x HTTP/1.1\r\nA: b\r\n\r\n'));
    expect(head).toMatchObject({ kind: 'head', head: { firstLineLength: 17, headersLength: 8 } });
  });

  it.each([
    ['garbage\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nbad header\r\n\r\n', 400],
    ['POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', 400],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 501],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 501],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
  ])('refuses %j with %i', (input, status) => {
    expect(() => new RequestParser().push(Buffer.from(input))).toThrow(expect.objectContaining({ status }));
  });

  it('refuses a head larger than the limit with 431', () => {
    const parser = new RequestParser(1024);
    expect(() => parser.push(Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}`))).toThrow(MalformedRequestError);
  });

  it('survives random bytes without hanging or accepting garbage silently (bounded fuzz)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 500; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      try {
        const events = new RequestParser(4096).push(bytes);
        for (const e of events) if (e.kind === 'head') expect(e.head.method).toMatch(/^[A-Z]+$/);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedRequestError);
      }
    }
  });
});
