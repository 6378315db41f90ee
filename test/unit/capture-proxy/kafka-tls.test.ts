/**
 * The proxy's TLS and SCRAM settings for Kafka: the CA option (flag, kebab-case, environment variable,
 * --help, errors naming it) and the sentences a refused connection is logged with.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { connectFailure, type KafkaSinkOptions } from '../../../src/capture-proxy/kafka-sink';
import { buildProxyCommand } from '../../../src/capture-proxy/options';
import { parseProxyArgs as parse } from '../../support/proxy-options';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'proxy-kafka-tls-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, PEM);
const keyFile = join(dir, 'key.pem');
writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const base = ['--destinationUri', 'http://source:9200', '--listenPort', '9201', '--kafkaConnection', 'b1:9096'];
const scram = ['--kafkaAuthType', 'scram-sha-512', '--kafkaUserName', 'proxy', '--kafkaPassword', 'secret'];

describe('--kafkaCaCertFile', () => {
  it('reads the CA PEM from the flag, its kebab-case spelling or CAPTURE_PROXY_KAFKA_CA_CERT_FILE', () => {
    const flag = parse([...base, ...scram, '--kafkaCaCertFile', caFile]);
    expect(flag.capture).toEqual({ kind: 'kafka', brokers: ['b1:9096'], topic: 'logging-traffic-topic', clientId: 'HttpCaptureProxyProducer', auth: { type: 'scram-sha-512', username: 'proxy', password: 'secret' }, caCert: PEM, compression: 'none' });
    expect(parse([...base, ...scram, `--kafka-ca-cert-file=${caFile}`])).toEqual(flag);
    const fromEnv = parse([], {
      CAPTURE_PROXY_DESTINATION_URI: 'http://source:9200',
      CAPTURE_PROXY_LISTEN_PORT: '9201',
      CAPTURE_PROXY_KAFKA_CONNECTION: 'b1:9096',
      CAPTURE_PROXY_KAFKA_AUTH_TYPE: 'scram-sha-512',
      CAPTURE_PROXY_KAFKA_USER_NAME: 'proxy',
      CAPTURE_PROXY_KAFKA_PASSWORD: 'secret',
      CAPTURE_PROXY_KAFKA_CA_CERT_FILE: caFile,
    });
    expect(fromEnv).toEqual(flag);
    expect(parse([...base, '--kafkaAuthType', 'ssl', '--kafkaCaCertFile', caFile]).capture).toMatchObject({ auth: { type: 'tls' }, caCert: PEM });
  });

  it('is left out when not given, so the system CAs are trusted', () => {
    expect(parse([...base, ...scram]).capture).not.toHaveProperty('caCert');
  });

  it('is documented in --help with its environment variable', () => {
    expect(buildProxyCommand().helpInformation()).toMatch(/--kafkaCaCertFile <file> +PEM CA certificates to trust for Kafka's TLS[^]*\(env: CAPTURE_PROXY_KAFKA_CA_CERT_FILE\)/);
  });

  it.each([
    ['a plaintext connection', () => [...base, '--kafkaCaCertFile', caFile], '--kafkaCaCertFile needs a TLS connection to Kafka: --kafkaAuthType ssl, scram-sha-512 or msk-iam'],
    ['a missing file', () => [...base, ...scram, '--kafkaCaCertFile', join(dir, 'absent.pem')], `--kafkaCaCertFile: cannot read ${join(dir, 'absent.pem')} (ENOENT)`],
    ['a file without a certificate', () => [...base, ...scram, '--kafkaCaCertFile', keyFile], `--kafkaCaCertFile: ${keyFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
  ])('refuses %s, naming the option', (_label, argv, message) => {
    expect(() => parse(argv())).toThrow(message);
  });
});

describe('a refused Kafka connection as one sentence', () => {
  const options: KafkaSinkOptions = { brokers: ['k1:9096', 'k2:9096'], topic: 't', clientId: 'c', auth: { type: 'scram-sha-512', username: 'proxy', password: 'wrong' }, deliveryTimeoutMs: 1000 };
  // kafkajs's typings leave out the message its error constructors take.
  const saslError = (message: string) => new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(message);

  it('names the brokers and the SCRAM user whose credentials were refused', () => {
    const error = connectFailure(saslError('SASL SCRAM SHA512 authentication failed: invalid credentials'), options);
    expect(error.message).toBe('Kafka brokers k1:9096,k2:9096 refused the SCRAM-SHA-512 credentials of user "proxy" (SASL SCRAM SHA512 authentication failed: invalid credentials)');
    expect(connectFailure(saslError('token expired'), { ...options, auth: { type: 'msk-iam', region: 'eu-west-1' } }).message).toBe('Kafka brokers k1:9096,k2:9096 refused the credentials (token expired)');
  });

  it('tells an untrusted certificate, and a certificate for other names, from an unreachable broker', () => {
    const untrusted = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: unable to get local issuer certificate', { broker: 'k1:9096', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }), { retryCount: 2, retryTime: 300 });
    expect(connectFailure(untrusted, options).message).toBe('the TLS certificate of Kafka brokers k1:9096,k2:9096 is not trusted (unable to get local issuer certificate): give its CA with --kafkaCaCertFile');
    const misnamed = new KafkaJSConnectionError("Connection error: Hostname/IP does not match certificate's altnames", { broker: 'k1:9096', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(connectFailure(misnamed, options).message).toBe("the TLS certificate of Kafka brokers k1:9096,k2:9096 is not trusted (Hostname/IP does not match certificate's altnames): give the brokers under a name their certificate holds");
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9096', { broker: 'k1:9096', code: 'ECONNREFUSED' });
    expect(connectFailure(refused, options)).toBe(refused);
  });
});
