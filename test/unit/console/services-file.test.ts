/** services.yaml: reference schema, per-section validation, errors naming the key path. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServicesFile } from '../../../src/console/config/services-file';
import { runConsole } from './capture';

describe('ServicesFile', () => {
  it('reads the reference layout with basic auth and an s3 snapshot', () => {
    const file = ServicesFile.parse(
      [
        'source_cluster:',
        '  endpoint: https://source.example:9200',
        '  allow_insecure: true',
        '  basic_auth:',
        '    username: admin',
        '    password: secret',
        'target_cluster:',
        '  endpoint: https://target.example',
        '  sigv4:',
        '    region: eu-west-1',
        'snapshot:',
        '  snapshot_name: rfs',
        '  s3:',
        '    repo_uri: s3://bucket/prefix',
        '    aws_region: eu-west-1',
        'kafka:',
        '  broker_endpoints: b:9092',
        '  msk:',
      ].join('\n'),
      'services.yaml',
    );
    expect(file.cluster('source')).toMatchObject({ endpoint: 'https://source.example:9200', basic_auth: { username: 'admin' } });
    expect(file.cluster('target').sigv4).toEqual({ region: 'eu-west-1' });
    expect(file.snapshot()).toMatchObject({ snapshot_name: 'rfs', snapshot_repo_name: 'migration_assistant_repo' });
  });

  it('accepts the short section names source and target', () => {
    const file = ServicesFile.parse('source:\n  endpoint: http://127.0.0.1:9200\n  no_auth:\n', 'f.yaml');
    expect(file.hasCluster('source')).toBe(true);
    expect(file.cluster('source').endpoint).toBe('http://127.0.0.1:9200');
  });

  it('names the bad key and its path, and leaves other sections usable', () => {
    const file = ServicesFile.parse('source_cluster:\n  endpoint: http://a:9200\ntarget_cluster:\n  endpoint: http://b:9200\n  basic_auth:\n    username: u\n    pasword: p\n', 'f.yaml');
    expect(file.cluster('source').endpoint).toBe('http://a:9200');
    expect(() => file.cluster('target')).toThrow(/f\.yaml: target_cluster\.basic_auth/);
  });

  it('rejects two auth blocks and an unknown key inside a cluster', () => {
    const both = ServicesFile.parse('target_cluster:\n  endpoint: http://b:9200\n  no_auth:\n  sigv4:\n', 'f.yaml');
    expect(() => both.cluster('target')).toThrow('give at most one of no_auth, basic_auth, sigv4');
    const unknown = ServicesFile.parse('target_cluster:\n  endpoint: http://b:9200\n  colour: red\n', 'f.yaml');
    expect(() => unknown.cluster('target')).toThrow(/target_cluster: .*"colour"/);
  });

  it('rejects an unknown top-level key and a missing section with their names', () => {
    expect(() => ServicesFile.parse('sauce_cluster: {}\n', 'f.yaml')).toThrow('unknown top-level key "sauce_cluster"');
    expect(() => ServicesFile.parse('kafka: {}\n', 'f.yaml').snapshot()).toThrow('snapshot is not set in f.yaml');
  });

  it('requires exactly one snapshot repository', () => {
    const file = ServicesFile.parse('snapshot:\n  snapshot_name: s\n', 'f.yaml');
    expect(() => file.snapshot()).toThrow('give exactly one of s3, fs');
  });
});

describe('console with a bad services file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ma-console-'));

  it('exits 1 naming a missing file, with the JSON envelope under --json', async () => {
    const missing = join(dir, 'nope.yaml');
    const run = await runConsole(['--config-file', missing, '--json', 'clusters', 'cat-indices']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`Error: cannot read the services file ${missing} (ENOENT); give another with --config-file\n`);
    expect(JSON.parse(run.stdout)).toEqual({ version: 1, command: 'clusters cat-indices', status: 1, error: { code: 'MA_CONFIG_MISSING', message: expect.stringContaining('nope.yaml') } });
  });

  it('exits 1 naming the bad key, without a stack trace unless -v', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'source_cluster:\n  endpoint: not a url\n');
    const run = await runConsole(['--config-file', path, 'clusters', 'connection-check']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^Error: .*bad\.yaml: source_cluster\.endpoint: .*\n$/);
    const verbose = await runConsole(['--config-file', path, '-v', 'clusters', 'connection-check']);
    expect(verbose.stderr).toMatch(/\n {4}at /);
  });

  it('exits 2 on a usage error', async () => {
    const run = await runConsole(['clusters', 'curl', 'source', '/', '-H', 'no-colon']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('"no-colon" is not a header');
  });
});
