/** Where capture records go. `send` resolves once the record is durable (Kafka acknowledged it, or written). */
import type { CaptureRecord } from './connection-capture';

export interface CaptureSink {
  readonly description: string;
  send(record: CaptureRecord): Promise<void>;
  /** Several records in order, in as few round trips as the sink allows; all durable when it resolves. */
  sendBatch(records: CaptureRecord[]): Promise<void>;
  close(): Promise<void>;
}
