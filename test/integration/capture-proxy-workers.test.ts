/**
 * The `capture-proxy` program with `--workers 2`, recording to the file sink: both workers take
 * connections on the one port, each writes its own capture file, every request is captured once, the
 * health answer counts the whole proxy, metrics still reach stdout whole, a worker that dies is replaced
 * while the proxy keeps answering, and SIGTERM stops everything with each connection's capture closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readLengthPrefixed } from '../../src/capture-proxy/file-sink';
import { decodeTrafficStream } from '../../src/capture-proxy/traffic-stream';
import { startAnsweringOrigin, type AnsweringOrigin } from '../support/answering-origin';
import { rawExchange, request } from '../support/raw-http';
import { until } from '../support/until';

const root = resolve(__dirname, '../..');

describe('capture proxy with --workers 2', () => {
  let origin: AnsweringOrigin;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    origin = await startAnsweringOrigin();
    dir = mkdtempSync(join(tmpdir(), 'capture-workers-'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares the port, captures every request once, replaces a dead worker and stops cleanly', async () => {
    // GIVEN the program with two workers, from source
    const originUrl = origin.url;
    const traces = join(dir, 'traces');
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/capture-proxy/main.ts'), '--destinationUri', originUrl, '--listenPort', '0', '--listenHost', '127.0.0.1', '--traceDirectory', traces, '--workers', '2', '--flushIntervalMs', '100'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const logs = () => stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const listening = await until(() => {
      const lines = logs().filter((l) => l.msg === 'capture proxy listening');
      return lines.length === 2 ? lines : undefined;
    }, 'two workers listening', 30_000);
    const port = listening[0].port as number;
    expect(listening[1].port).toBe(port);
    expect(listening[0].nodeId).not.toBe(listening[1].nodeId);

    // WHEN 40 clients each send a POST on a connection of their own
    const paths = Array.from({ length: 40 }, (_, i) => `/doc-${i}`);
    const answers = await Promise.all(paths.map((path) => rawExchange(port, [request('POST', path, { connection: 'close' }, `{"n":"${path}"}`)])));

    // THEN every one is answered, and the health answer (counters shared within a second) counts the proxy
    expect(answers.map((a) => a.received.toString().split('\r\n\r\n')[1])).toEqual(paths.map((path) => `answer to POST ${path}`));
    await new Promise((r) => setTimeout(r, 1500));
    const health = JSON.parse((await rawExchange(port, [request('GET', '/__health', { connection: 'close' })])).received.toString().split('\r\n\r\n')[1]) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', workers: 2, capturesLost: 0 });

    // WHEN one worker is killed
    const workerPids = () => logs().filter((l) => l.msg === 'capture proxy listening').map((l) => l.pid as number);
    process.kill(workerPids()[0], 'SIGKILL');

    // THEN another takes its place and the proxy keeps answering
    await until(() => logs().some((l) => l.msg === 'worker died: starting another') && workerPids().length === 3, 'a new worker', 30_000);
    const after = await rawExchange(port, [request('POST', '/after', { connection: 'close' }, '{}')]);
    expect(after.received.toString()).toContain('answer to POST /after');

    // WHEN the proxy is stopped
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child.kill('SIGTERM');

    // THEN it exits 0, and the three workers' files hold every request once (the killed worker's, those it
    // had captured before it died)
    expect(await exited).toBe(0);
    const files = readdirSync(traces);
    expect(files).toHaveLength(3);
    const streams = files.flatMap((file) => readLengthPrefixed(readFileSync(join(traces, file))).map((bytes) => decodeTrafficStream(bytes)));
    const heads = streams.flatMap((s) => s.subStream.flatMap((o) => ('read' in o ? [Buffer.from(o.read.data).toString()] : []))).filter((read) => read.startsWith('POST '));
    const captured = heads.map((head) => head.split(' ')[1]);
    expect(new Set(captured)).toEqual(new Set([...paths, '/after']));
    expect(captured).toHaveLength(paths.length + 1);
    // both first workers took some of the 40 connections
    const takers = new Set(streams.filter((s) => s.subStream.some((o) => 'read' in o && Buffer.from(o.read.data).toString().startsWith('POST /doc-'))).map((s) => s.nodeId));
    expect([...takers].sort()).toEqual(listening.map((l) => l.nodeId).sort());
    // every metric document on stdout is whole JSON
    const documents = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { CaptureRequests?: number });
    expect(documents.reduce((n, d) => n + (d.CaptureRequests ?? 0), 0)).toBeGreaterThanOrEqual(paths.length);
  }, 90_000);

  it('stops with the workers\' error when they cannot listen, rather than restarting them', async () => {
    // GIVEN a port already taken
    const taken = await startAnsweringOrigin();
    const port = taken.port;
    try {
      // WHEN the program starts two workers on it
      const run = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/capture-proxy/main.ts'), '--destinationUri', 'http://127.0.0.1:1', '--listenPort', String(port), '--listenHost', '127.0.0.1', '--noCapture', '--workers', '2'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => run.once('exit', r));

      // THEN it exits non-zero, saying why, without having started replacements
      expect(code).not.toBe(0);
      expect(stderr).toContain('EADDRINUSE');
      expect(stderr).toContain('a worker stopped before it listened: stopping the proxy');
      expect(stderr).not.toContain('starting another');
    } finally {
      await taken.close();
    }
  }, 60_000);
});
