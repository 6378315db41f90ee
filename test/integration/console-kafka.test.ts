/**
 * `console kafka …` end to end against the test bed's Kafka broker: topics created, described, counted
 * and deleted (with and without the confirmation), a consumer group's lag as it commits, and a closed
 * port as an unreachable broker. Topic and group names are unique per run, so the shared broker's other
 * topics and groups do not matter.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { DELETE_TOPIC_QUESTION } from '../../src/console/commands/kafka/delete-topic';
import type { DescribeConsumerGroupResult } from '../../src/console/commands/kafka/describe-consumer-group';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const dir = mkdtempSync(join(tmpdir(), 'ma-console-kafka-'));
const id = randomUUID().slice(0, 8);
const topic = `console-kafka-${id}`;
const defaultsTopic = `console-kafka-defaults-${id}`;
const group = `console-kafka-group-${id}`;
const kafka = new Kafka({ clientId: 'console-kafka-test', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
let config: string;
let brokerId: number;

function services(name: string, brokers: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `kafka:\n  broker_endpoints: ${brokers}\n  standard:\n`);
  return path;
}

const kafkaCommand = (args: string[], input?: string) => runConsole(['--config-file', config, 'kafka', ...args], input);
const kafkaJson = (args: string[], input?: string) => runConsole(['--config-file', config, '--json', 'kafka', ...args], input);

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  config = services('testbed', endpoints.kafka);
  await admin.connect();
  brokerId = (await admin.describeCluster()).brokers[0].nodeId;
});

afterAll(async () => {
  const left = (await admin.listTopics()).filter((t) => t === topic || t === defaultsTopic);
  if (left.length) await admin.deleteTopics({ topics: left });
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe('topics', () => {
  it('create-topic creates what was asked, takes the broker defaults otherwise, and refuses an existing topic', async () => {
    const created = await kafkaCommand(['create-topic', topic, '--partitions', '2', '--replication-factor', '1']);
    expect(created).toEqual({ exitCode: 0, stdout: `Created topic ${topic} with 2 partitions and replication factor 1.\n`, stderr: '' });

    // The test bed broker has num.partitions=1 and a single node.
    const defaults = await kafkaJson(['create-topic', defaultsTopic]);
    expect(defaults.exitCode).toBe(0);
    expect(envelope(defaults.stdout, 'kafka create-topic')).toEqual({ version: 1, command: 'kafka create-topic', status: 0, result: { topic: defaultsTopic, partitions: 1, replicationFactor: 1 } });

    const again = await kafkaCommand(['create-topic', topic, '--partitions', '3']);
    expect(again).toEqual({ exitCode: 1, stdout: '', stderr: `Error: topic "${topic}" already exists; nothing was changed\n` });
    const againJson = await kafkaJson(['create-topic', topic]);
    expect(againJson.exitCode).toBe(1);
    expect(envelope(againJson.stdout, 'kafka create-topic')).toMatchObject({ status: 1, error: { code: 'MA_KAFKA_TOPIC_EXISTS' } });
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions).toHaveLength(2);
  });

  it('refuses a partition count that is not a whole number ≥ 1 as bad usage', async () => {
    const run = await kafkaCommand(['create-topic', `never-${id}`, '--partitions', '0']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("option '--partitions <n>' argument '0' is invalid. must be a whole number ≥ 1");
    expect(await admin.listTopics()).not.toContain(`never-${id}`);
  });

  it('list-topics and describe-topic show the new topic, its partitions, leader and replicas', async () => {
    const list = await kafkaCommand(['list-topics']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining([topic, defaultsTopic]));
    const listJson = envelope<{ result: { topics: string[] } }>((await kafkaJson(['list-topics'])).stdout, 'kafka list-topics');
    expect(listJson.result.topics).toEqual(expect.arrayContaining([topic, defaultsTopic]));
    expect(listJson.result.topics.filter((t) => t.startsWith('__'))).toEqual([]);

    const b = String(brokerId);
    const text = await kafkaCommand(['describe-topic', topic]);
    expect(text).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: [
        `Topic: ${topic}  Partitions: 2  Replication factor: 1  Records: 0`,
        'PARTITION  LEADER  REPLICAS  ISR  EARLIEST  LATEST  RECORDS',
        `0          ${b.padEnd(6)}  ${b.padEnd(8)}  ${b.padEnd(3)}  0         0       0`,
        `1          ${b.padEnd(6)}  ${b.padEnd(8)}  ${b.padEnd(3)}  0         0       0`,
        '',
      ].join('\n'),
    });

    const missing = await kafkaCommand(['describe-topic', `absent-${id}`]);
    expect(missing).toEqual({ exitCode: 1, stdout: '', stderr: `Error: topic "absent-${id}" does not exist (see console kafka list-topics)\n` });
    // Asking about a topic never creates it, although the broker auto-creates topics for producers.
    expect(await admin.listTopics()).not.toContain(`absent-${id}`);
  });

  it('describe-topic-records and describe-topic count the records produced in each partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `c${i}`, value: `record ${i}` })),
        ...Array.from({ length: 3 }, (_, i) => ({ partition: 1, key: `d${i}`, value: `record ${i}` })),
      ],
    });
    await producer.disconnect();

    const text = await kafkaCommand(['describe-topic-records', topic]);
    expect(text).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `${'TOPIC'.padEnd(30)} PARTITION  RECORDS   \n${topic.padEnd(30)} 0          5         \n${topic.padEnd(30)} 1          3         \n`,
    });
    expect(envelope((await kafkaJson(['describe-topic-records', topic])).stdout, 'kafka describe-topic-records')).toEqual({
      version: 1,
      command: 'kafka describe-topic-records',
      status: 0,
      result: { topic, records: 8, partitions: [{ partition: 0, earliest: 0, latest: 5, records: 5 }, { partition: 1, earliest: 0, latest: 3, records: 3 }] },
    });
    expect(envelope((await kafkaJson(['describe-topic', topic])).stdout, 'kafka describe-topic')).toEqual({
      version: 1,
      command: 'kafka describe-topic',
      status: 0,
      result: {
        topic,
        replicationFactor: 1,
        records: 8,
        partitions: [
          { partition: 0, leader: brokerId, replicas: [brokerId], isr: [brokerId], earliest: 0, latest: 5, records: 5 },
          { partition: 1, leader: brokerId, replicas: [brokerId], isr: [brokerId], earliest: 0, latest: 3, records: 3 },
        ],
      },
    });
  });
});

describe('consumer groups', () => {
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await consumer?.disconnect();
  });

  async function describeGroup(): Promise<DescribeConsumerGroupResult> {
    const run = await kafkaJson(['describe-consumer-group', group]);
    expect(run.exitCode).toBe(0);
    return envelope<{ result: DescribeConsumerGroupResult }>(run.stdout, 'kafka describe-consumer-group').result;
  }

  it('describe-consumer-group says a group that does not exist does not', async () => {
    const run = await kafkaCommand(['describe-consumer-group', group]);
    expect(run).toEqual({ exitCode: 1, stdout: '', stderr: `Error: consumer group "${group}" does not exist (see console kafka list-consumer-groups)\n` });
    const json = await kafkaJson(['describe-consumer-group', group]);
    expect(envelope(json.stdout, 'kafka describe-consumer-group')).toMatchObject({ status: 1, error: { code: 'MA_KAFKA_GROUP_NOT_FOUND' } });
    // On a fresh broker the first group call also waits for the offsets topic to be created and loaded.
  }, 20_000);

  it('shows the lag of each partition as the group reads and commits, and the group in list-consumer-groups', async () => {
    // GIVEN a member of the group that has read all 8 records and committed nothing yet
    consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer!.run({
        autoCommit: false,
        eachMessage: async () => {
          if (++seen === 8) resolve();
        },
      });
    });

    const before = await describeGroup();
    expect(before).toMatchObject({ group, state: 'Stable', protocolType: 'consumer', lag: 0 });
    expect(before.members).toHaveLength(1);
    const [member] = before.members;
    expect(member).toMatchObject({ clientId: 'console-kafka-test', assignment: [{ topic, partitions: [0, 1] }] });
    expect(before.partitions).toEqual([
      { topic, partition: 0, committed: null, end: 5, lag: null, memberId: member.memberId },
      { topic, partition: 1, committed: null, end: 3, lag: null, memberId: member.memberId },
    ]);

    // WHEN it commits partition 1 fully and partition 0 up to offset 3
    await consumer.commitOffsets([
      { topic, partition: 0, offset: '3' },
      { topic, partition: 1, offset: '3' },
    ]);
    // THEN partition 0 lags by 2
    const committed = await describeGroup();
    expect(committed.lag).toBe(2);
    expect(committed.partitions).toEqual([
      { topic, partition: 0, committed: 3, end: 5, lag: 2, memberId: member.memberId },
      { topic, partition: 1, committed: 3, end: 3, lag: 0, memberId: member.memberId },
    ]);
    const text = await kafkaCommand(['describe-consumer-group', group]);
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`Consumer group ${group}: Stable, 1 member, total lag 2`);
    expect(lines[1]).toMatch(/^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/);
    const row = (partition: number, current: number, end: number, lag: number) =>
      new RegExp(`^${group} +${topic} +${partition} +${current} +${end} +${lag} +${member.memberId} +${member.host.replace(/[.]/g, '\\.')} +console-kafka-test$`);
    expect(lines[2]).toMatch(row(0, 3, 5, 2));
    expect(lines[3]).toMatch(row(1, 3, 3, 0));
    expect(lines.slice(4)).toEqual(['']);

    const groups = await kafkaCommand(['list-consumer-groups']);
    expect(groups.exitCode).toBe(0);
    expect(groups.stdout.split('\n')).toContain(group);
    const groupsJson = envelope<{ result: { groups: { groupId: string; protocolType: string }[] } }>((await kafkaJson(['list-consumer-groups'])).stdout, 'kafka list-consumer-groups');
    expect(groupsJson.result.groups).toContainEqual({ groupId: group, protocolType: 'consumer' });

    // WHEN it commits the rest and leaves
    await consumer.commitOffsets([{ topic, partition: 0, offset: '5' }]);
    await consumer.disconnect();
    consumer = undefined;
    // THEN nothing lags, and the group is empty but still known with its offsets
    const left = await describeGroup();
    expect(left).toMatchObject({ state: 'Empty', members: [], lag: 0 });
    expect(left.partitions).toEqual([
      { topic, partition: 0, committed: 5, end: 5, lag: 0, memberId: null },
      { topic, partition: 1, committed: 3, end: 3, lag: 0, memberId: null },
    ]);
    const emptyText = await kafkaCommand(['describe-consumer-group', group]);
    expect(emptyText.stdout.split('\n').slice(0, 3)).toEqual([
      `Consumer group ${group}: Empty, no active members, total lag 0`,
      expect.stringMatching(/^GROUP +TOPIC/),
      expect.stringMatching(new RegExp(`^${group} +${topic} +0 +5 +5 +0 +- +- +-$`)),
    ]);
  }, 30_000);
});

describe('delete-topic', () => {
  it('keeps the topic when the question is declined', async () => {
    const run = await kafkaCommand(['delete-topic', topic], 'n\n');
    expect(run).toEqual({ exitCode: 1, stdout: '', stderr: `${DELETE_TOPIC_QUESTION} [y/N]: Error: Aborting command: nothing was deleted (answer y, or pass --acknowledge-risk)\n` });
    expect(DELETE_TOPIC_QUESTION).toBe('Deleting a topic will irreversibly delete all captured traffic records stored in that topic. Are you sure you want to continue?');
    expect(await admin.listTopics()).toContain(topic);
  });

  it('deletes after a yes, or at once with --acknowledge-risk, and then reports the topic missing', async () => {
    const yes = await kafkaCommand(['delete-topic', defaultsTopic], 'y\n');
    expect(yes).toEqual({ exitCode: 0, stdout: `Deleted topic ${defaultsTopic}.\n`, stderr: `${DELETE_TOPIC_QUESTION} [y/N]: ` });

    const acknowledged = await kafkaJson(['delete-topic', '--acknowledge-risk', topic]);
    expect(acknowledged).toMatchObject({ exitCode: 0, stderr: '' });
    expect(envelope(acknowledged.stdout, 'kafka delete-topic')).toEqual({ version: 1, command: 'kafka delete-topic', status: 0, result: { topic } });
    const remaining = envelope<{ result: { topics: string[] } }>((await kafkaJson(['list-topics'])).stdout, 'kafka list-topics').result.topics;
    expect(remaining).not.toContain(topic);
    expect(remaining).not.toContain(defaultsTopic);

    const again = await kafkaCommand(['delete-topic', '--acknowledge-risk', topic]);
    expect(again).toEqual({ exitCode: 1, stdout: '', stderr: `Error: topic "${topic}" does not exist (see console kafka list-topics)\n` });
  });
});

describe('an unreachable broker', () => {
  it('fails every command with one sentence naming the brokers, and a non-zero exit', async () => {
    const port = await closedPort();
    const unreachable = services('unreachable', `127.0.0.1:${port}`);
    const sentence = `Error: cannot reach the Kafka brokers 127.0.0.1:${port} (Connection error: connect ECONNREFUSED 127.0.0.1:${port})\n`;
    for (const args of [['list-topics'], ['describe-topic', topic], ['describe-consumer-group', group], ['create-topic', topic], ['delete-topic', '--acknowledge-risk', topic]]) {
      expect(await runConsole(['--config-file', unreachable, 'kafka', ...args])).toEqual({ exitCode: 1, stdout: '', stderr: sentence });
    }
    const json = await runConsole(['--config-file', unreachable, '--json', 'kafka', 'list-consumer-groups']);
    expect(json.exitCode).toBe(1);
    expect(envelope(json.stdout, 'kafka list-consumer-groups')).toEqual({
      version: 1,
      command: 'kafka list-consumer-groups',
      status: 1,
      error: { code: 'MA_KAFKA_UNREACHABLE', message: sentence.slice('Error: '.length, -1) },
    });
  }, 30_000);
});
