/** The proxy's options: reference spellings, kebab-case aliases, environment variables, --help, and errors naming the option. */
import { availableParallelism } from 'node:os';
import { buildProxyCommand, envName, ProxyOptionsError } from '../../../src/capture-proxy/options';
import { parseProxyArgs as parse } from '../../support/proxy-options';


describe('capture proxy options', () => {
  it('accepts the reference spellings and their kebab-case aliases alike', () => {
    const reference = parse(['--destinationUri', 'https://source:9200', '--listenPort', '9201', '--kafkaConnection', 'b1:9092, b2:9092', '--insecureDestination']);
    const kebab = parse(['--destination-uri', 'https://source:9200', '--listen-port=9201', '--kafka-connection', 'b1:9092, b2:9092', '--insecure-destination']);
    expect(kebab).toEqual(reference);
    expect(reference).toMatchObject({
      destination: new URL('https://source:9200'),
      listenPort: 9201,
      insecureDestination: true,
      mutationPolicy: 'forward',
      capture: { kind: 'kafka', brokers: ['b1:9092', 'b2:9092'], topic: 'logging-traffic-topic', auth: { type: 'none' }, compression: 'none' },
    });
  });

  it('takes gzip compression for Kafka from the flag or CAPTURE_PROXY_KAFKA_COMPRESSION', () => {
    const base = ['--destinationUri', 'http://s:9200', '--listenPort', '1', '--kafkaConnection', 'b:9092'];
    expect(parse([...base, '--kafka-compression', 'gzip']).capture).toMatchObject({ kind: 'kafka', compression: 'gzip' });
    expect(parse(base, { CAPTURE_PROXY_KAFKA_COMPRESSION: 'gzip' }).capture).toMatchObject({ kind: 'kafka', compression: 'gzip' });
  });

  it('reads every option from CAPTURE_PROXY_<NAME> environment variables', () => {
    expect(envName('traceDirectory')).toBe('CAPTURE_PROXY_TRACE_DIRECTORY');
    expect(envName('enableMSKAuth')).toBe('CAPTURE_PROXY_ENABLE_MSK_AUTH');
    expect(envName('kafkaCaCertFile')).toBe('CAPTURE_PROXY_KAFKA_CA_CERT_FILE');
    const config = parse([], {
      CAPTURE_PROXY_DESTINATION_URI: 'http://127.0.0.1:9200',
      CAPTURE_PROXY_LISTEN_PORT: '9300',
      CAPTURE_PROXY_TRACE_DIRECTORY: 'traces',
      CAPTURE_PROXY_ON_CAPTURE_FAILURE: 'reject',
      CAPTURE_PROXY_REDACT_AUTHORIZATION: 'true',
    });
    expect(config).toMatchObject({ listenPort: 9300, capture: { kind: 'file', directory: 'traces' }, mutationPolicy: 'reject', redactAuthorization: true });
  });

  it('turns header matches into anchored, case-insensitive-name patterns', () => {
    const config = parse(['--destinationUri', 'http://s:9200', '--listenPort', '1', '--noCapture', '--suppressCaptureForHeaderMatch', 'X-Test=yes|true', 'user-agent=probe.*']);
    const [[name, pattern], [, probe]] = config.suppressHeaderMatches;
    expect(name).toBe('x-test');
    expect([pattern.test('yes'), pattern.test('true'), pattern.test('yes!')]).toEqual([true, true, false]);
    expect(probe.test('probe/1')).toBe(true);
  });

  it('documents every option in --help', () => {
    const help = buildProxyCommand().helpInformation();
    for (const option of ['--destinationUri', '--listenPort', '--kafkaConnection', '--traceDirectory', '--kafkaAuthType', '--enableMSKAuth', '--onCaptureFailure', '--suppressCaptureForHeaderMatch', '--redactAuthorization', '--maxHeaderBytes', '--sslCertChainFile']) {
      expect(help).toContain(option);
    }
    expect(help).toContain('CAPTURE_PROXY_LISTEN_PORT');
  });

  it.each([
    [[], '--destinationUri is required'],
    [['--destinationUri', 'ftp://s', '--listenPort', '1', '--noCapture'], '--destinationUri must start with http'],
    [['--destinationUri', 'http://s', '--listenPort', '99999', '--noCapture'], '--listenPort must be a port number'],
    [['--destinationUri', 'http://s', '--listenPort', '1'], 'exactly one of --kafkaConnection'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--noCapture', '--traceDirectory', 'x'], 'exactly one of --kafkaConnection'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--kafkaConnection', 'b:9092', '--kafkaAuthType', 'scram-sha-512'], '--kafkaUserName and --kafkaPassword'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--kafkaConnection', 'b:9092', '--kafkaAuthType', 'kerberos'], '--kafkaAuthType must be'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--kafkaConnection', 'b:9092', '--kafkaCompression', 'brotli'], '--kafkaCompression must be none or gzip, got "brotli"'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--noCapture', '--onCaptureFailure', 'drop'], '--onCaptureFailure must be forward or reject'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--noCapture', '--suppressCaptureForHeaderMatch', 'x=('], 'invalid regex'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--noCapture', '--sslKeyFile', 'k.pem'], '--sslCertChainFile and --sslKeyFile go together'],
    [['--destinationUri', 'http://s', '--listenPort', '1', '--noCapture', '--flushIntervalMs', '0'], '--flushIntervalMs must be a positive whole number'],
  ])('refuses %j naming the option', (argv, message) => {
    const attempt = () => parse(argv, { AWS_REGION: '' });
    expect(attempt).toThrow(ProxyOptionsError);
    expect(attempt).toThrow(message);
  });

  it('needs a region for MSK IAM', () => {
    expect(() => parse(['--destinationUri', 'http://s', '--listenPort', '1', '--kafkaConnection', 'b:9098', '--enableMSKAuth'], { AWS_REGION: '' })).toThrow('--awsRegion or AWS_REGION');
    expect(parse(['--destinationUri', 'http://s', '--listenPort', '1', '--kafkaConnection', 'b:9098', '--enable-msk-auth', '--awsRegion', 'eu-west-1']).capture).toMatchObject({ auth: { type: 'msk-iam', region: 'eu-west-1' } });
  });

  it('takes a number of workers, or auto for one per CPU, and names the option when it is wrong', () => {
    const base = ['--destinationUri', 'http://s:9200', '--listenPort', '1', '--noCapture'];
    expect(parse(base).workers).toBe(1);
    expect(parse([...base, '--workers', '3']).workers).toBe(3);
    expect(parse(base, { CAPTURE_PROXY_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(() => parse([...base, '--workers', '0'])).toThrow('--workers must be a positive whole number, got "0"');
    expect(() => parse([...base, '--workers', 'many'])).toThrow('--workers must be a positive whole number, got "many"');
    expect(() => parse([...base, '--workers', '65'])).toThrow('--workers must be auto or at most 64, got "65"');
  });
});
