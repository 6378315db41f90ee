/**
 * The worker's command line: the reference worker's flags, the same settings from environment variables,
 * and validation errors that name the flag at fault.
 */
import { buildCommand, OptionsError, parseWorkerOptions } from '../../../src/backfill/options';
import type { WorkerConfig } from '../../../src/backfill/worker';

const ENV_KEYS = ['SNAPSHOT_NAME', 'SNAPSHOT_LOCAL_DIR', 'TARGET_HOST', 'SESSION_NAME', 'MAX_CONNECTIONS', 'FAILED_DOCS_OMIT_SOURCE', 'TARGET_INSECURE', 'NO_CREATE_INDICES'];
const saved = new Map(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function parse(argv: string[]): WorkerConfig {
  const command = buildCommand().exitOverride();
  command.parse(argv, { from: 'user' });
  return parseWorkerOptions(command.opts());
}

const LOCAL = ['--snapshot-name', 'nightly', '--snapshot-local-dir', '/snapshots', '--target-host', 'http://localhost:9200'];

it('accepts the reference worker flags, ignoring the ones that no longer matter', () => {
  const config = parse([
    '--snapshot-name', 'nightly',
    '--s3-repo-uri', 's3://bucket/repo',
    '--s3-region', 'eu-west-1',
    '--s3-endpoint', 'http://127.0.0.1:9000',
    '--target-host', 'https://search.example.com',
    '--target-aws-region', 'eu-west-1',
    '--target-aws-service-signing-name', 'aoss',
    '--target-insecure',
    '--index-allowlist', 'logs, books',
    '--session-name', 'blue',
    '--lucene-dir', '/lucene',
    '--s3-local-dir', '/s3',
  ]);
  expect(config).toMatchObject({
    snapshotName: 'nightly',
    repoUri: 's3://bucket/repo',
    s3Region: 'eu-west-1',
    s3Endpoint: 'http://127.0.0.1:9000',
    target: { endpoint: 'https://search.example.com', auth: { type: 'sigv4', region: 'eu-west-1', service: 'aoss' }, allowInsecure: true },
    indexAllowlist: ['logs', 'books'],
    sessionName: 'blue',
  });
});

it('uses basic auth when given a user and a password', () => {
  expect(parse([...LOCAL, '--target-username', 'admin', '--target-password', 'secret']).target.auth).toEqual({ type: 'basic', username: 'admin', password: 'secret' });
});

it('reads every setting from the environment when the flag is absent; a flag wins over its variable', () => {
  // GIVEN the settings in environment variables, as an ECS task definition passes them
  Object.assign(process.env, { SNAPSHOT_NAME: 'from-env', SNAPSHOT_LOCAL_DIR: '/env/repo', TARGET_HOST: 'http://env:9200', SESSION_NAME: 'green', MAX_CONNECTIONS: '7', FAILED_DOCS_OMIT_SOURCE: 'true', TARGET_INSECURE: '1' });

  // WHEN parsing with only one flag
  const config = parse(['--session-name', 'flag']);

  // THEN the variables are used, typed, and the flag overrides its own variable
  expect(config).toMatchObject({ snapshotName: 'from-env', repoUri: '/env/repo', target: { endpoint: 'http://env:9200', allowInsecure: true }, sessionName: 'flag', maxConcurrentBulks: 7, failedDocsIncludeSource: false });
});

it.each([
  ['TARGET_INSECURE', 'false', [], { target: { allowInsecure: false } }],
  ['TARGET_INSECURE', '0', [], { target: { allowInsecure: false } }],
  ['TARGET_INSECURE', 'yes', [], { target: { allowInsecure: true } }],
  ['TARGET_INSECURE', 'false', ['--target-insecure'], { target: { allowInsecure: true } }],
  ['NO_CREATE_INDICES', 'false', [], { createIndices: true }],
  ['NO_CREATE_INDICES', 'true', [], { createIndices: false }],
  ['FAILED_DOCS_OMIT_SOURCE', 'false', [], { failedDocsIncludeSource: true }],
])('reads the switch %s=%s by its value, not by its presence (flags %j win)', (variable, value, flags, expected) => {
  process.env[variable] = value;
  expect(parse([...LOCAL, ...flags])).toMatchObject(expected);
});

it('refuses a switch variable that is neither true nor false, naming it', () => {
  process.env.TARGET_INSECURE = 'maybe';
  expect(() => parse(LOCAL)).toThrow('TARGET_INSECURE must be true or false, not "maybe"');
});

it('has working defaults for everything but the snapshot, the repository and the target', () => {
  const config = parse(LOCAL);
  expect(config.maxConcurrentBulks).toBeGreaterThanOrEqual(1);
  expect(config.leaseMs).toBeGreaterThan(config.clockSkewMs);
  expect(config).toMatchObject({ multiTypeRule: 'merge', createIndices: true, failedDocsIncludeSource: true, target: { auth: { type: 'none' } } });
  expect(config.workerId).toMatch(/.+-[0-9a-f]{8}$/);
  expect(config.sessionName).toBeUndefined();
});

it.each([
  [['--snapshot-local-dir', '/s', '--target-host', 'http://h:9200'], /--snapshot-name is required/],
  [['--snapshot-name', 'n', '--target-host', 'http://h:9200'], /exactly one of --snapshot-local-dir and --s3-repo-uri/],
  [['--snapshot-name', 'n', '--snapshot-local-dir', '/s', '--s3-repo-uri', 's3://b/p', '--s3-region', 'r', '--target-host', 'http://h:9200'], /exactly one of --snapshot-local-dir and --s3-repo-uri/],
  [['--snapshot-name', 'n', '--s3-repo-uri', 's3://b/p', '--target-host', 'http://h:9200'], /--s3-region is required with --s3-repo-uri/],
  [['--snapshot-name', 'n', '--s3-repo-uri', 'bucket/p', '--s3-region', 'r', '--target-host', 'http://h:9200'], /--s3-repo-uri must look like s3:\/\/bucket\/prefix/],
  [['--snapshot-name', 'n', '--snapshot-local-dir', '/s'], /--target-host is required/],
  [[...LOCAL.slice(0, 4), '--target-host', 'localhost:9200'], /--target-host must be a URL/],
  [[...LOCAL, '--target-username', 'admin'], /--target-username and --target-password go together/],
  [[...LOCAL, '--target-username', 'a', '--target-password', 'b', '--target-aws-region', 'us-east-1'], /either basic auth .* or SigV4/],
  [[...LOCAL, '--target-aws-region', 'us-east-1', '--target-aws-service-signing-name', 'lambda'], /--target-aws-service-signing-name must be es or aoss/],
  [[...LOCAL, '--max-connections', '0'], /--max-connections must be at least 1/],
  [[...LOCAL, '--max-docs-per-bulk', 'many'], /--max-docs-per-bulk must be a number/],
  [[...LOCAL, '--session-name', 'Blue Team'], /--session-name may hold only/],
  [[...LOCAL, '--multi-type-rule', 'drop'], /--multi-type-rule must be merge or split/],
  [[...LOCAL, '--failed-docs-s3-uri', 'bucket'], /--failed-docs-s3-uri must look like s3:\/\/bucket\/prefix/],
])('refuses %j naming the flag at fault', (argv, message) => {
  expect(() => parse(argv)).toThrow(OptionsError);
  expect(() => parse(argv)).toThrow(message);
});

it('refuses an unknown flag', () => {
  expect(() => parse([...LOCAL, '--snapshot', 'x'])).toThrow(/unknown option '--snapshot'/);
});

it('explains every flag and its environment variable in --help', () => {
  const help = buildCommand().helpInformation();
  for (const text of ['--snapshot-name', 'SNAPSHOT_NAME', '--s3-repo-uri', '--target-aws-service-signing-name', 'TARGET_HOST', '--index-allowlist', '--session-name', '--lucene-dir', 'ignored', 'TARGET_INSECURE', 'NO_CREATE_INDICES']) expect(help).toContain(text);
});
