/**
 * Basic-auth passwords from Secrets Manager (mocked at the SDK boundary): fetched once per process,
 * JSON or bare-password secrets, never printed. A local server checks the credentials it receives.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConsole } from './capture';

const secretsManager = mockClient(SecretsManagerClient);
const GOOD = 'Basic ' + Buffer.from('admin:s3cret-from-aws').toString('base64');
let server: Server;
let endpoint: string;
const dir = mkdtempSync(join(tmpdir(), 'ma-console-secrets-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.statusCode = req.headers.authorization === GOOD ? 200 : 401;
    res.end(JSON.stringify(res.statusCode === 200 ? { version: { number: '7.10.2' } } : { error: 'unauthorized' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  secretsManager.restore();
});

function services(name: string, auth: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `source_cluster:\n  endpoint: ${endpoint}\n  basic_auth:\n${auth}`);
  return path;
}

it('reads a JSON secret once for every command of the process and never shows the password', async () => {
  secretsManager.on(GetSecretValueCommand, { SecretId: 'arn:json' }).resolves({ SecretString: JSON.stringify({ username: 'admin', password: 's3cret-from-aws' }) });
  const config = services('json', '    user_secret_arn: arn:json\n');
  const first = await runConsole(['--config-file', config, 'clusters', 'connection-check']);
  const second = await runConsole(['--config-file', config, '-v', 'clusters', 'connection-check']);
  expect(first).toEqual({ exitCode: 0, stdout: 'SOURCE CLUSTER\nSuccessfully connected! (Elasticsearch 7.10.2)\n', stderr: '' });
  expect(second.exitCode).toBe(0);
  expect(secretsManager.commandCalls(GetSecretValueCommand, { SecretId: 'arn:json' })).toHaveLength(1);
});

it('takes a bare-password secret with the username beside it (password_from_secret_arn)', async () => {
  secretsManager.on(GetSecretValueCommand, { SecretId: 'arn:bare' }).resolves({ SecretString: 's3cret-from-aws' });
  const run = await runConsole(['--config-file', services('bare', '    username: admin\n    password_from_secret_arn: arn:bare\n'), 'clusters', 'connection-check']);
  expect(run.exitCode).toBe(0);
});

it('exits 1 naming the secret when Secrets Manager refuses', async () => {
  secretsManager.on(GetSecretValueCommand, { SecretId: 'arn:denied' }).rejects(new Error('AccessDeniedException: not allowed'));
  const run = await runConsole(['--config-file', services('denied', '    user_secret_arn: arn:denied\n'), '--json', 'clusters', 'connection-check']);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe('Error: cannot read secret arn:denied: AccessDeniedException: not allowed\n');
  expect(JSON.parse(run.stdout)).toMatchObject({ status: 1, error: { code: 'MA_CONFIG_SECRET' } });
});
