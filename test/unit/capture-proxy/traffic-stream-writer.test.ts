/** The incremental record writer produces exactly the bytes of the schema encoder, and records decode back. */
import { decodeTrafficStream, encodeTrafficStream, timestamp, type TrafficObservation, type TrafficStream } from '../../../src/capture-proxy/traffic-stream';
import { joinPieces, TrafficStreamWriter } from '../../../src/capture-proxy/traffic-stream-writer';
import { varintSize } from '../../../src/capture-proxy/varint';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0, 789);

describe('TrafficStreamWriter', () => {
  it('writes every kind of observation byte for byte as the schema encoder does', () => {
    // GIVEN one record with each observation the proxy emits, at several times (including a whole second)
    const writer = new TrafficStreamWriter('conn-ß-1', 'node-1', 1 << 20);
    const read = Buffer.from('GET / HTTP/1.1\r\nhost: a\r\n\r\n');
    const large = Buffer.alloc(200_000, 0x61);
    const expected: TrafficObservation[] = [];
    const at = (i: number) => (i === 2 ? 1_000_000_000_000 : T0 + i * 1001);
    writer.data('read', at(0), read);
    expected.push({ ts: timestamp(at(0)), read: { data: read } });
    writer.endOfMessage(at(1), 16, 11);
    expected.push({ ts: timestamp(at(1)), endOfMessageIndicator: { firstLineByteLength: 16, headersByteLength: 11 } });
    writer.data('write', at(2), large);
    expected.push({ ts: timestamp(at(2)), write: { data: large } });
    writer.data('readSegment', at(3), read.subarray(0, 5));
    expected.push({ ts: timestamp(at(3)), readSegment: { data: read.subarray(0, 5) } });
    writer.data('writeSegment', at(4), read.subarray(5));
    expected.push({ ts: timestamp(at(4)), writeSegment: { data: read.subarray(5) } });
    writer.empty('segmentEnd', at(5));
    expected.push({ ts: timestamp(at(5)), segmentEnd: {} });
    writer.endOfMessage(at(6), -1, -1);
    expected.push({ ts: timestamp(at(6)), endOfMessageIndicator: { firstLineByteLength: -1, headersByteLength: -1 } });
    writer.empty('requestDropped', at(7));
    expected.push({ ts: timestamp(at(7)), requestDropped: {} });
    writer.exception(at(8), 'upstream: connect ECONNREFUSED — ünïcode');
    expected.push({ ts: timestamp(at(8)), connectionException: { message: 'upstream: connect ECONNREFUSED — ünïcode' } });
    writer.empty('close', at(9));
    expected.push({ ts: timestamp(at(9)), close: {} });

    // WHEN the record is finished as the last of its connection, after 300 requests, ending inside a request
    const bytes = joinPieces(writer.finish({ index: 7, last: true, priorRequestsReceived: 300, lastObservationWasUnterminatedRead: true }));

    // THEN the bytes are the schema encoder's, and they decode to the same record
    const reference: TrafficStream = { connectionId: 'conn-ß-1', nodeId: 'node-1', priorRequestsReceived: 300, lastObservationWasUnterminatedRead: true, subStream: expected, numberOfThisLastChunk: 7 };
    expect(Buffer.from(bytes).equals(Buffer.from(encodeTrafficStream(reference)))).toBe(true);
    const decoded = decodeTrafficStream(bytes);
    expect(decoded.subStream).toHaveLength(10);
    expect(decoded.numberOfThisLastChunk).toBe(7);
  });

  it('writes a numbered record without the optional fields, then starts the next record afresh', () => {
    const writer = new TrafficStreamWriter('c', 'n', 4096);
    writer.data('read', T0, Buffer.from('x'));
    const first = joinPieces(writer.finish({ index: 1, last: false, priorRequestsReceived: 0, lastObservationWasUnterminatedRead: false }));
    expect(writer.observations).toBe(0);
    expect(writer.size).toBe(0);
    writer.empty('close', T0);
    const second = joinPieces(writer.finish({ index: 2, last: true, priorRequestsReceived: 1, lastObservationWasUnterminatedRead: false }));

    expect(Buffer.from(first).equals(Buffer.from(encodeTrafficStream({ connectionId: 'c', nodeId: 'n', subStream: [{ ts: timestamp(T0), read: { data: Buffer.from('x') } }], number: 1 })))).toBe(true);
    expect(Buffer.from(second).equals(Buffer.from(encodeTrafficStream({ connectionId: 'c', nodeId: 'n', priorRequestsReceived: 1, subStream: [{ ts: timestamp(T0), close: {} }], numberOfThisLastChunk: 2 })))).toBe(true);
  });

  it('writes the same bytes when small and large data alternate across many buffers', () => {
    // GIVEN thousands of small observations (several buffers' worth) around data large enough to be kept by reference
    const writer = new TrafficStreamWriter('c', 'n', 1 << 20);
    const expected: TrafficObservation[] = [];
    for (let i = 0; i < 3000; i++) {
      const data = Buffer.alloc(i % 500 === 0 ? 5000 + i : 1 + (i % 40), i % 251);
      writer.data(i % 2 ? 'write' : 'read', T0 + i, data);
      expected.push({ ts: timestamp(T0 + i), ...(i % 2 ? { write: { data } } : { read: { data } }) } as TrafficObservation);
    }
    // WHEN the record is finished
    const bytes = joinPieces(writer.finish({ index: 3, last: false, priorRequestsReceived: 2, lastObservationWasUnterminatedRead: false }));
    // THEN it is the schema encoder's record, byte for byte
    const reference = encodeTrafficStream({ connectionId: 'c', nodeId: 'n', priorRequestsReceived: 2, subStream: expected, number: 3 });
    expect(Buffer.from(bytes).equals(Buffer.from(reference))).toBe(true);
  });

  it('leaves out what proto3 leaves out: zero timestamp fields, an empty message', () => {
    const writer = new TrafficStreamWriter('c', 'n', 4096);
    writer.exception(0, '');
    writer.data('write', 5000, Buffer.alloc(0));
    const bytes = joinPieces(writer.finish({ index: 1, last: false, priorRequestsReceived: 0, lastObservationWasUnterminatedRead: false }));
    const subStream = [
      { ts: timestamp(0), connectionException: { message: '' } },
      { ts: timestamp(5000), write: { data: Buffer.alloc(0) } },
    ] as TrafficObservation[];
    expect(Buffer.from(bytes).equals(Buffer.from(encodeTrafficStream({ connectionId: 'c', nodeId: 'n', subStream, number: 1 })))).toBe(true);
  });

  it('keeps each record within its bound when filled to its capacity', () => {
    const writer = new TrafficStreamWriter('connection-with-a-long-id-0123456789', 'node-with-a-long-id', 8192);
    writer.data('read', T0, Buffer.alloc(writer.capacity - 40));
    const record = joinPieces(writer.finish({ index: 2 ** 31 - 1, last: false, priorRequestsReceived: 2 ** 31 - 1, lastObservationWasUnterminatedRead: true }));
    expect(record.length).toBeLessThanOrEqual(8192);
    expect(decodeTrafficStream(record).number).toBe(2 ** 31 - 1);
  });

  it('sizes varints as protobuf does', () => {
    expect([0, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 35].map(varintSize)).toEqual([1, 1, 2, 2, 3, 5, 6]);
  });
});
