/**
 * The proxy's command line: the reference proxy's option names (`--destinationUri`, `--listenPort`,
 * `--kafkaConnection`, `--traceDirectory`, …) with kebab-case aliases, each also readable from the
 * environment as CAPTURE_PROXY_<NAME_IN_UPPER_SNAKE>, validated with errors naming the option.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';

export class ProxyOptionsError extends Error {
  override readonly name = 'ProxyOptionsError';
  readonly code = 'MA_PROXY_OPTIONS';
}

interface Spec {
  name: string;
  alias?: string;
  arg?: string;
  help: string;
  default?: string;
  repeatable?: boolean;
}

const SPECS: Spec[] = [
  { name: 'destinationUri', arg: '<uri>', help: 'the source cluster, http(s)://host[:port] (required)' },
  { name: 'listenPort', arg: '<port>', help: 'port to listen on (required)' },
  { name: 'listenHost', arg: '<host>', help: 'address to listen on', default: '0.0.0.0' },
  { name: 'insecureDestination', help: 'accept any TLS certificate from the source' },
  { name: 'sslCertChainFile', arg: '<file>', help: 'PEM certificate chain: serve TLS instead of plain HTTP' },
  { name: 'sslKeyFile', arg: '<file>', help: 'PEM private key for --sslCertChainFile' },
  { name: 'kafkaConnection', alias: 'kafkaBrokers', arg: '<brokers>', help: 'Kafka bootstrap servers, comma-separated: capture to Kafka' },
  { name: 'kafkaTopic', arg: '<topic>', help: 'topic of the capture records', default: 'logging-traffic-topic' },
  { name: 'kafkaCompression', arg: '<codec>', help: 'compression of the record batches sent to Kafka: none or gzip (smaller topics and transfers; gzip runs off the event loop, in libuv threads); consumers decompress by themselves', default: 'none' },
  { name: 'kafkaClientId', arg: '<id>', help: 'Kafka client id', default: 'HttpCaptureProxyProducer' },
  { name: 'kafkaAuthType', arg: '<type>', help: 'none, ssl, scram-sha-512 or msk-iam', default: 'none' },
  { name: 'enableMSKAuth', help: 'same as --kafkaAuthType msk-iam' },
  { name: 'kafkaUserName', arg: '<user>', help: 'SCRAM user' },
  { name: 'kafkaPassword', arg: '<password>', help: 'SCRAM password (prefer CAPTURE_PROXY_KAFKA_PASSWORD)' },
  { name: 'kafkaCaCertFile', arg: '<file>', help: "PEM CA certificates to trust for Kafka's TLS (ssl, scram-sha-512, msk-iam) instead of the system ones" },
  { name: 'awsRegion', arg: '<region>', help: 'region for MSK IAM (default: AWS_REGION)' },
  { name: 'traceDirectory', arg: '<dir>', help: 'capture to a local file instead of Kafka (length-prefixed records)' },
  { name: 'noCapture', help: 'forward only, capture nothing' },
  { name: 'maxTrafficBufferSize', arg: '<bytes>', help: 'largest capture record', default: '1048576' },
  { name: 'flushIntervalMs', arg: '<ms>', help: 'send what a connection captured at least this often', default: '1000' },
  { name: 'captureTimeoutMs', arg: '<ms>', help: 'how long a mutating request waits for its capture to be stored; while Kafka is failing (its last send failed) mutating requests do not wait, the policy applies at once, until a send succeeds', default: '10000' },
  { name: 'onCaptureFailure', arg: '<policy>', help: 'when a mutating request cannot be captured in time: forward (default) or reject (503)', default: 'forward' },
  { name: 'suppressCaptureForHeaderMatch', arg: '<name=regex>', help: 'forward but do not capture requests whose header matches (repeatable)', repeatable: true },
  { name: 'redactAuthorization', help: 'store Authorization header values as asterisks' },
  { name: 'maxHeaderBytes', arg: '<bytes>', help: 'largest request line plus headers (431 above)', default: '65536' },
  { name: 'workers', arg: '<n>', help: 'proxy processes sharing the port, each with its own Kafka producer (a connection stays on one): a number, or auto for one per CPU this process may run on; give the task that many CPUs', default: '1' },
  { name: 'stage', arg: '<name>', help: 'stage name in metrics', default: 'dev' },
];

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/m-s-k/, 'msk');
}

export function envName(name: string): string {
  // An acronym stays one word: enableMSKAuth -> CAPTURE_PROXY_ENABLE_MSK_AUTH.
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2');
  return `CAPTURE_PROXY_${words.toUpperCase()}`;
}

/** Aliases (kebab-case spellings and old names) rewritten to the canonical option before parsing. */
export function normaliseArgs(argv: string[]): string[] {
  const aliases = new Map<string, string>();
  for (const spec of SPECS) {
    aliases.set(`--${kebab(spec.name)}`, `--${spec.name}`);
    if (spec.alias) {
      aliases.set(`--${spec.alias}`, `--${spec.name}`);
      aliases.set(`--${kebab(spec.alias)}`, `--${spec.name}`);
    }
  }
  return argv.map((arg) => {
    const [flag, ...value] = arg.split('=');
    const canonical = aliases.get(flag);
    return canonical ? [canonical, ...value].join('=') : arg;
  });
}

export function buildProxyCommand(): Command {
  const command = new Command('capture-proxy').description(
    'Forwards client traffic to the source cluster unchanged and records it as TrafficStream records to Kafka (or a file). Every option can also be set as CAPTURE_PROXY_<OPTION_IN_UPPER_SNAKE_CASE>, and written in kebab-case (--listen-port).',
  );
  for (const spec of SPECS) {
    const arg = spec.arg ? ` ${spec.repeatable ? spec.arg.replace('>', '...>') : spec.arg}` : '';
    const help = spec.alias ? `${spec.help} (alias --${spec.alias})` : spec.help;
    const option = new Option(`--${spec.name}${arg}`, help).env(envName(spec.name));
    if (spec.default !== undefined) option.default(spec.default);
    command.addOption(option);
  }
  command.addHelpText(
    'after',
    '\nMemory: captured bytes not yet stored in Kafka are capped at 64 MiB (at least 8 records). Over the cap, the body of a mutating request is read only as Kafka catches up (it waits for its capture anyway), and responses are forwarded whole but no longer recorded until the next request, each counted as a lost capture (metric CaptureLost).',
  );
  command.addHelpText('after', '\nExample:\n  capture-proxy --destinationUri https://source:9200 --listenPort 9201 --kafkaConnection broker1:9092,broker2:9092');
  return command;
}

export interface ProxyConfig {
  destination: URL;
  listenPort: number;
  listenHost: string;
  insecureDestination: boolean;
  tls?: { cert: Buffer; key: Buffer };
  capture:
    | { kind: 'kafka'; brokers: string[]; topic: string; clientId: string; auth: import('./kafka-sink').KafkaAuth; caCert?: string; compression: import('./kafka-sink').KafkaCompression }
    | { kind: 'file'; directory: string }
    | { kind: 'none' };
  maxRecordBytes: number;
  flushIntervalMs: number;
  captureTimeoutMs: number;
  mutationPolicy: 'forward' | 'reject';
  suppressHeaderMatches: [string, RegExp][];
  redactAuthorization: boolean;
  maxHeadBytes: number;
  /** Processes sharing the port (1: this process is the proxy). */
  workers: number;
  stage: string;
}

/** Most processes `--workers` starts: beyond this a number is more likely a typo than a machine. */
const MAX_WORKERS = 64;

function workerCount(value: unknown): number {
  if (value === 'auto') return availableParallelism();
  const n = positiveInt(value, 'workers');
  if (n > MAX_WORKERS) throw new ProxyOptionsError(`--workers must be auto or at most ${MAX_WORKERS}, got "${value}"`);
  return n;
}

function positiveInt(value: unknown, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ProxyOptionsError(`--${option} must be a positive whole number, got "${value}"`);
  return n;
}

/** The CA file's PEM text, read now so a wrong path fails at start rather than at the first capture. */
function kafkaCaCert(file: string, auth: import('./kafka-sink').KafkaAuth): string {
  if (auth.type === 'none') throw new ProxyOptionsError('--kafkaCaCertFile needs a TLS connection to Kafka: --kafkaAuthType ssl, scram-sha-512 or msk-iam');
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProxyOptionsError(`--kafkaCaCertFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ProxyOptionsError(`--kafkaCaCertFile: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

export function parseProxyOptions(raw: Record<string, unknown>): ProxyConfig {
  const flag = (value: unknown) => value === true || value === 'true' || value === '1';
  if (!raw.destinationUri) throw new ProxyOptionsError('--destinationUri is required');
  let destination: URL;
  try {
    destination = new URL(String(raw.destinationUri));
  } catch {
    throw new ProxyOptionsError(`--destinationUri "${raw.destinationUri}" is not a URL (expected http(s)://host[:port])`);
  }
  if (destination.protocol !== 'http:' && destination.protocol !== 'https:') throw new ProxyOptionsError(`--destinationUri must start with http:// or https://, got "${raw.destinationUri}"`);
  if (raw.listenPort === undefined) throw new ProxyOptionsError('--listenPort is required');
  const listenPort = Number(raw.listenPort);
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) throw new ProxyOptionsError(`--listenPort must be a port number, got "${raw.listenPort}"`);
  const sinks = [raw.kafkaConnection, raw.traceDirectory, flag(raw.noCapture) ? true : undefined].filter((v) => v !== undefined && v !== '');
  if (sinks.length !== 1) throw new ProxyOptionsError('give exactly one of --kafkaConnection, --traceDirectory and --noCapture');
  let capture: ProxyConfig['capture'] = { kind: 'none' };
  if (raw.traceDirectory) capture = { kind: 'file', directory: String(raw.traceDirectory) };
  if (raw.kafkaConnection) {
    let type = String(raw.kafkaAuthType ?? 'none');
    if (flag(raw.enableMSKAuth)) {
      if (type !== 'none' && type !== 'msk-iam') throw new ProxyOptionsError('--enableMSKAuth cannot be combined with another --kafkaAuthType');
      type = 'msk-iam';
    }
    let auth: import('./kafka-sink').KafkaAuth;
    if (type === 'none') auth = { type: 'none' };
    else if (type === 'ssl') auth = { type: 'tls' };
    else if (type === 'scram-sha-512') {
      if (!raw.kafkaUserName || !raw.kafkaPassword) throw new ProxyOptionsError('--kafkaAuthType scram-sha-512 needs --kafkaUserName and --kafkaPassword');
      auth = { type: 'scram-sha-512', username: String(raw.kafkaUserName), password: String(raw.kafkaPassword) };
    } else if (type === 'msk-iam') {
      const region = String(raw.awsRegion ?? process.env.AWS_REGION ?? '');
      if (!region) throw new ProxyOptionsError('MSK IAM authentication needs --awsRegion or AWS_REGION');
      auth = { type: 'msk-iam', region };
    } else throw new ProxyOptionsError(`--kafkaAuthType must be none, ssl, scram-sha-512 or msk-iam, got "${type}"`);
    const caCert = raw.kafkaCaCertFile ? kafkaCaCert(String(raw.kafkaCaCertFile), auth) : undefined;
    const compression = String(raw.kafkaCompression ?? 'none');
    if (compression !== 'none' && compression !== 'gzip') throw new ProxyOptionsError(`--kafkaCompression must be none or gzip, got "${compression}"`);
    capture = { kind: 'kafka', brokers: String(raw.kafkaConnection).split(',').map((b) => b.trim()).filter(Boolean), topic: String(raw.kafkaTopic), clientId: String(raw.kafkaClientId), auth, ...(caCert ? { caCert } : {}), compression };
  }
  let tls: ProxyConfig['tls'];
  if (raw.sslCertChainFile || raw.sslKeyFile) {
    if (!raw.sslCertChainFile || !raw.sslKeyFile) throw new ProxyOptionsError('--sslCertChainFile and --sslKeyFile go together');
    try {
      tls = { cert: readFileSync(String(raw.sslCertChainFile)), key: readFileSync(String(raw.sslKeyFile)) };
    } catch (error) {
      throw new ProxyOptionsError(`cannot read the TLS files: ${(error as Error).message}`);
    }
  }
  const policy = String(raw.onCaptureFailure ?? 'forward');
  if (policy !== 'forward' && policy !== 'reject') throw new ProxyOptionsError(`--onCaptureFailure must be forward or reject, got "${policy}"`);
  const matches = ([] as string[]).concat((raw.suppressCaptureForHeaderMatch as string[] | string | undefined) ?? []);
  const suppressHeaderMatches = matches.map((entry): [string, RegExp] => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new ProxyOptionsError(`--suppressCaptureForHeaderMatch takes name=regex, got "${entry}"`);
    try {
      return [entry.slice(0, at).toLowerCase(), new RegExp(`^(?:${entry.slice(at + 1)})$`)];
    } catch {
      throw new ProxyOptionsError(`--suppressCaptureForHeaderMatch has an invalid regex in "${entry}"`);
    }
  });
  return {
    destination,
    listenPort,
    listenHost: String(raw.listenHost),
    insecureDestination: flag(raw.insecureDestination),
    ...(tls ? { tls } : {}),
    capture,
    maxRecordBytes: positiveInt(raw.maxTrafficBufferSize, 'maxTrafficBufferSize') - 500,
    flushIntervalMs: positiveInt(raw.flushIntervalMs, 'flushIntervalMs'),
    captureTimeoutMs: positiveInt(raw.captureTimeoutMs, 'captureTimeoutMs'),
    mutationPolicy: policy,
    suppressHeaderMatches,
    redactAuthorization: flag(raw.redactAuthorization),
    maxHeadBytes: positiveInt(raw.maxHeaderBytes, 'maxHeaderBytes'),
    workers: workerCount(raw.workers ?? '1'),
    stage: String(raw.stage),
  };
}
