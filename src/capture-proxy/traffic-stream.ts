/**
 * The capture record format: `TrafficStream` protobuf messages, wire-compatible with the reference
 * replayer (same field numbers and types as its TrafficCaptureStream.proto, written here as our own schema).
 */
import { Root, type Type } from 'protobufjs';

const schema = {
  nested: {
    google: { nested: { protobuf: { nested: { Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } } } } } },
    capture: {
      nested: {
        Empty: { fields: {} },
        Data1: { fields: { data: { type: 'bytes', id: 1 } } },
        Data2: { fields: { data: { type: 'bytes', id: 2 } } },
        ReleasedDownstream: { fields: { timedOut: { type: 'bool', id: 1 } } },
        ConnectionException: { fields: { message: { type: 'string', id: 1 } } },
        EndOfMessage: {
          oneofs: { _firstLineByteLength: { oneof: ['firstLineByteLength'] }, _headersByteLength: { oneof: ['headersByteLength'] } },
          fields: { firstLineByteLength: { type: 'int32', id: 1, options: { proto3_optional: true } }, headersByteLength: { type: 'int32', id: 2, options: { proto3_optional: true } } },
        },
        TrafficObservation: {
          oneofs: { Capture: { oneof: ['bind', 'connect', 'read', 'readSegment', 'requestReleasedDownstream', 'write', 'writeSegment', 'disconnect', 'close', 'connectionException', 'segmentEnd', 'endOfMessageIndicator', 'requestDropped'] } },
          fields: {
            ts: { type: 'google.protobuf.Timestamp', id: 1 },
            bind: { type: 'Empty', id: 2 },
            connect: { type: 'Empty', id: 3 },
            read: { type: 'Data1', id: 4 },
            readSegment: { type: 'Data2', id: 5 },
            requestReleasedDownstream: { type: 'ReleasedDownstream', id: 6 },
            write: { type: 'Data1', id: 8 },
            writeSegment: { type: 'Data2', id: 9 },
            disconnect: { type: 'Empty', id: 10 },
            close: { type: 'Empty', id: 11 },
            connectionException: { type: 'ConnectionException', id: 12 },
            segmentEnd: { type: 'Empty', id: 14 },
            endOfMessageIndicator: { type: 'EndOfMessage', id: 15 },
            requestDropped: { type: 'Empty', id: 16 },
          },
        },
        TrafficStream: {
          oneofs: {
            index: { oneof: ['number', 'numberOfThisLastChunk'] },
            _priorRequestsReceived: { oneof: ['priorRequestsReceived'] },
            _lastObservationWasUnterminatedRead: { oneof: ['lastObservationWasUnterminatedRead'] },
          },
          fields: {
            connectionId: { type: 'string', id: 1 },
            subStream: { rule: 'repeated', type: 'TrafficObservation', id: 2 },
            number: { type: 'int32', id: 3 },
            numberOfThisLastChunk: { type: 'int32', id: 4 },
            nodeId: { type: 'string', id: 5 },
            priorRequestsReceived: { type: 'int32', id: 6, options: { proto3_optional: true } },
            lastObservationWasUnterminatedRead: { type: 'bool', id: 7, options: { proto3_optional: true } },
          },
        },
      },
    },
  },
};

const root = Root.fromJSON(schema);
const TrafficStreamType: Type = root.lookupType('capture.TrafficStream');

export type ObservationKind =
  | { read: { data: Uint8Array } }
  | { readSegment: { data: Uint8Array } }
  | { write: { data: Uint8Array } }
  | { writeSegment: { data: Uint8Array } }
  | { segmentEnd: Record<string, never> }
  | { endOfMessageIndicator: { firstLineByteLength?: number; headersByteLength?: number } }
  | { close: Record<string, never> }
  | { connectionException: { message: string } }
  | { requestDropped: Record<string, never> };

export type TrafficObservation = { ts: { seconds: number; nanos: number } } & ObservationKind;

export interface TrafficStream {
  connectionId: string;
  nodeId: string;
  priorRequestsReceived?: number;
  lastObservationWasUnterminatedRead?: boolean;
  subStream: TrafficObservation[];
  number?: number;
  numberOfThisLastChunk?: number;
}

/** The schema's own encoder: the reference `TrafficStreamWriter` (which the proxy uses) is checked against. */
export function encodeTrafficStream(stream: TrafficStream): Uint8Array {
  return TrafficStreamType.encode(TrafficStreamType.fromObject(stream)).finish();
}

export function decodeTrafficStream(bytes: Uint8Array): TrafficStream {
  const message = TrafficStreamType.decode(bytes);
  return TrafficStreamType.toObject(message, { longs: Number, bytes: Buffer, defaults: false, oneofs: false }) as TrafficStream;
}

export function timestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
