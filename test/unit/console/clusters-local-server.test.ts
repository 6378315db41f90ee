/**
 * Cases the shared test bed cannot show safely: clearing every index (the clusters are shared) and a
 * wrong password (the test-bed clusters run without security). A local server on port 0 plays the cluster.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelope, runConsole } from './capture';

const GOOD = 'Basic ' + Buffer.from('admin:right-password').toString('base64');
const requests: string[] = [];
let server: Server;
let endpoint: string;
const dir = mkdtempSync(join(tmpdir(), 'ma-console-local-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== GOOD) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { type: 'security_exception', reason: 'missing authentication credentials' }, status: 401 }));
    } else if (req.method === 'GET' && req.url === '/') {
      res.end(JSON.stringify({ version: { number: '2.19.1', distribution: 'opensearch' } }));
    } else {
      res.end(JSON.stringify({ acknowledged: true }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
});

function services(password: string): string {
  const path = join(dir, `${password}.yaml`);
  writeFileSync(path, `target_cluster:\n  endpoint: ${endpoint}\n  basic_auth:\n    username: admin\n    password: ${password}\n`);
  return path;
}

describe('clusters connection-check with a wrong password', () => {
  it('exits 1 with the auth error and never prints the password', async () => {
    const run = await runConsole(['--config-file', services('wrong-password'), 'clusters', 'connection-check']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^TARGET CLUSTER\nUnable to connect to cluster with error: .*401.*missing authentication credentials/);
    expect(run.stderr).toBe('Error: cannot connect to the target cluster\n');
    expect(run.stdout + run.stderr).not.toContain('wrong-password');
    const json = envelope((await runConsole(['--config-file', services('wrong-password'), '--json', 'clusters', 'connection-check'])).stdout, 'clusters connection-check');
    expect(json).toMatchObject({ status: 1, error: { code: 'MA_CLUSTER_AUTH' } });
  });

  it('connects with the right one', async () => {
    const run = await runConsole(['--config-file', services('right-password'), 'clusters', 'connection-check']);
    expect(run).toEqual({ exitCode: 0, stdout: 'TARGET CLUSTER\nSuccessfully connected! (OpenSearch 2.19.1)\n', stderr: '' });
  });
});

describe('clusters clear-indices', () => {
  it('deletes nothing and exits 1 when the question is declined', async () => {
    const run = await runConsole(['--config-file', services('right-password'), 'clusters', 'clear-indices', '--cluster', 'target'], 'n\n');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      'Clearing indices WILL result in the loss of all data on the target cluster. Are you sure you want to continue? [y/N]: ' +
        'Error: Aborting command: nothing was deleted (answer y, or pass --acknowledge-risk)\n',
    );
    expect(requests).toEqual([]);
  });

  it('deletes every non-system index after a yes', async () => {
    const run = await runConsole(['--config-file', services('right-password'), 'clusters', 'clear-indices', '--cluster', 'target'], 'y\n');
    expect(run.exitCode).toBe(0);
    expect(requests).toEqual(['DELETE /*,-.*,-searchguard*,-sg7*,.migrations_working_state*?ignore_unavailable=true']);
    expect(run.stdout).toBe('Performing clear indices operation...\nCleared indices on the target cluster: *,-.*,-searchguard*,-sg7*,.migrations_working_state*\n');
  });

  it('asks nothing with --acknowledge-risk, and refuses a cluster other than source or target', async () => {
    const run = await runConsole(['--config-file', services('right-password'), '--json', 'clusters', 'clear-indices', '--cluster', 'target', '--acknowledge-risk']);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(envelope(run.stdout, 'clusters clear-indices')).toEqual({ version: 1, command: 'clusters clear-indices', status: 0, result: { cluster: 'target', deleted: ['*,-.*,-searchguard*,-sg7*,.migrations_working_state*'] } });
    const bad = await runConsole(['--config-file', services('right-password'), 'clusters', 'clear-indices', '--cluster', 'both']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('must be "source" or "target"');
  });
});
