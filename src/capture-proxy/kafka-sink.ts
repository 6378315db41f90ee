/**
 * Capture records to Kafka (topic `logging-traffic-topic` by default), keyed by connection id so a
 * connection stays on one partition, acknowledged by every in-sync replica. Records of one connection are
 * sent one after another, in order. Kafka being down never blocks the proxy: a send that is not
 * acknowledged within the delivery timeout fails, and the next send tries again from scratch. Refused
 * credentials and an untrusted broker certificate fail each send with a sentence saying which.
 */
import type { CompressionTypes as CompressionType, KafkaConfig, Producer, SASLOptions } from 'kafkajs';
import { certificateRefusal } from '../common/tls-certificate-errors';
import type { CaptureRecord } from './connection-capture';
import type { CaptureSink } from './capture-sink';
import { CompressionTypes, Kafka, kafkaEncodingTuning, logLevel } from './kafka-client';
import { PiecedBytes } from './kafka-produce-request';
import { keyPartitioner } from './key-partitioner';

export type KafkaAuth = { type: 'none' } | { type: 'tls' } | { type: 'scram-sha-512'; username: string; password: string } | { type: 'msk-iam'; region: string };

/** Record-batch compression: gzip is kafkajs's own codec, run by zlib in libuv's thread pool. */
export type KafkaCompression = 'none' | 'gzip';

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  clientId: string;
  auth: KafkaAuth;
  /** PEM CA certificates trusted for the brokers' TLS instead of the system ones (not with auth `none`). */
  caCert?: string;
  deliveryTimeoutMs: number;
  /** @default 'none' */
  compression?: KafkaCompression;
}

async function saslFor(auth: KafkaAuth): Promise<SASLOptions | undefined> {
  if (auth.type === 'scram-sha-512') return { mechanism: 'scram-sha-512', username: auth.username, password: auth.password };
  if (auth.type === 'msk-iam') {
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region: auth.region })).token }),
    };
  }
  return undefined;
}

/**
 * Kafka refuses a record batch larger than the broker's `message.max.bytes` (1 MiB by default), and one send
 * becomes one batch per partition, so records that queued up together are sent in groups below that size.
 * A record is at most `maxTrafficBufferSize` (1 MiB by default, its framing included), so it fits alone.
 */
export const MAX_SEND_BYTES = 900 * 1024;
const PER_MESSAGE_OVERHEAD = 64;

export function sendGroups(records: CaptureRecord[], maxBytes = MAX_SEND_BYTES): CaptureRecord[][] {
  const groups: CaptureRecord[][] = [];
  let current: CaptureRecord[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = record.size + Buffer.byteLength(record.key) + PER_MESSAGE_OVERHEAD;
    if (current.length > 0 && size + bytes > maxBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function tlsFor(options: KafkaSinkOptions): KafkaConfig['ssl'] {
  if (options.auth.type === 'none') return false;
  return options.caCert ? { ca: [options.caCert] } : true;
}

/** A failed connection as a sentence that names the brokers and, for credentials and certificates, the fix. */
export function connectFailure(error: unknown, options: KafkaSinkOptions): Error {
  const brokers = options.brokers.join(',');
  const causes: unknown[] = [];
  for (let e = error; e instanceof Error && causes.length < 8; e = e.cause) causes.push(e);
  const refusedAuth = causes.find((e): e is Error => (e as Error).name === 'KafkaJSSASLAuthenticationError');
  if (refusedAuth) {
    const who = options.auth.type === 'scram-sha-512' ? `the SCRAM-SHA-512 credentials of user "${options.auth.username}"` : 'the credentials';
    return new Error(`Kafka brokers ${brokers} refused ${who} (${refusedAuth.message})`, { cause: error });
  }
  const refused = certificateRefusal(error);
  if (refused) {
    const fix = refused.hostnameMismatch ? 'give the brokers under a name their certificate holds' : 'give its CA with --kafkaCaCertFile';
    return new Error(`the TLS certificate of Kafka brokers ${brokers} is not trusted (${refused.reason}): ${fix}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export class KafkaSink implements CaptureSink {
  readonly description: string;
  readonly #options: KafkaSinkOptions;
  #producer?: Promise<Producer>;
  readonly #compression: CompressionType;

  constructor(options: KafkaSinkOptions) {
    this.#options = options;
    this.#compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.description = `Kafka ${options.brokers.join(',')} topic ${options.topic}`;
  }

  #connect(): Promise<Producer> {
    this.#producer ??= (async () => {
      const auth = this.#options.auth;
      const kafka = new Kafka({
        clientId: this.#options.clientId,
        brokers: this.#options.brokers,
        ssl: tlsFor(this.#options),
        sasl: await saslFor(auth),
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: this.#options.deliveryTimeoutMs,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 5, createPartitioner: keyPartitioner });
      try {
        await producer.connect();
      } catch (error) {
        throw connectFailure(error, this.#options);
      }
      return producer;
    })();
    this.#producer.catch(() => {
      this.#producer = undefined;
    });
    return this.#producer;
  }

  send(record: CaptureRecord): Promise<void> {
    return this.sendBatch([record]);
  }

  async sendBatch(records: CaptureRecord[]): Promise<void> {
    const attempt = (async () => {
      const producer = await this.#connect();
      // One request after another keeps the records of a connection in order.
      for (const group of sendGroups(records)) {
        // kafkajs hands message values to the encoder untouched, so a PiecedBytes passes through its types only.
        const messages = group.map((r) => ({ key: r.key, value: this.#value(r) as Buffer }));
        await producer.send({ topic: this.#options.topic, acks: -1, compression: this.#compression, messages });
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${this.#options.deliveryTimeoutMs} ms`)), this.#options.deliveryTimeoutMs);
    });
    try {
      await Promise.race([attempt, timeout]);
    } catch (error) {
      // Start over with a fresh producer next time: kafkajs keeps a broken one broken.
      const broken = this.#producer;
      this.#producer = undefined;
      void broken?.then((p) => p.disconnect()).catch(() => undefined);
      attempt.catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A record as the message value kafkajs passes to the encoder: in its pieces when the one-pass encoder
   * writes the request (it copies them straight into it), else joined into one buffer.
   */
  #value(record: CaptureRecord): Buffer | PiecedBytes {
    if (record.pieces.length > 1 && this.#compression === CompressionTypes.None && kafkaEncodingTuning.produceRequest) return new PiecedBytes(record.pieces, record.size);
    const value = record.value;
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  async close(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
