/**
 * Bulk bodies: action lines and `_source` bytes copied as stored, raw line breaks turned into spaces in
 * the body only, and a batch's documents handed back as views into its body.
 */
import { BulkBodyBuilder, bulkBody } from '../../../src/backfill/bulk-body';

const PRETTY = '\n\n\n{\r\n  "title": "This doc will not be changed\\nIt has multiple lines",\n  "n": 1\n}\n\n';

describe('bulkBody', () => {
  it('writes one action line and the raw _source bytes per document, with routing only when present', () => {
    // GIVEN a document with routing and ones without, for two indices (an index split by type), sources kept as bytes
    const body = bulkBody([
      { index: 'logs', id: 'a"1', routing: 'tenant-7', source: Buffer.from('{"msg":"hi"}') },
      { index: 'logs', id: 'b', source: Buffer.from('{"n":1}') },
      { index: 'logs_event', id: 'c', source: Buffer.from('{"n":2}') },
      { index: 'logs', id: 'd', source: Buffer.from('{"n":3}') },
    ]);

    // THEN the NDJSON is exactly the actions plus the untouched sources
    expect(body.toString('utf8')).toBe(
      '{"index":{"_index":"logs","_id":"a\\"1","routing":"tenant-7"}}\n{"msg":"hi"}\n{"index":{"_index":"logs","_id":"b"}}\n{"n":1}\n' +
        '{"index":{"_index":"logs_event","_id":"c"}}\n{"n":2}\n{"index":{"_index":"logs","_id":"d"}}\n{"n":3}\n',
    );
  });

  it('copies sources that are views into a larger buffer without their neighbours', () => {
    const backing = Buffer.from('xxx{"v":1}yyy');
    const body = bulkBody([{ index: 'i', id: '1', source: backing.subarray(3, 10) }]);
    expect(body.toString('utf8').split('\n')[1]).toBe('{"v":1}');
  });

  it('turns a pretty-printed _source into one line that parses to the same document', () => {
    // GIVEN a source stored with raw CR/LF between tokens and an escaped newline inside a string
    const body = bulkBody([{ index: 'i', id: '1', source: Buffer.from(PRETTY) }]);

    // THEN the body is two lines, and the parsed source (escaped newline included) is unchanged
    const lines = body.toString('utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1])).toEqual(JSON.parse(PRETTY));
  });
});

describe('BulkBodyBuilder', () => {
  it('grows past its expected size and gives back each document as a view into the body', () => {
    // GIVEN a builder expecting 10 bytes, and 300 documents of about 1 KB with ids and index names that
    // need escaping or take several bytes in UTF-8
    const builder = new BulkBodyBuilder(10);
    const sources = Array.from({ length: 300 }, (_, n) => Buffer.from(JSON.stringify({ n, text: 'é'.repeat(500) })));
    sources.forEach((source, n) => builder.add('índex"q', `id-${n}-ü`, n % 3 === 0 ? `r${n}` : undefined, source));

    // WHEN the batch is finished
    const { body, documents } = builder.finish();

    // THEN the body is exactly the documents' NDJSON, and each document's source is the same bytes in it
    expect(builder.count).toBe(300);
    expect(body.length).toBe(builder.byteLength);
    expect(body.toString('utf8')).toBe(bulkBody(documents).toString('utf8'));
    const lines = body.toString('utf8').split('\n');
    documents.forEach((d, n) => {
      expect(JSON.parse(lines[2 * n])).toEqual({ index: { _index: 'índex"q', _id: `id-${n}-ü`, ...(n % 3 === 0 ? { routing: `r${n}` } : {}) } });
      expect(Buffer.compare(d.source, sources[n])).toBe(0);
      expect(d.source.buffer).toBe(body.buffer);
    });
  });

  it('replaces line breaks in the body, leaving the bytes it was given as they are', () => {
    // GIVEN a pretty-printed source that is a view into a buffer other documents share (a decompressed chunk)
    const chunk = Buffer.from(`${PRETTY}{"next":1}`);
    const source = chunk.subarray(0, PRETTY.length);
    const builder = new BulkBodyBuilder(0);

    // WHEN added
    builder.add('i', '1', undefined, source);
    const { documents } = builder.finish();

    // THEN the document in the batch is one line, and the chunk is untouched
    expect(Buffer.from(documents[0].source).includes(0x0a)).toBe(false);
    expect(Buffer.from(documents[0].source).includes(0x0d)).toBe(false);
    expect(chunk.toString('utf8')).toBe(`${PRETTY}{"next":1}`);
  });
});
