/**
 * The kafkajs options the console builds from a services.yaml `kafka` section (plain, SCRAM, MSK IAM),
 * the region MSK IAM tokens are signed for, and how kafkajs failures read. Sections are loaded from real
 * YAML files; the MSK token is really signed (offline) with fixed credentials and then decoded.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { ServicesConfig } from '../../../src/console/config/services';
import { ConsoleError } from '../../../src/console/errors';
import { kafkaClientConfig, kafkaFailure, mskRegion, type AwsCredentialsProvider } from '../../../src/console/kafka-admin';

const dir = mkdtempSync(join(tmpdir(), 'ma-kafka-admin-'));
let files = 0;

function kafkaSection(yaml: string): ServicesConfig {
  const path = join(dir, `services-${files++}.yaml`);
  writeFileSync(path, `kafka:\n${yaml}`);
  return ServicesConfig.load(path);
}

const base = { clientId: 'migration-console', logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: 15000, retry: { retries: 2 } };
const credentials: AwsCredentialsProvider = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' });

/** The URL inside an MSK IAM token, which is a base64url-encoded presigned GET. */
async function signedUrl(config: KafkaConfig): Promise<URL> {
  const sasl = config.sasl as Extract<SASLOptions, { mechanism: 'oauthbearer' }>;
  const { value } = await sasl.oauthBearerProvider();
  return new URL(Buffer.from(value, 'base64url').toString('utf8'));
}

describe('plain connection', () => {
  it.each([
    ['standard: (null, as the reference writes it)', '  standard:\n'],
    ['standard: "" (as the deployment renders it)', '  standard: ""\n'],
    ['no marker at all', ''],
  ])('%s: no TLS, no SASL, every broker of the list', (_name, marker) => {
    // GIVEN a section with two brokers, one with stray spaces
    const section = kafkaSection(`  broker_endpoints: "k1:9092, k2:9092"\n${marker}`).section('kafka');
    // WHEN / THEN
    expect(kafkaClientConfig(section, { env: {} })).toEqual({ ...base, brokers: ['k1:9092', 'k2:9092'], ssl: false });
  });
});

describe('SCRAM', () => {
  it('uses SCRAM-SHA-512 over TLS with the password of the file', () => {
    const section = kafkaSection('  broker_endpoints: k1:9096\n  scram:\n    username: console\n    password: from-file\n').section('kafka');
    expect(kafkaClientConfig(section, { env: { KAFKA_SCRAM_PASSWORD: 'from-env' } })).toEqual({
      ...base,
      brokers: ['k1:9096'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'console', password: 'from-file' },
    });
  });

  it('takes the password from KAFKA_SCRAM_PASSWORD, or from the variable password_env names', () => {
    const byDefault = kafkaSection('  broker_endpoints: k1:9096\n  scram:\n    username: console\n').section('kafka');
    expect(kafkaClientConfig(byDefault, { env: { KAFKA_SCRAM_PASSWORD: 'from-default-env' } }).sasl).toEqual({ mechanism: 'scram-sha-512', username: 'console', password: 'from-default-env' });
    const named = kafkaSection('  broker_endpoints: k1:9096\n  scram:\n    username: console\n    password_env: MY_PASSWORD\n').section('kafka');
    expect(kafkaClientConfig(named, { env: { MY_PASSWORD: 'from-named-env', KAFKA_SCRAM_PASSWORD: 'other' } }).sasl).toMatchObject({ password: 'from-named-env' });
  });

  it('refuses to connect without a password, naming the variable it looked at', () => {
    const named = kafkaSection('  broker_endpoints: k1:9096\n  scram:\n    username: console\n    password_env: MY_PASSWORD\n').section('kafka');
    expect(() => kafkaClientConfig(named, { env: {} })).toThrow(new ConsoleError('MA_CONFIG_INVALID', 'kafka.scram: no password: give scram.password, or set the environment variable MY_PASSWORD'));
  });

  it('trusts the PEM file of ca_cert_path, and names it when it cannot be read', () => {
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const section = kafkaSection(`  broker_endpoints: k1:9096\n  scram:\n    username: console\n    password: p\n    ca_cert_path: ${pem}\n`).section('kafka');
    expect(kafkaClientConfig(section, { env: {} }).ssl).toEqual({ ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] });
    const missing = kafkaSection(`  broker_endpoints: k1:9096\n  scram:\n    username: console\n    password: p\n    ca_cert_path: ${join(dir, 'absent.pem')}\n`).section('kafka');
    expect(() => kafkaClientConfig(missing, { env: {} })).toThrow(`kafka.scram.ca_cert_path: cannot read ${join(dir, 'absent.pem')} (ENOENT)`);
  });
});

describe('MSK IAM', () => {
  const brokers = 'b-1.migration.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.migration.abc123.c2.kafka.eu-west-1.amazonaws.com:9098';

  it.each([['msk: (null)', '  msk:\n'], ['msk: "" (as the deployment renders it)', '  msk: ""\n']])('%s: OAUTHBEARER over TLS', async (_name, marker) => {
    const section = kafkaSection(`  broker_endpoints: ${brokers}\n${marker}`).section('kafka');
    const config = kafkaClientConfig(section, { env: {}, mskCredentials: credentials });
    expect(config).toEqual({ ...base, brokers: brokers.split(','), ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: expect.any(Function) } });
    // The token is a presigned kafka-cluster:Connect request for the cluster's region.
    const url = await signedUrl(config);
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
  });

  it('signs for the region in the broker names even when AWS_REGION says otherwise', async () => {
    const section = kafkaSection(`  broker_endpoints: ${brokers}\n  msk:\n`).section('kafka');
    const url = await signedUrl(kafkaClientConfig(section, { env: { AWS_REGION: 'us-east-1' }, mskCredentials: credentials }));
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/eu-west-1/');
  });

  it('reads the region of provisioned, serverless and China broker names', () => {
    expect(mskRegion(['b-3.c.x1.c14.kafka.ap-southeast-2.amazonaws.com:9098'], {})).toBe('ap-southeast-2');
    expect(mskRegion(['boot-abcd.c3.kafka-serverless.us-east-2.amazonaws.com:9098'], {})).toBe('us-east-2');
    expect(mskRegion(['b-1.c.x1.c2.kafka.cn-north-1.amazonaws.com.cn:9098'], {})).toBe('cn-north-1');
    expect(mskRegion(['b-1.c.x1.c2.kafka.us-gov-west-1.amazonaws.com:9098'], {})).toBe('us-gov-west-1');
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION, for brokers under other names', async () => {
    const section = kafkaSection('  broker_endpoints: kafka.internal.example:9098\n  msk:\n').section('kafka');
    const url = await signedUrl(kafkaClientConfig(section, { env: { AWS_REGION: 'ca-central-1', AWS_DEFAULT_REGION: 'us-west-2' }, mskCredentials: credentials }));
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/ca-central-1/');
    expect(mskRegion(['kafka.internal.example:9098'], { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
  });

  it('refuses to guess a region, and refuses brokers of two regions', () => {
    const section = kafkaSection('  broker_endpoints: kafka.internal.example:9098\n  msk:\n').section('kafka');
    expect(() => kafkaClientConfig(section, { env: {} })).toThrow(/^kafka\.msk: cannot tell the AWS region of the MSK cluster: .*neither AWS_REGION nor AWS_DEFAULT_REGION is set$/);
    expect(() => mskRegion(['b-1.c.x.c2.kafka.eu-west-1.amazonaws.com:9098', 'b-2.c.x.c2.kafka.eu-central-1.amazonaws.com:9098'], { AWS_REGION: 'eu-west-1' })).toThrow(
      'kafka.broker_endpoints: the MSK brokers are in several regions (eu-west-1, eu-central-1); list the brokers of one cluster',
    );
  });
});

it('refuses a section with two connection kinds, naming the keys', () => {
  const file = kafkaSection('  broker_endpoints: k1:9092\n  msk:\n  standard:\n');
  expect(() => file.section('kafka')).toThrow(/services-\d+\.yaml: kafka: give at most one of msk, standard and scram$/);
});

describe('kafkajs failures as one sentence', () => {
  it('names the brokers when none can be reached', () => {
    // GIVEN what kafkajs throws once its retries against a closed port are spent
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1' });
    const error = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 2, retryTime: 600 });
    // WHEN / THEN
    expect(kafkaFailure(error, ['127.0.0.1:1', '127.0.0.1:2'])).toMatchObject({
      code: 'MA_KAFKA_UNREACHABLE',
      message: 'cannot reach the Kafka brokers 127.0.0.1:1,127.0.0.1:2 (Connection error: connect ECONNREFUSED 127.0.0.1:1)',
    });
  });

  it('tells refused credentials from a refused request', () => {
    // kafkajs's typings leave out the message its error constructors take.
    const auth = new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)('SASL SCRAM SHA512 authentication failed: bad credentials');
    expect(kafkaFailure(auth, ['k1:9096'])).toMatchObject({ code: 'MA_KAFKA_AUTH', message: 'the Kafka brokers k1:9096 refused the credentials: SASL SCRAM SHA512 authentication failed: bad credentials' });
    const policy = new KafkaJSProtocolError(Object.assign(new Error('Topic authorization failed'), { type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 }));
    expect(kafkaFailure(policy, ['k1:9096'])).toMatchObject({ code: 'MA_KAFKA_REQUEST', message: 'Kafka refused the request: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)' });
  });

  it('tells an untrusted or misnamed broker certificate from an unreachable broker', () => {
    // GIVEN what kafkajs throws when the TLS handshake refuses the broker's certificate (the socket's code is kept)
    const untrusted = new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain', { broker: 'k1:9096', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const misnamed = new KafkaJSConnectionError("Connection error: Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1", { broker: '10.0.0.1:9096', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // WHEN / THEN
    expect(kafkaFailure(new KafkaJSNumberOfRetriesExceeded(untrusted, { retryCount: 2, retryTime: 600 }), ['k1:9096'])).toMatchObject({
      code: 'MA_KAFKA_TLS',
      message: 'the TLS certificate of the Kafka brokers k1:9096 is not trusted (self-signed certificate in certificate chain): name the CA that signed it in kafka.scram.ca_cert_path (PEM)',
    });
    expect(kafkaFailure(misnamed, ['10.0.0.1:9096'])).toMatchObject({
      code: 'MA_KAFKA_TLS',
      message: "the TLS certificate of the Kafka brokers 10.0.0.1:9096 is not trusted (Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1): list the brokers under a name their certificate holds",
    });
    // A connection error without a certificate code stays an unreachable broker.
    expect(kafkaFailure(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', code: 'ECONNREFUSED' }), ['127.0.0.1:1'])).toMatchObject({ code: 'MA_KAFKA_UNREACHABLE' });
  });
});
