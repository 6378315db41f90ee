/**
 * A lease whose heartbeats fail for a while (target briefly unreachable or overloaded) keeps the worker
 * process alive and keeps its lease: the next heartbeat tries again. A local HTTP server plays the
 * working-state index: it accepts the claim, then answers 503 to every write. The lease runs in a child
 * process, because only a real process shows whether a failed heartbeat would take it down.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

let server: Server;
let writes = 0;
let lastAccepted: { docsMigrated?: number; bytesMigrated?: number; docsFailed?: number; cursor?: unknown } = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      writes++;
      const ok = writes === 1 || writes > 6;
      if (ok) lastAccepted = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof lastAccepted;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ _seq_no: 1, _primary_term: 1, result: 'updated' }) : '{"error":"unavailable"}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** Claims a lease with a 5 ms heartbeat, records progress, checkpoints and heartbeats while writes fail, checkpoints again; prints the outcome. */
const script = (endpoint: string) => `
const { ClusterClient } = require(${JSON.stringify(resolve(__dirname, '../../../src/cluster'))});
const { Lease } = require(${JSON.stringify(resolve(__dirname, '../../../src/backfill/lease'))});
const { WorkingState } = require(${JSON.stringify(resolve(__dirname, '../../../src/backfill/working-state'))});
const client = new ClusterClient({ endpoint: ${JSON.stringify(endpoint)}, maxRetries: 0 });
const doc = { kind: 'item', stateVersion: 1, index: 'books', shard: 0, part: 0, range: {}, documents: 10, status: 'pending', expiration: 0, docsMigrated: 0, bytesMigrated: 0, docsFailed: 0, attempts: 0, leasesExpired: 0, updatedAt: 0 };
(async () => {
  const lease = await Lease.claim(new WorkingState(client, 'unit'), { id: 'Ym9va3M__0__0', seqNo: 0, primaryTerm: 1, doc }, 'w1', { leaseMs: 60000, heartbeatMs: 5, now: Date.now });
  lease.record(10, 1000, 1);
  const firstCheckpoint = await lease.checkpoint({ segment: '_0', doc: 5 }).then(() => 'written', () => 'refused');
  const keepAlive = setInterval(() => {}, 1000);
  await new Promise((r) => setTimeout(r, 300));
  lease.stop();
  const checkpointed = await lease.checkpoint({ segment: '_0', doc: 11 });
  clearInterval(keepAlive);
  client.close();
  process.stdout.write(JSON.stringify({ claimed: !!lease, firstCheckpoint, lost: lease.lost, checkpointed }));
})();
`;

it('survives failing heartbeats without losing the lease or the progress recorded meanwhile', async () => {
  // GIVEN a claimed lease whose heartbeats all fail WHEN its process runs on for a while
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script(endpoint)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));

  // THEN five writes were refused, yet the process ended normally still holding its lease
  expect(writes).toBeGreaterThan(6);
  expect({ code, err: err.split('\n').filter((l) => /Error|unhandled/i.test(l)) }).toEqual({ code: 0, err: [] });
  expect(JSON.parse(out)).toEqual({ claimed: true, firstCheckpoint: 'refused', lost: false, checkpointed: true });
  // AND the progress of the refused checkpoint reached the store with the next one
  expect(lastAccepted).toMatchObject({ docsMigrated: 10, bytesMigrated: 1000, docsFailed: 1, cursor: { segment: '_0', doc: 11 } });
}, 30_000);
