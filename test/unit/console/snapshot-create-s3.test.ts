/**
 * `snapshot create` with an S3 repository: the repository the source is asked to register (bucket, base
 * path, region, the role the cluster assumes, the rate limit). A local server plays the source cluster.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConsole } from './capture';

const calls: { method?: string; url?: string; body: unknown }[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ method: req.method, url: req.url, body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ accepted: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('registers the S3 repository with its role and starts a snapshot of every non-system index', async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'ma-console-s3-')), 'services.yaml');
  writeFileSync(
    config,
    [
      'source_cluster:',
      `  endpoint: ${endpoint}`,
      'snapshot:',
      '  snapshot_name: rfs-snapshot',
      '  s3:',
      '    repo_uri: s3://migration-bucket/snapshots/prod/',
      '    aws_region: eu-west-1',
      '    role: arn:aws:iam::123456789012:role/snapshot-role',
      '',
    ].join('\n'),
  );
  const run = await runConsole(['--config-file', config, 'snapshot', 'create', '--max-snapshot-rate-mb-per-node', '80']);
  expect(run).toEqual({ exitCode: 0, stdout: 'Snapshot rfs-snapshot creation initiated successfully\n', stderr: '' });
  expect(calls).toEqual([
    {
      method: 'PUT',
      url: '/_snapshot/migration_assistant_repo',
      body: { type: 's3', settings: { bucket: 'migration-bucket', base_path: 'snapshots/prod', region: 'eu-west-1', role_arn: 'arn:aws:iam::123456789012:role/snapshot-role', max_snapshot_bytes_per_sec: '80mb' } },
    },
    { method: 'PUT', url: '/_snapshot/migration_assistant_repo/rfs-snapshot', body: { indices: '*,-.*', include_global_state: true, ignore_unavailable: true } },
  ]);
});

it('refuses a rate that is not a positive number, naming the flag', async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'ma-console-s3-')), 'services.yaml');
  writeFileSync(config, `source_cluster:\n  endpoint: ${endpoint}\nsnapshot:\n  snapshot_name: s\n  fs:\n    repo_path: /snapshots\n`);
  calls.length = 0;
  const run = await runConsole(['--config-file', config, 'snapshot', 'create', '--max-snapshot-rate-mb-per-node', 'fast']);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe('Error: --max-snapshot-rate-mb-per-node must be a positive number, got "fast"\n');
  expect(calls).toEqual([]);
});
