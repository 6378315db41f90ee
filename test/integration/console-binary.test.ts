/**
 * The installed program (`bin/console.js`, compiled by `npm ci` through `prepare`): exit codes, the JSON
 * envelope on stdout, one sentence on stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbedEndpoints } from '../testbed/endpoints';
import { envelope } from '../unit/console/capture';

const endpoints = testbedEndpoints();
const bin = join(__dirname, '../../bin/console.js');
const dir = mkdtempSync(join(tmpdir(), 'ma-console-bin-'));

function consoleBin(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('prints its version', async () => {
  const run = await consoleBin(['--version']);
  expect(run).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
});

it('checks the test-bed clusters and exits 0', async () => {
  const config = join(dir, 'ok.yaml');
  writeFileSync(config, `source_cluster:\n  endpoint: ${endpoints.source}\ntarget_cluster:\n  endpoint: ${endpoints.target}\n`);
  const run = await consoleBin(['--config-file', config, '--json', 'clusters', 'connection-check']);
  expect(run.exitCode).toBe(0);
  expect(envelope(run.stdout, 'clusters connection-check')).toMatchObject({ status: 0, result: { source_cluster: { cluster_version: '7.10.2' } } });
});

it('exits 1 with one sentence for a bad services file, 2 for an unknown command', async () => {
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, 'source_cluster:\n  endpoint: http://127.0.0.1:9200\n  no_auth:\n  sigv4:\n');
  const bad = await consoleBin(['--config-file', config, 'clusters', 'cat-indices']);
  expect(bad).toEqual({ exitCode: 1, stdout: '', stderr: `Error: ${config}: source_cluster: give at most one of no_auth, basic_auth and sigv4\n` });
  const unknown = await consoleBin(['clusters', 'cat-indexes']);
  expect(unknown.exitCode).toBe(2);
  expect(unknown.stderr).toContain("unknown command 'cat-indexes'");
});
