/**
 * Workers as local processes the console starts itself: each a detached `backfill-worker` whose pid is
 * kept in a state folder, so any later `console` call can count, scale and stop them. A worker that has
 * exited (its work done, or killed) no longer counts as running.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WorkerCounts, WorkerPlatform } from './platform';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LocalWorkerLaunch {
  /** The program and arguments of one worker. */
  command: string;
  args: string[];
  env: Record<string, string>;
}

export class LocalWorkers implements WorkerPlatform {
  readonly description: string;

  constructor(
    readonly stateDir: string,
    readonly launch: LocalWorkerLaunch,
  ) {
    this.description = `local worker processes (state in ${stateDir})`;
  }

  #pids(): number[] {
    if (!existsSync(this.stateDir)) return [];
    return readdirSync(this.stateDir)
      .filter((f) => /^worker-\d+\.pid$/.test(f))
      .map((f) => Number(readFileSync(join(this.stateDir, f), 'utf8')))
      .filter((pid) => {
        if (alive(pid)) return true;
        rmSync(join(this.stateDir, `worker-${pid}.pid`), { force: true });
        return false;
      });
  }

  #desired(): number {
    const file = join(this.stateDir, 'desired');
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  }

  async counts(): Promise<WorkerCounts> {
    return { running: this.#pids().length, pending: 0, desired: this.#desired() };
  }

  async scale(desired: number): Promise<WorkerCounts> {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(join(this.stateDir, 'desired'), String(desired));
    const pids = this.#pids();
    for (let i = pids.length; i < desired; i++) {
      const log = openSync(join(this.stateDir, `worker-${Date.now()}-${i}.log`), 'a');
      const child = spawn(this.launch.command, this.launch.args, { detached: true, stdio: ['ignore', 'ignore', log], env: { ...process.env, ...this.launch.env } });
      child.unref();
      if (child.pid) writeFileSync(join(this.stateDir, `worker-${child.pid}.pid`), String(child.pid));
    }
    // SIGTERM lets a worker finish its bulks, checkpoint and release its item.
    for (const pid of pids.slice(desired)) process.kill(pid, 'SIGTERM');
    return { running: Math.min(pids.length, desired) + Math.max(0, desired - pids.length), pending: 0, desired };
  }

  async waitUntilStopped(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#pids().length === 0) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return this.#pids().length === 0;
  }
}

/** The repository's own worker program. */
export function workerProgram(): string {
  return resolve(__dirname, '../../../bin/backfill-worker.js').replace('/dist/bin/', '/bin/');
}
