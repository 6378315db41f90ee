/**
 * kafkajs's idle timer loop, against the real broker: once stopped, a connected producer sets no timers
 * while it has nothing to send (kafkajs 2.2.4 alone sets one every millisecond), and requests that have to
 * wait in its queue (more than the in-flight limit) are still all sent.
 */
import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { stopKafkajsIdleLoop } from '../../src/common/kafkajs-idle-loop';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

/** Timers created anywhere in this process while `ms` pass. */
async function timersCreatedDuring(ms: number): Promise<number> {
  let timers = 0;
  const hook = createHook({
    init: (_id, type) => {
      if (type === 'Timeout') timers++;
    },
  }).enable();
  try {
    await sleep(ms);
  } finally {
    hook.disable();
  }
  return timers - 1; // the sleep's own
}

let producer: Producer;

beforeAll(async () => {
  expect(stopKafkajsIdleLoop()).toBe(true);
  expect(stopKafkajsIdleLoop()).toBe(true);
  const kafka = new Kafka({ clientId: 'idle-loop-test', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
  producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
});

test('a connected producer with nothing to send sets no timers', async () => {
  const topic = `idle-loop-${randomUUID()}`;
  await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] });
  await sleep(50);

  // kafkajs's own request-timeout check runs every 100 ms per connection; its idle loop set about 500 in 500 ms.
  expect(await timersCreatedDuring(500)).toBeLessThan(20);
}, 60_000);

test('requests over the in-flight limit wait in the queue and are all sent', async () => {
  const topic = `idle-loop-queue-${randomUUID()}`;
  await producer.send({ topic, acks: -1, messages: [{ value: 'create' }] });

  // One request in flight at a time: the other nineteen wait in kafkajs's queue.
  const values = Array.from({ length: 20 }, (_, i) => `m${i}`);
  await Promise.all(values.map((value) => producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] })));

  const kafka = new Kafka({ clientId: 'idle-loop-reader', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(topic);
    expect(Number(partition.high)).toBe(21);
  } finally {
    await admin.disconnect();
  }
}, 60_000);
