/**
 * Starts a server as a detached process group (so it outlives the `up` command and can be stopped as a
 * whole), as an unprivileged user when we are root (OpenSearch and Elasticsearch refuse to run as root).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TestbedError } from './errors';

export const SERVER_USER = 'ma-testbed';

export interface RunAs {
  uid: number;
  gid: number;
  home: string;
}

/** The identity servers run as: the current user, or (as root) an unprivileged user created once. */
export function serverIdentity(home: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): string | undefined => {
    try {
      return execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  if (lookup() === undefined) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  }
  const uid = Number(lookup());
  const gid = Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' }).trim());
  return { uid, gid, home };
}

/** Gives a directory tree to the server user. */
export function chownTree(dir: string, who: RunAs | undefined): void {
  if (!who || !existsSync(dir)) return;
  chownSync(dir, who.uid, who.gid);
  if (!lstatSync(dir).isDirectory()) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (lstatSync(path).isDirectory()) chownTree(path, who);
    else chownSync(path, who.uid, who.gid);
  }
}

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  runAs?: RunAs;
}

/** Spawns the server in a new process group writing stdout and stderr to its log file; returns its pid. */
export function launch(spec: LaunchSpec): number {
  const out = openSync(spec.logFile, 'a');
  if (spec.runAs) chownSync(spec.logFile, spec.runAs.uid, spec.runAs.gid);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: spec.runAs?.home ?? process.env.HOME ?? '/tmp', ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
    uid: spec.runAs?.uid,
    gid: spec.runAs?.gid,
  });
  closeSync(out);
  if (child.pid === undefined) throw new TestbedError('TESTBED_SERVER_EXITED', `could not start ${spec.command} in ${spec.cwd}`);
  child.unref();
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`; resolves when the leader is gone. */
export async function stopGroup(pid: number, graceMs = 20_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  signal('SIGKILL');
  while (isAlive(pid)) await sleep(100);
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns true; on timeout or early exit, fails with the server's log tail. */
export async function awaitHealthy(name: string, pid: number, logFile: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new TestbedError('TESTBED_SERVER_EXITED', `${name} exited during start-up. Last lines of ${logFile}:\n${tail(logFile)}`);
    if (await probe().catch(() => false)) return;
    await sleep(500);
  }
  throw new TestbedError('TESTBED_START_TIMEOUT', `${name} was not healthy after ${Math.round(timeoutMs / 1000)} s. Last lines of ${logFile}:\n${tail(logFile)}`);
}
