/** services.yaml: reference schema, per-section validation, errors naming the key path. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServicesConfig } from '../../../src/console/config/services';
import { runConsole } from './capture';

const dir = mkdtempSync(join(tmpdir(), 'ma-services-'));
let files = 0;

function servicesYaml(text: string): ServicesConfig {
  const path = join(dir, `services-${files++}.yaml`);
  writeFileSync(path, text);
  return ServicesConfig.load(path);
}

describe('ServicesConfig', () => {
  it('reads the reference layout with basic auth and an s3 snapshot', () => {
    const file = servicesYaml([
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
      ].join('\n'));
    expect(file.section('source_cluster')).toMatchObject({ endpoint: 'https://source.example:9200', basic_auth: { username: 'admin' } });
    expect(file.section('target_cluster').sigv4).toEqual({ region: 'eu-west-1' });
    expect(file.section('snapshot')).toMatchObject({ snapshot_name: 'rfs', s3: { repo_uri: 's3://bucket/prefix' } });
  });

  it('accepts the short section names source and target', () => {
    const file = servicesYaml('source:\n  endpoint: http://127.0.0.1:9200\n  no_auth:\n');
    expect(file.has('source_cluster')).toBe(true);
    expect(file.section('source_cluster').endpoint).toBe('http://127.0.0.1:9200');
  });

  it('names the bad key and its path, and leaves other sections usable', () => {
    const file = servicesYaml('source_cluster:\n  endpoint: http://a:9200\ntarget_cluster:\n  endpoint: http://b:9200\n  basic_auth:\n    username: u\n    pasword: p\n');
    expect(file.section('source_cluster').endpoint).toBe('http://a:9200');
    expect(() => file.section('target_cluster')).toThrow(/services-\d+\.yaml: target_cluster\.basic_auth: unknown key "pasword"/);
  });

  it('rejects two auth blocks and an unknown key inside a cluster', () => {
    const both = servicesYaml('target_cluster:\n  endpoint: http://b:9200\n  no_auth:\n  sigv4:\n');
    expect(() => both.section('target_cluster')).toThrow('give at most one of no_auth, basic_auth and sigv4');
    const unknown = servicesYaml('target_cluster:\n  endpoint: http://b:9200\n  colour: red\n');
    expect(() => unknown.section('target_cluster')).toThrow(/target_cluster: unknown key "colour"/);
  });

  it('rejects an unknown top-level key and a missing section with their names', () => {
    expect(() => servicesYaml('sauce_cluster: {}\n')).toThrow('unknown section "sauce_cluster"');
    expect(() => servicesYaml('kafka: {}\n').section('snapshot')).toThrow(/has no "snapshot" section, which this command needs/);
  });

  it('requires exactly one snapshot repository', () => {
    const file = servicesYaml('snapshot:\n  snapshot_name: s\n');
    expect(() => file.section('snapshot')).toThrow('snapshot: give exactly one of s3 and fs');
  });
});

describe('console with a bad services file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ma-console-'));

  it('exits 1 naming a missing file, with the JSON envelope under --json', async () => {
    const missing = join(dir, 'nope.yaml');
    const run = await runConsole(['--config-file', missing, '--json', 'clusters', 'cat-indices']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`Error: cannot read the services file ${missing}: give its path with --config-file\n`);
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
