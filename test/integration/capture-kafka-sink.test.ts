/**
 * The capture proxy's Kafka sink against the real broker: records that queued up together and add up to more
 * than the broker's 1 MiB request limit all arrive, in order, instead of the whole send being refused.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSink } from '../../src/capture-proxy/kafka-sink';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

test('a batch of records larger than message.max.bytes is sent in groups, in order, nothing lost', async () => {
  const topic = `capture-sink-${randomUUID()}`;
  const sink = new KafkaSink({ brokers: [endpoints.kafka], topic, clientId: 'sink-test', auth: { type: 'none' }, deliveryTimeoutMs: 20_000 });
  // Six records of 400 KB: 2.4 MB in one sendBatch, more than twice what the broker takes in one request.
  const records = Array.from({ length: 6 }, (_, i) => ({ key: 'connection-1', value: Buffer.alloc(400 * 1024, 65 + i), last: i === 5 }));
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
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of 6 records arrived within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!);
          if (received.length === 6) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  expect(received.map((value) => [value.length, value[0]])).toEqual(records.map((r) => [r.value.length, r.value[0]]));
}, 60_000);
