/** Records of one connection: segments for large reads, request counters, and the close record. */
import { ConnectionCapture } from '../../../src/capture-proxy/connection-capture';
import { decodeTrafficStream, type TrafficStream } from '../../../src/capture-proxy/traffic-stream';
import { readLengthPrefixed } from '../../../src/capture-proxy/file-sink';
import { varint } from '../../../src/capture-proxy/varint';

const decode = (records: readonly { value: Uint8Array }[]): TrafficStream[] => records.map((r) => decodeTrafficStream(r.value));
const kinds = (s: TrafficStream) => s.subStream.map((o) => Object.keys(o).find((k) => k !== 'ts'));

describe('ConnectionCapture', () => {
  it('splits a read larger than a record into segments ending with a segment end', () => {
    // GIVEN records of at most 4 KiB
    const capture = new ConnectionCapture('c1', 'node', 4096, () => 1000);
    const body = Buffer.alloc(10_000, 7);

    // WHEN a 10 KB read and its end of message arrive, then the connection closes
    const records = decode([...capture.read(body), ...capture.endOfMessage(10, 20), ...capture.close()]);

    // THEN the pieces rebuild the read, numbered records precede the last one, which closes
    const pieces = records.flatMap((r) => r.subStream.map((o) => (o as { readSegment?: { data: Buffer } }).readSegment?.data).filter(Boolean)) as Buffer[];
    expect(Buffer.concat(pieces).equals(body)).toBe(true);
    expect(records.slice(0, -1).map((r) => r.number)).toEqual(records.slice(0, -1).map((_, i) => i + 1));
    expect(records[records.length - 1].numberOfThisLastChunk).toBe(records.length);
    expect(kinds(records[records.length - 1]).slice(-3)).toEqual(['segmentEnd', 'endOfMessageIndicator', 'close']);
    // Records that start in the middle of the request say so.
    expect(records[1].lastObservationWasUnterminatedRead).toBe(true);
  });

  it('hands a record over in the pieces it was written in, large data by reference, joined only when read whole', () => {
    // GIVEN a capture that receives a small read, a large one (kept by reference), and a small write
    const capture = new ConnectionCapture('c3', 'node', 1 << 20, () => 1000);
    const large = Buffer.alloc(100_000, 9);
    capture.read(Buffer.from('POST /_bulk HTTP/1.1\r\n\r\n'));
    capture.read(large);
    capture.endOfMessage(20, 2);
    capture.write(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));

    // WHEN its record is flushed
    const [record] = capture.flush();

    // THEN the pieces hold the large read itself, their sizes add up, and joined they are the record's bytes
    expect(record.pieces.length).toBeGreaterThan(1);
    expect(record.pieces).toContain(large);
    expect(record.size).toBe(record.pieces.reduce((n, p) => n + p.length, 0));
    expect(Buffer.from(record.value).equals(Buffer.concat(record.pieces))).toBe(true);
    expect(record.value.length).toBe(record.size);
    const observations = decodeTrafficStream(record.value).subStream;
    expect(observations.map((o) => Object.keys(o).find((k) => k !== 'ts'))).toEqual(['read', 'read', 'endOfMessageIndicator', 'write']);
  });

  it('counts completed requests before each record', () => {
    const capture = new ConnectionCapture('c2', 'node', 1 << 20);
    capture.read(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    capture.endOfMessage(16, 2);
    capture.write(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
    const [first] = decode(capture.flush());
    capture.read(Buffer.from('GET /a HTTP/1.1\r\n\r\n'));
    capture.endOfMessage(17, 2);
    const [second] = decode(capture.flush());
    const [last] = decode(capture.close());
    expect(first.priorRequestsReceived).toBeUndefined();
    expect(second.priorRequestsReceived).toBe(1);
    expect(last.priorRequestsReceived).toBe(2);
    expect(kinds(first)).toEqual(['read', 'endOfMessageIndicator', 'write']);
    expect(capture.flush()).toEqual([]);
  });

  it('frames file records with varint lengths that read back', () => {
    const a = Buffer.alloc(300, 1);
    const b = Buffer.alloc(5, 2);
    const file = Buffer.concat([varint(a.length), a, varint(b.length), b]);
    expect(varint(300)).toEqual(Buffer.from([0xac, 0x02]));
    expect(readLengthPrefixed(file).map((r) => Buffer.from(r))).toEqual([a, b]);
  });

  it('captures nothing after the close record, and holds nothing back', () => {
    const capture = new ConnectionCapture('c3', 'node', 1 << 20);
    capture.read(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(decode(capture.close())).toHaveLength(1);
    expect([...capture.write(Buffer.alloc(5000)), ...capture.endOfMessage(1, 2), ...capture.exception('late'), ...capture.requestDropped()]).toEqual([]);
    expect(capture.pendingBytes).toBe(0);
    expect(capture.hasPending).toBe(false);
  });
});
