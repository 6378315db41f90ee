/** Where capture records go. `send` resolves once the record is durable (Kafka acknowledged it, or written). */
import type { CaptureRecord } from './connection-capture';

export interface CaptureSink {
  readonly description: string;
  send(record: CaptureRecord): Promise<void>;
  close(): Promise<void>;
}
