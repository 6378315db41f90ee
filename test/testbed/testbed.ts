/**
 * The test bed's programmatic API: start (or reuse) the servers, report what runs, stop everything.
 * State lives in one JSON file, so the CLI, the jest global setup and the demo share one set of servers.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestbedEndpoints } from './endpoints';
import { TestbedError } from './errors';
import { paths, testbedHome } from './home';
import { awaitHealthy, chownTree, isAlive, launch, serverIdentity, sleep, stopGroup } from './launcher';
import { memoryFolder, removeMemoryFolder } from './memory-folder';
import { DEFAULT_SERVERS, S3_CREDENTIALS, SERVERS, type ServerName } from './servers';

interface RunningServer {
  pid: number;
  endpoint: string;
  /** More endpoint fields (secured Kafka listeners and their CA, credentials). */
  extraEndpoints?: Record<string, string>;
  logFile: string;
  description: string;
  startedAt: string;
  /** Its data folder in memory, removed when it stops. */
  memoryDir?: string;
}

interface TestbedState {
  repoDir: string;
  servers: Partial<Record<ServerName, RunningServer>>;
  watchdogPid?: number;
}

export interface UpOptions {
  servers?: ServerName[];
  /** Stop the servers this call starts when this process dies (jest's main process), even if it is killed. */
  ownerPid?: number;
  log?: (line: string) => void;
}

export interface UpResult {
  endpoints: TestbedEndpoints;
  /** The servers this call started (the others were already running and are reused). */
  started: ServerName[];
}

function readState(): TestbedState {
  const file = paths.state();
  if (!existsSync(file)) return { repoDir: join(paths.run(), 'repos'), servers: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as TestbedState;
}

function writeState(state: TestbedState): void {
  mkdirSync(paths.run(), { recursive: true });
  writeFileSync(paths.state(), JSON.stringify(state, null, 2) + '\n');
}

/** A cross-process lock (a directory holding the owner's pid), so two `up` calls never race. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = paths.lock();
  mkdirSync(paths.run(), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      if (Number.isFinite(owner) && !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new TestbedError('TESTBED_LOCKED', `the test bed lock ${lock} is held by process ${owner}`);
      else await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function endpointsOf(state: TestbedState): TestbedEndpoints {
  const get = (name: ServerName) => state.servers[name]?.endpoint;
  return {
    source: get('source') ?? '',
    target: get('target') ?? '',
    kafka: get('kafka') ?? '',
    s3: get('s3') ?? '',
    s3Region: S3_CREDENTIALS.region,
    s3AccessKeyId: S3_CREDENTIALS.accessKeyId,
    s3SecretAccessKey: S3_CREDENTIALS.secretAccessKey,
    repoDir: state.repoDir,
    ...(get('es56') ? { es56: get('es56') } : {}),
    ...(get('es68') ? { es68: get('es68') } : {}),
    ...(get('es8') ? { es8: get('es8') } : {}),
    ...(get('es9') ? { es9: get('es9') } : {}),
    ...(get('os13') ? { os13: get('os13') } : {}),
    ...(get('os3') ? { os3: get('os3') } : {}),
    ...Object.fromEntries(Object.values(state.servers).flatMap((server) => Object.entries(server?.extraEndpoints ?? {}))),
  };
}

/** The endpoint fields a server's definition publishes that this running instance did not record. */
function lacksEndpoints(name: ServerName, running: RunningServer): string[] {
  return (SERVERS[name].publishes ?? []).filter((key) => running.extraEndpoints?.[key] === undefined);
}

function requestedServers(explicit?: ServerName[]): ServerName[] {
  const extra = (process.env.MA_TESTBED_EXTRA ?? '').split(',').map((s) => s.trim()).filter(Boolean) as ServerName[];
  const wanted = explicit ?? [...new Set([...DEFAULT_SERVERS, ...extra])];
  for (const name of wanted) {
    if (!(name in SERVERS)) {
      throw new TestbedError('TESTBED_UNKNOWN_SERVER', `unknown test-bed server "${name}" (from --with or MA_TESTBED_EXTRA); known: ${Object.keys(SERVERS).join(', ')}`);
    }
  }
  return wanted;
}

/**
 * While servers start, SIGINT/SIGTERM (Ctrl-C on `up`, a cancelled CI job) stop the ones already
 * launched and release the lock before exiting: they are detached, so nothing else would stop them.
 */
function stopOnSignal(started: { pid: number }[], log: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    log(`testbed: ${signal} during start-up, stopping ${started.length} server(s)`);
    void Promise.all(started.map(({ pid }) => stopGroup(pid, 5000))).finally(() => {
      rmSync(paths.lock(), { recursive: true, force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/** Starts the requested servers that are not already running, all in parallel, and waits until healthy. */
export async function up(options: UpOptions = {}): Promise<UpResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const wanted = requestedServers(options.servers);
  return withLock(async () => {
    const state = readState();
    const runAs = serverIdentity(testbedHome());
    mkdirSync(state.repoDir, { recursive: true });
    chmodSync(state.repoDir, 0o777);
    const outdated: { name: ServerName; pid: number; lacking: string[] }[] = [];
    const missing = wanted.filter((name) => {
      const running = state.servers[name];
      if (running && isAlive(running.pid)) {
        const lacking = lacksEndpoints(name, running);
        if (lacking.length === 0) return false;
        outdated.push({ name, pid: running.pid, lacking });
      }
      delete state.servers[name];
      return true;
    });
    for (const { name, pid, lacking } of outdated) {
      log(`testbed: restarting ${name}: it was started by an older test bed, without ${lacking.join(', ')}`);
      await stopGroup(pid);
    }
    for (const name of wanted.filter((n) => !missing.includes(n))) log(`testbed: reusing ${name} at ${state.servers[name]?.endpoint}`);
    // Downloads run one after another (Maven's local repository is not safe for parallel writers);
    // the servers then start in parallel.
    const prepared = [];
    for (const name of missing) {
      const definition = SERVERS[name];
      log(`testbed: preparing ${definition.description}`);
      const dir = join(paths.run(), name);
      mkdirSync(dir, { recursive: true });
      const memoryDir = definition.dataInMemory ? memoryFolder(testbedHome(), name) : undefined;
      prepared.push({ name, definition, dir, memoryDir, server: await definition.prepare({ dir, repoDir: state.repoDir, memoryDir }) });
    }
    const started: { name: ServerName; pid: number }[] = [];
    const releaseSignals = stopOnSignal(started, log);
    try {
      await Promise.all(
        prepared.map(async ({ name, definition, dir, memoryDir, server }) => {
          for (const path of server.writable) chownTree(path, runAs);
          const logFile = join(dir, 'server.log');
          rmSync(logFile, { force: true });
          const pid = launch({ ...server.spec, logFile, runAs });
          started.push({ name, pid });
          log(`testbed: starting ${definition.description} (pid ${pid})`);
          await awaitHealthy(definition.description, pid, logFile, server.probe, server.startTimeoutMs);
          state.servers[name] = {
            pid,
            endpoint: server.endpoint,
            ...(server.extraEndpoints ? { extraEndpoints: server.extraEndpoints } : {}),
            logFile,
            description: definition.description,
            startedAt: new Date().toISOString(),
            ...(memoryDir ? { memoryDir } : {}),
          };
          log(`testbed: ${name} ready at ${server.endpoint}`);
        }),
      );
    } catch (error) {
      await Promise.all(started.map(({ pid }) => stopGroup(pid, 5000)));
      for (const { memoryDir } of prepared) removeMemoryFolder(memoryDir);
      for (const { name } of started) delete state.servers[name];
      writeState(state);
      throw error;
    } finally {
      releaseSignals();
    }
    if (options.ownerPid && started.length > 0) {
      const memoryDirs = prepared.flatMap(({ memoryDir }) => (memoryDir ? [memoryDir] : []));
      state.watchdogPid = startWatchdog(options.ownerPid, started.map((s) => s.pid), memoryDirs);
    }
    writeState(state);
    return { endpoints: endpointsOf(state), started: started.map((s) => s.name) };
  });
}

/**
 * A detached shell that outlives a killed test runner and then stops the servers that runner started,
 * so an interrupted run leaves no orphan servers.
 */
function startWatchdog(ownerPid: number, pids: number[], memoryDirs: string[]): number {
  const groups = pids.map((pid) => `-${pid}`).join(' ');
  // Then the servers' folders in memory, and the test bed's folder around them once empty.
  const memory = memoryDirs.map((dir) => `rm -rf '${dir}'; rmdir '${dirname(dir)}' 2>/dev/null;`).join(' ');
  const script = `while kill -0 ${ownerPid} 2>/dev/null; do sleep 1; done; kill -TERM ${groups} 2>/dev/null; sleep 20; kill -KILL ${groups} 2>/dev/null; ${memory}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid ?? 0;
}

/** Stops the named servers (default: all), waiting until each process group is gone. */
export async function down(names?: ServerName[], log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<ServerName[]> {
  return withLock(async () => {
    const state = readState();
    const targets = (names ?? (Object.keys(state.servers) as ServerName[])).filter((n) => state.servers[n]);
    await Promise.all(
      targets.map(async (name) => {
        const server = state.servers[name];
        if (server && isAlive(server.pid)) {
          log(`testbed: stopping ${name} (pid ${server.pid})`);
          await stopGroup(server.pid);
        }
        removeMemoryFolder(server?.memoryDir);
        delete state.servers[name];
      }),
    );
    if (Object.keys(state.servers).length === 0 && state.watchdogPid) {
      try {
        process.kill(-state.watchdogPid, 'SIGKILL');
      } catch {
        // already gone
      }
      delete state.watchdogPid;
    }
    writeState(state);
    return targets;
  });
}

export interface ServerStatus {
  name: ServerName;
  description: string;
  endpoint: string;
  pid: number;
  running: boolean;
  startedAt: string;
  logFile: string;
}

export function status(): ServerStatus[] {
  const state = readState();
  return (Object.entries(state.servers) as [ServerName, RunningServer][]).map(([name, s]) => ({
    name,
    description: s.description,
    endpoint: s.endpoint,
    pid: s.pid,
    running: isAlive(s.pid),
    startedAt: s.startedAt,
    logFile: s.logFile,
  }));
}
