/**
 * The capture proxy's Kafka sink against the real broker: records that queued up together and add up to more
 * than the broker's 1 MiB request limit all arrive, in order, instead of the whole send being refused; and
 * with gzip the batches are stored compressed and read back by an ordinary consumer.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { type CaptureRecord, wholeRecord } from '../../src/capture-proxy/connection-capture';
import { KafkaSink, type KafkaCompression } from '../../src/capture-proxy/kafka-sink';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

/** Sends the records through a sink of its own, then reads the topic back with a plain consumer. */
async function roundTrip(topic: string, records: CaptureRecord[], compression: KafkaCompression): Promise<Buffer[]> {
  const sink = new KafkaSink({ brokers: [endpoints.kafka], topic, clientId: 'sink-test', auth: { type: 'none' }, deliveryTimeoutMs: 20_000, compression });
  try {
    await sink.sendBatch(records);
  } finally {
    await sink.close();
  }
  const kafka = new Kafka({ clientId: 'sink-test-reader', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `sink-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Buffer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${records.length} records arrived within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!);
          if (received.length === records.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Bytes the broker keeps in its log for the topic's single partition. */
function storedBytes(topic: string): number {
  if (!endpoints.kafkaDataDir) throw new Error('the test bed published no kafkaDataDir');
  const dir = join(endpoints.kafkaDataDir, `${topic}-0`);
  return readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

// Six records of 400 KB: 2.4 MB in one sendBatch, more than twice what the broker takes in one request.
const records = (): CaptureRecord[] => Array.from({ length: 6 }, (_, i) => wholeRecord('connection-1', Buffer.alloc(400 * 1024, 65 + i), i === 5));

test('a batch of records larger than message.max.bytes is sent in groups, in order, nothing lost', async () => {
  const topic = `capture-sink-${randomUUID()}`;
  const sent = records();
  const received = await roundTrip(topic, sent, 'none');
  expect(received.map((value) => [value.length, value[0]])).toEqual(sent.map((r) => [r.value.length, r.value[0]]));
  expect(storedBytes(topic)).toBeGreaterThan(6 * 400 * 1024);
}, 60_000);

test('with gzip the broker stores the batches compressed, and a plain consumer reads every record back', async () => {
  const topic = `capture-sink-gzip-${randomUUID()}`;
  const sent = records();
  const received = await roundTrip(topic, sent, 'gzip');
  expect(received.map((value) => [value.length, value.equals(sent[received.indexOf(value)].value)])).toEqual(sent.map((r) => [r.value.length, true]));
  expect(storedBytes(topic)).toBeLessThan((6 * 400 * 1024) / 20);
}, 60_000);
