/**
 * `npm run demo`: the whole backfill walkthrough on one machine, against real servers.
 *   1. Elasticsearch 7.10 (source), OpenSearch 2.19 (target) and Kafka from the test bed, and the capture proxy
 *   2. a data set written through the proxy; the captured records counted in Kafka
 *   3. indices, metadata migration, a snapshot and its status
 *   4. a backfill with three workers, watched until done, then stopped
 *   5. indices again and a document-for-document comparison (non-zero exit on any difference)
 * Every command is printed before it runs. Everything it started is stopped on success, failure and Ctrl-C.
 * DEMO_DOCS sets the data set size (default 100000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROXY_NODE_FLAGS } from '../../src/capture-proxy/node-flags';
import { down, up } from '../../test/testbed/testbed';
import type { ServerName } from '../../test/testbed/servers';
import { freePort } from '../../test/testbed/launcher';
import { writeDataset } from './dataset';
import { runStep } from './run-step';
import { demoServicesYaml } from './services-yaml';

const ROOT = resolve(__dirname, '../..');
const DOCS = Number(process.env.DEMO_DOCS ?? 100_000);

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`demo: cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

// `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by the TypeScript runner),
// and a second SIGINT without a handler would kill the demo in the middle of its cleanup.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    process.stderr.write(`\ndemo: ${signal} received, cleaning up…\n`);
    void cleanup().then(() => process.exit(130));
  });
}

/** Last resort after a failed stop: no worker process may outlive the demo. */
function killLeftoverWorkers(stateDir: string): void {
  if (!existsSync(stateDir)) return;
  for (const file of readdirSync(stateDir).filter((f) => /^worker-\d+\.pid$/.test(f))) {
    const pid = Number(readFileSync(join(stateDir, file), 'utf8'));
    try {
      process.kill(pid, 'SIGKILL');
      process.stderr.write(`demo: killed worker ${pid}, which had not stopped\n`);
    } catch {
      // Already gone.
    }
  }
}

function node(bin: string): string[] {
  return [process.execPath, join(ROOT, 'bin', `${bin}.js`)];
}

async function startProxy(source: string, kafka: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const [exe, script] = node('capture-proxy');
  const args = ['--destinationUri', source, '--listenPort', String(port), '--kafkaConnection', kafka];
  process.stdout.write(`\n\x1b[1m$ capture-proxy ${args.join(' ')} &\x1b[0m\n`);
  const child = spawn(exe, [...PROXY_NODE_FLAGS, script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the capture proxy exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/__health`).then((r) => r.ok, () => false);
    if (healthy) return { url, child };
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill();
  throw new Error('the capture proxy did not answer /__health within 30 s');
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(`Migration Assistant demo: ${DOCS} documents from Elasticsearch 7.10 to OpenSearch 2.19\n`);

  // 1. Servers and the capture proxy.
  // If the demo is killed outright, the test bed's watchdog stops the servers it started.
  const result = await up({ servers: ['source', 'target', 'kafka'] as ServerName[], ownerPid: process.pid });
  if (result.started.length) cleanups.push(async () => void (await down(result.started)));
  const { endpoints } = result;
  const proxy = await startProxy(endpoints.source, endpoints.kafka);
  // The proxy flushes its last records on SIGTERM; Kafka must still be up until it has exited.
  cleanups.push(async () => {
    if (proxy.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proxy.child.once('exit', () => resolve()));
    proxy.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  });

  // A clean target: the demo's indices and any working state of an earlier run go.
  await fetch(`${endpoints.target}/demo-*`, { method: 'DELETE' });
  const work = mkdtempSync(join(tmpdir(), 'migration-demo-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const workerStateDir = join(work, 'workers');
  const id = randomUUID().slice(0, 8);
  const config = join(work, 'migration_services.yaml');
  writeFileSync(
    config,
    demoServicesYaml({
      source: endpoints.source,
      target: endpoints.target,
      kafka: endpoints.kafka,
      repoPath: join(endpoints.repoDir, `demo-${id}`),
      snapshotName: `demo-snapshot-${id}`,
      sessionName: `demo_${id}`,
      workerStateDir,
      indices: ['demo-orders', 'demo-articles', 'demo-logs'],
    }),
  );
  const demoIndices: string[] = [];
  const [exe, consoleScript] = node('console');
  const consoleStep = (args: string[], options: { allowFailure?: boolean } = {}) => runStep(`console ${args.join(' ')}`, exe, [consoleScript, '--config-file', config, ...args], options);

  // 2. Client traffic through the proxy.
  process.stdout.write(`\n\x1b[1m# writing ${DOCS} documents through the capture proxy at ${proxy.url}\x1b[0m\n`);
  const summary = await writeDataset({
    endpoint: proxy.url,
    documents: DOCS,
    onProgress: (written, total) => process.stdout.write(`\r  ${written}/${total} documents written`),
  });
  demoIndices.push(...summary.indices.map((i) => i.name));
  process.stdout.write(`\n  ${summary.indices.map((i) => `${i.name}: ${i.created} created, ${i.updated} updated, ${i.deleted} deleted`).join('\n  ')}\n`);
  await consoleStep(['kafka', 'describe-topic-records']);

  // 3. Look, migrate metadata, snapshot.
  await consoleStep(['clusters', 'cat-indices']);
  await consoleStep(['snapshot', 'create', '--wait']);
  await consoleStep(['snapshot', 'status', '--deep-check']);
  await consoleStep(['metadata', 'migrate', '--index-allowlist', demoIndices.join(',')]);

  // 4. Backfill with three workers.
  // Until `backfill stop` has run, a failure or Ctrl-C must still stop the workers.
  let stopped = false;
  cleanups.push(async () => {
    if (stopped) return;
    // `backfill stop` waits for the workers to exit before it archives; whatever still runs after that is killed.
    await consoleStep(['backfill', 'stop', '--stop-timeout', '60', '--archive-dir', join(ROOT, '.demo', 'backfill_working_state')], { allowFailure: true });
    killLeftoverWorkers(workerStateDir);
  });
  await consoleStep(['backfill', 'start']);
  await consoleStep(['backfill', 'scale', '3']);
  await consoleStep(['backfill', 'status', '--watch', '--timeout', '600']);
  await consoleStep(['backfill', 'stop', '--archive-dir', join(ROOT, '.demo', 'backfill_working_state')]);
  stopped = true;

  // 5. Verify.
  await consoleStep(['clusters', 'cat-indices', '--refresh']);
  await consoleStep(['clusters', 'compare', ...demoIndices.flatMap((i) => ['--index', i])]);
  process.stdout.write(`\nDemo finished in ${Math.round((Date.now() - started) / 1000)} s: the target holds every document of the source.\n`);
}

main()
  .then(cleanup)
  .catch(async (error: Error) => {
    // After Ctrl-C the step that was running fails too; that is the interruption, not a failure of its own.
    if (cleaning) return;
    process.stderr.write(`\ndemo failed: ${error.message}\n`);
    await cleanup();
    process.exitCode = 1;
  });
