/**
 * The console's Kafka connection, from the services.yaml `kafka` section:
 * - `standard:` (or no marker): plaintext, no authentication;
 * - `scram:`: SASL/SCRAM-SHA-512 over TLS, trusting `ca_cert_path` (PEM) when given, else the system's CAs;
 * - `msk:`: MSK IAM (SASL/OAUTHBEARER with a signed token) over TLS.
 * `kafkaClientConfig` turns a section into kafkajs options without touching the network, so each flavour
 * is unit-tested; `withKafkaAdmin` connects, runs a command's calls, and turns any kafkajs failure into
 * one sentence that names the brokers.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { stopKafkajsIdleLoop } from '../common/kafkajs-idle-loop';
import { certificateRefusal } from '../common/tls-certificate-errors';
import type { Section } from './config/services';
import { ConsoleError } from './errors';
import { servicesFile, type ConsoleIo } from './io';

type KafkaSection = Section<'kafka'>;

/** AWS credentials for MSK IAM tokens; the default is the AWS SDK's default chain (env, profile, task role). */
export type AwsCredentialsProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

export interface KafkaClientInputs {
  /** Where AWS_REGION, AWS_DEFAULT_REGION and the SCRAM password variable are read; default `process.env`. */
  env?: Record<string, string | undefined>;
  mskCredentials?: AwsCredentialsProvider;
}

export function kafkaBrokers(section: KafkaSection): string[] {
  return section.broker_endpoints
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

// MSK broker names carry their region: b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com (provisioned),
// boot-<id>.c1.kafka-serverless.<region>.amazonaws.com (serverless), .amazonaws.com.cn in China.
const MSK_HOST = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The region MSK IAM tokens are signed for. The broker names come first because a token signed for any
 * other region is refused, whatever region the console itself runs in; AWS_REGION, then
 * AWS_DEFAULT_REGION, serve brokers reached under other names (custom DNS, tunnels).
 */
export function mskRegion(brokers: string[], env: Record<string, string | undefined> = process.env): string {
  const fromHosts = [...new Set(brokers.map((b) => MSK_HOST.exec(b.replace(/:\d+$/, '').toLowerCase())?.[1]).filter((r): r is string => r !== undefined))];
  if (fromHosts.length > 1) throw new ConsoleError('MA_CONFIG_INVALID', `kafka.broker_endpoints: the MSK brokers are in several regions (${fromHosts.join(', ')}); list the brokers of one cluster`);
  const region = fromHosts[0] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConsoleError('MA_CONFIG_INVALID', 'kafka.msk: cannot tell the AWS region of the MSK cluster: broker_endpoints are not MSK names (….kafka.<region>.amazonaws.com) and neither AWS_REGION nor AWS_DEFAULT_REGION is set');
  }
  return region;
}

function scramPassword(scram: NonNullable<KafkaSection['scram']>, env: Record<string, string | undefined>): string {
  if (scram.password !== undefined) return scram.password;
  const variable = scram.password_env ?? 'KAFKA_SCRAM_PASSWORD';
  const password = env[variable];
  if (password === undefined) throw new ConsoleError('MA_CONFIG_INVALID', `kafka.scram: no password: give scram.password, or set the environment variable ${variable}`);
  return password;
}

function scramTls(scram: NonNullable<KafkaSection['scram']>): KafkaConfig['ssl'] {
  if (!scram.ca_cert_path) return true;
  try {
    return { ca: [readFileSync(scram.ca_cert_path, 'utf8')] };
  } catch (error) {
    throw new ConsoleError('MA_CONFIG_INVALID', `kafka.scram.ca_cert_path: cannot read ${scram.ca_cert_path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function mskTokenProvider(region: string, credentials: AwsCredentialsProvider | undefined): () => Promise<{ value: string }> {
  return async () => {
    // Loaded on first use, as only MSK deployments need the signer and its AWS SDK clients; `require`
    // rather than `import()`, which jest's CommonJS runtime cannot run.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const signer = require('aws-msk-iam-sasl-signer-js') as typeof import('aws-msk-iam-sasl-signer-js');
    const { token } = credentials ? await signer.generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: credentials }) : await signer.generateAuthToken({ region });
    return { value: token };
  };
}

/** kafkajs options for a `kafka` section; reads nothing but `inputs.env` and the SCRAM CA file. */
export function kafkaClientConfig(section: KafkaSection, inputs: KafkaClientInputs = {}): KafkaConfig {
  const env = inputs.env ?? process.env;
  const brokers = kafkaBrokers(section);
  // Short timeouts and two retries: a console command should fail within seconds when Kafka is away.
  const base: KafkaConfig = { clientId: 'migration-console', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: 15000, retry: { retries: 2 } };
  if (section.scram) {
    return { ...base, ssl: scramTls(section.scram), sasl: { mechanism: 'scram-sha-512', username: section.scram.username, password: scramPassword(section.scram, env) } };
  }
  if (section.msk !== undefined) {
    return { ...base, ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: mskTokenProvider(mskRegion(brokers, env), inputs.mskCredentials) } };
  }
  return { ...base, ssl: false };
}

interface KafkaJsError {
  name?: string;
  message?: string;
  type?: string;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs wraps the socket error in retry errors). */
function causes(error: unknown): KafkaJsError[] {
  const chain: KafkaJsError[] = [];
  for (let e = error as KafkaJsError | undefined; e && typeof e === 'object' && chain.length < 8 && !chain.includes(e); e = e.cause as KafkaJsError | undefined) chain.push(e);
  return chain;
}

/** The sentence for a broker certificate the console refused, or undefined when the failure is not one. */
function certificateFailure(error: unknown, list: string): ConsoleError | undefined {
  const refused = certificateRefusal(error);
  if (!refused) return undefined;
  const fix = refused.hostnameMismatch ? 'list the brokers under a name their certificate holds' : 'name the CA that signed it in kafka.scram.ca_cert_path (PEM)';
  return new ConsoleError('MA_KAFKA_TLS', `the TLS certificate of the Kafka brokers ${list} is not trusted (${refused.reason}): ${fix}`);
}

const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound']);

/**
 * A kafkajs failure as the sentence the user sees: refused credentials, an untrusted broker certificate,
 * unreachable brokers or a refused request.
 */
export function kafkaFailure(error: unknown, brokers: string[]): ConsoleError {
  if (error instanceof ConsoleError) return error;
  const chain = causes(error);
  const root = chain[chain.length - 1];
  const detail = root?.message ?? String(error);
  const list = brokers.join(',');
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    return new ConsoleError('MA_KAFKA_AUTH', `the Kafka brokers ${list} refused the credentials: ${chain.find((e) => e.name === 'KafkaJSSASLAuthenticationError')?.message}`);
  }
  const certificate = certificateFailure(error, list);
  if (certificate) return certificate;
  if (chain.some((e) => UNREACHABLE.has(e.name ?? ''))) return new ConsoleError('MA_KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${list} (${detail})`);
  const refused = chain.find((e) => e.type);
  if (refused) return new ConsoleError('MA_KAFKA_REQUEST', `Kafka refused the request: ${refused.message} (${refused.type})`);
  return new ConsoleError('MA_KAFKA_FAILED', `the Kafka request failed: ${detail}`);
}

/** Connects to the brokers of the services file, runs `work`, disconnects; failures come out as ConsoleErrors. */
export async function withKafkaAdmin<T>(io: ConsoleIo, work: (admin: Admin) => Promise<T>): Promise<T> {
  const config = kafkaClientConfig(servicesFile(io).section('kafka'));
  // Reading a long topic takes a while; kafkajs's connections should not spin the CPU meanwhile.
  stopKafkajsIdleLoop();
  const admin = new Kafka(config).admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    throw kafkaFailure(error, config.brokers as string[]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Fails with MA_KAFKA_TOPIC_NOT_FOUND unless the topic exists (asked first, so no call can create it). */
export async function requireTopic(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) throw new ConsoleError('MA_KAFKA_TOPIC_NOT_FOUND', `topic "${topic}" does not exist (see console kafka list-topics)`);
}

// What a group coordinator answers while it loads its groups or moves to another broker (a fresh cluster,
// a broker restart). kafkajs retries with the coordinator it found first; asking anew a moment later works.
const COORDINATOR_MOVING = new Set(['GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP']);

/** Runs a consumer-group call again (up to `attempts` times, a few seconds in all) while the coordinator is moving. */
export async function retryWhileCoordinatorMoves<T>(call: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !causes(error).some((e) => COORDINATOR_MOVING.has(e.type ?? ''))) throw error;
      await sleep(Math.min(200 * attempt, 1000));
    }
  }
}
