/**
 * `console kafka …` through the test bed broker's SASL_SSL listener: SCRAM-SHA-512 over TLS, trusting the
 * test bed's CA through `scram.ca_cert_path` as services.yaml names it. A wrong password and a broker
 * certificate the console cannot trust (no CA given, so only the system's CAs) each fail with one sentence
 * and exit 1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope, runConsole } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const { kafkaScram, kafkaCaFile, kafkaScramUser, kafkaScramPassword } = endpoints;
if (!kafkaScram || !kafkaCaFile || !kafkaScramUser || !kafkaScramPassword) {
  throw new Error('the test bed did not publish its Kafka SASL_SSL listener (kafkaScram, kafkaCaFile, kafkaScramUser, kafkaScramPassword)');
}
const dir = mkdtempSync(join(tmpdir(), 'ma-console-kafka-secured-'));
const topic = `console-scram-${randomUUID().slice(0, 8)}`;
// The password comes from the variable `password_env` names, as a deployment passes its secret.
const PASSWORD_ENV = `MA_TEST_SCRAM_PASSWORD_${randomUUID().slice(0, 8).toUpperCase()}`;
// A client of the same listener, through kafkajs directly, to set up and check what the console reports.
const kafka = new Kafka({
  clientId: 'console-kafka-secured-test',
  brokers: [kafkaScram],
  ssl: { ca: [readFileSync(kafkaCaFile, 'utf8')] },
  sasl: { mechanism: 'scram-sha-512', username: kafkaScramUser, password: kafkaScramPassword },
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();

function services(name: string, scram: Record<string, string>): string {
  const path = join(dir, `${name}.yaml`);
  const lines = Object.entries(scram).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`);
  writeFileSync(path, ['kafka:', `  broker_endpoints: ${kafkaScram}`, '  scram:', ...lines, ''].join('\n'));
  return path;
}

beforeAll(async () => {
  process.env[PASSWORD_ENV] = kafkaScramPassword;
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 0, 0, 1].map((partition, i) => ({ partition, key: `k${i}`, value: `record ${i}` })) });
  await producer.disconnect();
}, 30_000);

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  delete process.env[PASSWORD_ENV];
  rmSync(dir, { recursive: true, force: true });
});

describe('SCRAM-SHA-512 over TLS with the CA from services.yaml', () => {
  it('list-topics and describe-topic-records read the topic and its records', async () => {
    // GIVEN the services file of a SCRAM deployment, trusting the test bed's CA
    const config = services('scram', { username: kafkaScramUser, password_env: PASSWORD_ENV, ca_cert_path: kafkaCaFile });

    // WHEN listing topics and counting records
    const list = await runConsole(['--config-file', config, 'kafka', 'list-topics']);
    const records = await runConsole(['--config-file', config, 'kafka', 'describe-topic-records', topic]);
    const recordsJson = await runConsole(['--config-file', config, '--json', 'kafka', 'describe-topic-records', topic]);

    // THEN both succeed with what the broker holds
    expect(list).toMatchObject({ exitCode: 0, stderr: '' });
    expect(list.stdout.split('\n')).toContain(topic);
    expect(records).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: `${'TOPIC'.padEnd(30)} PARTITION  RECORDS   \n${topic.padEnd(30)} 0          3         \n${topic.padEnd(30)} 1          1         \n`,
    });
    expect(envelope(recordsJson.stdout, 'kafka describe-topic-records')).toEqual({
      version: 1,
      command: 'kafka describe-topic-records',
      status: 0,
      result: { topic, records: 4, partitions: [{ partition: 0, earliest: 0, latest: 3, records: 3 }, { partition: 1, earliest: 0, latest: 1, records: 1 }] },
    });
  });

  it('a wrong password fails with one sentence naming the brokers, and exit 1', async () => {
    // GIVEN the right user and CA with a wrong password
    const config = services('wrong-password', { username: kafkaScramUser, password: 'not-the-password', ca_cert_path: kafkaCaFile });

    // WHEN running commands
    const text = await runConsole(['--config-file', config, 'kafka', 'list-topics']);
    const json = await runConsole(['--config-file', config, '--json', 'kafka', 'describe-topic-records', topic]);

    // THEN the broker's refusal is the one line on stderr, and the JSON envelope carries its code
    expect(text).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `Error: the Kafka brokers ${kafkaScram} refused the credentials: SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512\n`,
    });
    expect(json.exitCode).toBe(1);
    expect(envelope(json.stdout, 'kafka describe-topic-records')).toMatchObject({ status: 1, error: { code: 'MA_KAFKA_AUTH' } });
  });

  it('a broker certificate signed by a CA the console does not trust fails with one sentence telling where the CA goes', async () => {
    // GIVEN the right credentials and no ca_cert_path, so only the system's CAs are trusted
    const config = services('no-ca', { username: kafkaScramUser, password: kafkaScramPassword });

    // WHEN running commands
    const text = await runConsole(['--config-file', config, 'kafka', 'describe-topic-records', topic]);
    const json = await runConsole(['--config-file', config, '--json', 'kafka', 'list-topics']);

    // THEN the handshake's refusal is reported as a certificate problem, not as an unreachable broker
    expect(text).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `Error: the TLS certificate of the Kafka brokers ${kafkaScram} is not trusted (self-signed certificate in certificate chain): name the CA that signed it in kafka.scram.ca_cert_path (PEM)\n`,
    });
    expect(json.exitCode).toBe(1);
    expect(envelope(json.stdout, 'kafka list-topics')).toMatchObject({ status: 1, error: { code: 'MA_KAFKA_TLS' } });
  });
});
