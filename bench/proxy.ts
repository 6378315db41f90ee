/**
 * Capture-proxy overhead, side by side in one run: a loopback origin reached directly, through the capture
 * proxy recording to the test bed's Kafka, through nginx as a plain reverse proxy, and through a bare Node
 * relay (sockets piped, no parsing, no capture: the floor any proxy written for Node starts from); 1 and 200
 * connections; small GETs and 1 MB bulk POSTs. Load by wrk. Also the proxy's peak RSS under that load, how
 * many captures it lost, and the RSS of a fresh proxy with 1,000 open connections (idle, then after one
 * request each, which opens their upstream sockets). The proxy is this checkout's sources compiled by tsc
 * into the run's work folder and run as plain JavaScript, as the program ships (a TypeScript loader would
 * add its own memory), without touching dist/. nginx and wrk come from the system's packages (installed
 * with apt-get when missing and running as root).
 * get-200-paced keeps 200 connections at about 5,000 requests/s, below saturation, for the added p99: each
 * waits 40 ms after an answer, so the connections stay in lockstep and their requests arrive as one burst of
 * 200 every 40 ms (a worst case); get-200-random waits 20 to 60 ms at random, as independent clients do.
 * These two run for at least LATENCY_SECONDS: wrk opens its 200 connections and sends their first requests at
 * once, and through a proxy each of those also opens the connection upstream. In a 5 s run that start is
 * 0.8 % of the requests, enough to set the p99 on its own (measured: the proxy's added p99 at random
 * intervals was 2.1 to 5.5 ms in 5 s runs and 1.4 to 2.1 ms in 15 s runs of the same sequence).
 * get-50-new-conn has 50 clients that open a new connection for each request (`Connection: close`), as
 * clients without keep-alive do: through a proxy each request then also opens a connection upstream, and
 * through the capture proxy it also ends a capture, whose close record goes to Kafka; nginx keeps its
 * upstream connections open across clients (keepalive), which a proxy that records each client
 * connection's traffic in order cannot.
 * The saturating runs (get-200, get-50-new-conn, bulk1mb-200) report absolute p99s only: there latency
 * is time queued, set by throughput, and a p99 minus the direct one would say nothing about the proxy.
 * The test bed's Kafka runs on the same cores, so the CPU it spends on the proxy's records (per request,
 * shown beside the proxy's) is taken from the load generator, the origin and the proxy. For the bulk
 * scenarios the run also measures what Kafka alone takes: how many 1 MB bulks' worth of records (four of
 * 256 KiB, as the proxy cuts them) the proxy's own Kafka sink stores per second with nothing else running,
 * four sends in flight (as the proxy sends). A proxy that stores every mutating request in Kafka before
 * forwarding it moves each byte twice, and on this machine shares the cores with the broker.
 *   npm run -s bench -- proxy            (BENCH_SECONDS=… per run, default 5;
 *                                         BENCH_SCENARIOS=get-1,get-200 runs only those, for quick iterations;
 *                                         BENCH_WORKERS=2 runs the proxy with --workers 2 and nginx with two
 *                                         worker processes, like for like;
 *                                         BENCH_ROUNDS=3 runs every scenario three times, one round after
 *                                         another, and reports each ratio's median and range, since one round
 *                                         on a shared machine can land either side of a target;
 *                                         BENCH_NODE_FLAGS=none runs the proxy without the node flags it ships
 *                                         with, to measure what they bring;
 *                                         BENCH_KAFKA=host:port records to that broker (plain listener) instead
 *                                         of the test bed's, for a broker on cores of its own as in production;
 *                                         its CPU is then not measured)
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROXY_NODE_FLAGS } from '../src/capture-proxy/node-flags';
import { freePort } from '../test/testbed/launcher';
import { paths } from '../test/testbed/home';
import { up } from '../test/testbed/testbed';
import { processTree, treePeakRssKb, treeRssKb } from './process-memory';
import { deleteTopics, kafkaCeiling } from './proxy-kafka';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SCENARIOS = process.env.BENCH_SCENARIOS?.split(',').map((name) => name.trim());
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
/** The proxy runs with the node flags it ships with, unless BENCH_NODE_FLAGS=none (to measure what they bring). */
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS === 'none' ? [] : PROXY_NODE_FLAGS;
/** A broker of the user's (host:port, plain listener) instead of the test bed's. */
const EXTERNAL_KAFKA = process.env.BENCH_KAFKA;
/** The shortest run of a scenario that measures added latency (see the top of this file). */
const LATENCY_SECONDS = 15;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`install ${missing.join(' and ')} first (for example with your package manager)`);
  execFileSync('sh', ['-c', `apt-get install -y -q ${missing.join(' ')} || (apt-get update -q && apt-get install -y -q ${missing.join(' ')})`], { stdio: 'inherit' });
}

interface Load {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) the server under test used per request; steadier than rps on a busy machine. */
  cpuUsPerRequest?: number;
  /** CPU time the Kafka broker used per request (proxy runs). */
  kafkaCpuUsPerRequest?: number;
}

/** CPU seconds used so far by a process and its descendants (nginx's or the proxy's workers), from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    return processTree(pid).reduce((sum, member) => {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    }, 0);
  } catch {
    return NaN;
  }
}

function parseLatency(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/** What wrk sends: over how many connections, with which Lua script and extra header, for how long (default SECONDS). */
interface LoadShape {
  connections: number;
  script?: string;
  header?: string;
  seconds?: number;
}

/** Runs wrk without blocking this process: the origin server lives in it and must keep answering. */
async function wrk(url: string, shape: LoadShape, serverPid?: number, kafkaPid?: number): Promise<Load> {
  const { connections, script, header, seconds = SECONDS } = shape;
  const cpuBefore = serverPid ? cpuSeconds(serverPid) : NaN;
  const kafkaBefore = kafkaPid ? cpuSeconds(kafkaPid) : NaN;
  const args = ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', ...(script ? ['-s', script] : []), ...(header ? ['-H', header] : []), url];
  const { stdout: out } = await promisify(execFile)('wrk', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const cpu = serverPid ? cpuSeconds(serverPid) - cpuBefore : NaN;
  const load: Load = { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50Ms: parseLatency(out, '50%'), p99Ms: parseLatency(out, '99%') };
  if (serverPid && requests > 0 && Number.isFinite(cpu)) load.cpuUsPerRequest = Number(((cpu * 1e6) / requests).toFixed(1));
  const kafkaCpu = kafkaPid ? cpuSeconds(kafkaPid) - kafkaBefore : NaN;
  if (kafkaPid && requests > 0 && Number.isFinite(kafkaCpu)) load.kafkaCpuUsPerRequest = Number(((kafkaCpu * 1e6) / requests).toFixed(1));
  return load;
}

/** Compiles the sources with tsc into `work` (dist/ stays as it is) and returns the proxy's entry point. */
function compileProxy(work: string): string {
  const root = join(__dirname, '..');
  const out = join(work, 'build');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'pipe' });
  } catch (error) {
    // tsc still writes its output; type errors elsewhere in the repository need not stop a measurement.
    process.stderr.write(`bench: tsc reported errors: ${String((error as { stdout?: Buffer }).stdout ?? '').split('\n')[0]}\n`);
  }
  const main = join(out, 'src/capture-proxy/main.js');
  if (!existsSync(main)) throw new Error(`compiling the proxy produced no ${main}`);
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  return main;
}

interface RunningProxy {
  process: ReturnType<typeof spawn>;
  port: number;
  rssKb(): number;
  /** Stops it; returns its peak RSS in KB (the kernel's high-water mark on Linux). */
  stop(): number;
}

async function startProxy(program: string, originPort: number, kafka: string, topic: string): Promise<RunningProxy> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS, program, '--destinationUri', `http://127.0.0.1:${originPort}`, '--listenPort', String(port), '--listenHost', '127.0.0.1', '--kafkaConnection', kafka, '--kafkaTopic', topic, '--workers', String(WORKERS)], { stdio: ['ignore', 'ignore', 'ignore'] });
  // With workers, their memory is counted too (peaks summed: an upper bound).
  const rssKb = () => treeRssKb(child.pid ?? 0);
  // Sampled as well, for systems whose peak must be found by sampling (no /proc).
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, treePeakRssKb(child.pid ?? 0))), 1000);
  const stop = () => {
    clearInterval(sampler);
    peakKb = Math.max(peakKb, treePeakRssKb(child.pid ?? 0));
    child.kill('SIGTERM');
    return peakKb;
  };
  cleanups.push(stop);
  await new Promise((r) => setTimeout(r, 2500));
  return { process: child, port, rssKb, stop };
}

/** Opens up to `count` connections; resolves with those open after all have connected or `timeoutMs`. */
async function openConnections(port: number, count: number, timeoutMs: number): Promise<Socket[]> {
  const open: Socket[] = [];
  await new Promise<void>((resolve) => {
    let settled = 0;
    const timer = setTimeout(resolve, timeoutMs);
    for (let i = 0; i < count; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      const done = () => {
        if (++settled === count) {
          clearTimeout(timer);
          resolve();
        }
      };
      socket.once('connect', () => {
        open.push(socket);
        done();
      });
      socket.once('error', done);
    }
  });
  return open;
}

/** Sends one keep-alive GET on each connection; resolves with how many got a response within `timeoutMs`. */
async function oneRequestEach(sockets: Socket[], timeoutMs: number): Promise<number> {
  let answered = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    for (const socket of sockets) {
      socket.once('data', () => {
        if (++answered === sockets.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.write('GET / HTTP/1.1\r\nhost: bench\r\n\r\n');
    }
  });
  return answered;
}

/** Stops what the run started (servers, samplers), also when it fails half-way, so the process can exit. */
const cleanups: (() => void)[] = [];

/** One round of one scenario: the four loads and the ratios between them. */
interface RoundResult {
  direct: Load;
  proxy: Load;
  nginx: Load;
  relay: Load;
  proxyToNginxThroughput: number;
  relayToNginxThroughput: number;
  /**
   * p99 over direct, where latency is comparable: at one connection, and at 200 paced ones. Left out where
   * 200 connections saturate the machine: there a request's latency is its wait in the queue, set by
   * throughput, and the difference between two p99s says nothing about the proxy (it even goes negative).
   */
  proxyAddedP99Ms?: number;
  nginxAddedP99Ms?: number;
  proxyToNginxCpuPerRequest: number;
  /** Bulks per second the proxy's Kafka sink stores with nothing else running (bulk scenarios), and the proxy's rate against it. */
  kafkaCeilingRps?: number;
  proxyToKafkaCeiling?: number;
  /**
   * That ceiling against nginx's rate: the most proxy/nginx any proxy that stores every bulk in this broker
   * could reach on this machine (less in fact, since while it runs the broker shares the cores with it).
   */
  kafkaCeilingToNginx?: number;
}

const RATIOS = ['proxyToNginxThroughput', 'relayToNginxThroughput', 'proxyAddedP99Ms', 'nginxAddedP99Ms', 'proxyToNginxCpuPerRequest', 'kafkaCeilingRps', 'proxyToKafkaCeiling', 'kafkaCeilingToNginx'] as const;
type Ratio = (typeof RATIOS)[number];

/** A scenario over all rounds: each ratio's median (and, over several rounds, its range and every round). */
interface Scenario extends RoundResult {
  range?: Partial<Record<Ratio, [number, number]>>;
  rounds?: RoundResult[];
}

const fixed = (value: number) => Number(value.toFixed(2));

function roundResult(r: Record<'direct' | 'proxy' | 'nginx' | 'relay', Load>, saturating: boolean, ceiling?: number): RoundResult {
  return {
    ...r,
    proxyToNginxThroughput: fixed(r.proxy.rps / r.nginx.rps),
    relayToNginxThroughput: fixed(r.relay.rps / r.nginx.rps),
    ...(saturating ? {} : { proxyAddedP99Ms: fixed(r.proxy.p99Ms - r.direct.p99Ms), nginxAddedP99Ms: fixed(r.nginx.p99Ms - r.direct.p99Ms) }),
    proxyToNginxCpuPerRequest: fixed((r.proxy.cpuUsPerRequest ?? NaN) / (r.nginx.cpuUsPerRequest ?? NaN)),
    ...(ceiling ? { kafkaCeilingRps: ceiling, proxyToKafkaCeiling: fixed(r.proxy.rps / ceiling), kafkaCeilingToNginx: fixed(ceiling / r.nginx.rps) } : {}),
  };
}

/** " (lowest to highest)" of a ratio over the rounds, or nothing after a single round. */
function rangeText(s: Scenario, ratio: Ratio, unit = ''): string {
  const range = s.range?.[ratio];
  return range ? ` (${range[0]} to ${range[1]}${unit})` : '';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : fixed((sorted[middle - 1] + sorted[middle]) / 2);
}

/** The loads of the round with the median throughput ratio, and every ratio's own median and range. */
function medianRound(rounds: RoundResult[]): Scenario {
  if (rounds.length === 1) return rounds[0];
  const byThroughput = [...rounds].sort((a, b) => a.proxyToNginxThroughput - b.proxyToNginxThroughput);
  const scenario: Scenario = { ...byThroughput[Math.floor((rounds.length - 1) / 2)], range: {}, rounds };
  for (const ratio of RATIOS) {
    const values = rounds.map((round) => round[ratio]).filter((value): value is number => value !== undefined);
    if (values.length === 0) continue;
    scenario[ratio] = median(values);
    scenario.range![ratio] = [Math.min(...values), Math.max(...values)];
  }
  return scenario;
}

async function main(): Promise<void> {
  ensureTools();
  const kafka = EXTERNAL_KAFKA ?? (await up({ servers: ['kafka'] })).endpoints.kafka;
  // The test bed's broker runs here, so its CPU can be read; a broker elsewhere cannot.
  const kafkaPid = EXTERNAL_KAFKA ? undefined : (JSON.parse(readFileSync(paths.state(), 'utf8')) as { servers: { kafka?: { pid: number } } }).servers.kafka?.pid;
  const work = mkdtempSync(join(tmpdir(), 'proxy-bench-'));

  // The origin: answers a small JSON body, after reading the whole request body.
  const origin = createServer((req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      const body = JSON.stringify({ ok: true, received: size });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const originPort = await freePort();
  await new Promise<void>((r) => origin.listen(originPort, '127.0.0.1', r));

  // nginx as a plain keep-alive reverse proxy.
  const nginxPort = await freePort();
  writeFileSync(
    join(work, 'nginx.conf'),
    `worker_processes ${WORKERS}; pid ${work}/nginx.pid; error_log ${work}/error.log; daemon off;
events { worker_connections 4096; }
http { access_log off; client_max_body_size 200m; client_body_buffer_size 2m; proxy_request_buffering off; proxy_buffering off;
  upstream origin { server 127.0.0.1:${originPort}; keepalive 256; }
  server { listen 127.0.0.1:${nginxPort}; location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`,
  );
  const nginx = spawn('nginx', ['-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'ignore' });
  cleanups.push(() => nginx.kill('SIGTERM'), () => origin.close());

  // The bare Node relay: one upstream socket per client, bytes piped both ways.
  const relayPort = await freePort();
  writeFileSync(
    join(work, 'relay.js'),
    `const net = require('node:net');
net.createServer((client) => {
  const upstream = net.connect(${originPort}, '127.0.0.1');
  client.setNoDelay(true); upstream.setNoDelay(true);
  client.pipe(upstream); upstream.pipe(client);
  client.on('error', () => upstream.destroy()); upstream.on('error', () => client.destroy());
}).listen(${relayPort}, '127.0.0.1');
`,
  );
  const relay = spawn(process.execPath, [join(work, 'relay.js')], { stdio: 'ignore' });
  cleanups.push(() => relay.kill('SIGTERM'));

  // The capture proxy, recording to Kafka.
  const program = compileProxy(work);
  const topic = `bench-${Date.now()}`;
  const loaded = await startProxy(program, originPort, kafka, topic);
  const proxy = loaded.process;
  const proxyPort = loaded.port;

  const bulk = join(work, 'bulk.lua');
  const line = '{"index":{"_index":"bench"}}\\n{"text":"' + 'x'.repeat(1000) + '"}\\n';
  writeFileSync(bulk, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-ndjson"\nwrk.body = string.rep('${line}', ${Math.floor((1024 * 1024) / 1030)})\n`);

  // 200 connections that each wait 40 ms between requests (about 5,000 requests/s in all): latency added
  // while the machine is not saturated, which the saturating runs cannot show.
  const paced = join(work, 'paced.lua');
  writeFileSync(paced, 'function delay()\n  return 40\nend\n');
  const random = join(work, 'random.lua');
  writeFileSync(random, 'function delay()\n  return math.random(20, 60)\nend\n');

  const latencySeconds = Math.max(SECONDS, LATENCY_SECONDS);
  const targets = { direct: `http://127.0.0.1:${originPort}/`, proxy: `http://127.0.0.1:${proxyPort}/`, nginx: `http://127.0.0.1:${nginxPort}/`, relay: `http://127.0.0.1:${relayPort}/` };
  const scenarios = [
    { name: 'get-1', connections: 1 },
    { name: 'get-200', connections: 200, saturating: true },
    { name: 'get-200-paced', connections: 200, script: paced, seconds: latencySeconds },
    { name: 'get-200-random', connections: 200, script: random, seconds: latencySeconds },
    { name: 'get-50-new-conn', connections: 50, header: 'Connection: close', saturating: true },
    { name: 'bulk1mb-1', connections: 1, script: bulk },
    { name: 'bulk1mb-200', connections: 200, script: bulk, saturating: true },
  ].filter((scenario) => !SCENARIOS || SCENARIOS.includes(scenario.name));
  // Warm-up, not measured: the proxy's JIT, and the broker's JIT and heap (a fresh test bed Kafka starts
  // small, and after only 2 s of bulks still spent 12 ms of CPU per bulk, seven times its settled cost).
  process.stderr.write(`bench: warming up (at ${elapsed()})\n`);
  await wrk(targets.proxy, { connections: 4, script: bulk, seconds: Math.max(SECONDS, 15) });
  await wrk(targets.proxy, { connections: 200 });
  const rounds: Record<string, RoundResult[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const scenario of scenarios) {
      process.stderr.write(`bench: ${scenario.name}${ROUNDS > 1 ? `, round ${round} of ${ROUNDS}` : ''} (at ${elapsed()})\n`);
      const load = (url: string, serverPid?: number, brokerPid?: number) => wrk(url, scenario, serverPid, brokerPid);
      const loads = {
        direct: await load(targets.direct),
        proxy: await load(targets.proxy, proxy.pid, kafkaPid),
        nginx: await load(targets.nginx, nginx.pid),
        relay: await load(targets.relay, relay.pid),
      };
      const ceiling = scenario.script === bulk ? await kafkaCeiling(join(program, '../../..'), work, kafka, `${topic}-ceiling`, 4, SECONDS) : undefined;
      (rounds[scenario.name] ??= []).push(roundResult(loads, scenario.saturating ?? false, ceiling));
    }
  }

  const health = (await (await fetch(`${targets.proxy}__health`)).json()) as { capturesLost: number };
  const peakKb = loaded.stop();

  // RSS of a fresh proxy with 1,000 open keep-alive connections: idle, then once each has made one request
  // (and so has its upstream socket and capture state). Bounded: what is not open or answered in 10 s is left out.
  process.stderr.write(`bench: 1,000 connections (at ${elapsed()})\n`);
  const fresh = await startProxy(program, originPort, kafka, topic);
  const sockets = await openConnections(fresh.port, 1000, 10_000);
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 1000));
  const idleKb = fresh.rssKb();
  const answered = await oneRequestEach(sockets, 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  const activeKb = fresh.rssKb();
  sockets.forEach((s) => s.destroy());
  fresh.stop();
  nginx.kill('SIGTERM');
  relay.kill('SIGTERM');
  origin.close();
  await deleteTopics(kafka, [topic, `${topic}-ceiling`]);

  const summary: Record<string, Scenario> = Object.fromEntries(Object.entries(rounds).map(([scenario, results]) => [scenario, medianRound(results)]));
  const result = {
    benchmark: 'capture-proxy',
    seconds: SECONDS,
    latencySeconds,
    workers: WORKERS,
    rounds: ROUNDS,
    proxyNodeFlags: NODE_FLAGS,
    scenarios: summary,
    proxyPeakRssMb: Math.round(peakKb / 1024),
    proxyRssWith1000ConnectionsMb: Math.round(idleKb / 1024),
    proxyRssWith1000ActiveConnectionsMb: Math.round(activeKb / 1024),
    connectionsOpen: sockets.length,
    connectionsAnswered: answered,
    proxyCapturesLost: health.capturesLost,
  };
  process.stderr.write('\n  scenario          direct rps   proxy rps   nginx rps   proxy/nginx   relay/nginx   p99 added: proxy / nginx (ms)   CPU us/request: proxy / nginx / relay   Kafka\n');
  for (const [name, s] of Object.entries(summary)) {
    process.stderr.write(
      `  ${name.padEnd(16)}  ${String(Math.round(s.direct.rps)).padStart(10)}  ${String(Math.round(s.proxy.rps)).padStart(10)}  ${String(Math.round(s.nginx.rps)).padStart(10)}  ${String(s.proxyToNginxThroughput).padStart(12)}  ${String(s.relayToNginxThroughput).padStart(12)}   ${(s.proxyAddedP99Ms === undefined ? `(saturated) p99 ${Math.round(s.proxy.p99Ms)} / ${Math.round(s.nginx.p99Ms)}` : `${s.proxyAddedP99Ms} / ${s.nginxAddedP99Ms}`).padEnd(30)}${`${s.proxy.cpuUsPerRequest} / ${s.nginx.cpuUsPerRequest} / ${s.relay.cpuUsPerRequest}`.padEnd(40)}${s.proxy.kafkaCpuUsPerRequest ?? '-'}\n`,
    );
  }
  for (const [name, s] of Object.entries(summary)) {
    if (s.rounds) process.stderr.write(`  ${name}: medians of ${s.rounds.length} rounds: proxy/nginx ${s.proxyToNginxThroughput}${rangeText(s, 'proxyToNginxThroughput')}, relay/nginx ${s.relayToNginxThroughput}${rangeText(s, 'relayToNginxThroughput')}${s.proxyAddedP99Ms === undefined ? '' : `, p99 added ${s.proxyAddedP99Ms} ms${rangeText(s, 'proxyAddedP99Ms', ' ms')} (nginx ${s.nginxAddedP99Ms} ms${rangeText(s, 'nginxAddedP99Ms', ' ms')})`}\n`);
  }
  for (const [name, s] of Object.entries(summary)) {
    if (s.kafkaCeilingRps) process.stderr.write(`  ${name}: Kafka alone stores ${s.kafkaCeilingRps} bulks/s (four 256 KiB records each, four sends in flight, nothing else running); the proxy forwards ${s.proxyToKafkaCeiling}${rangeText(s, 'proxyToKafkaCeiling')} of that; Kafka alone is ${s.kafkaCeilingToNginx}${rangeText(s, 'kafkaCeilingToNginx')} of nginx's rate, the most proxy/nginx could be here\n`);
  }
  process.stderr.write(
    `  proxy peak RSS ${result.proxyPeakRssMb} MB; with ${sockets.length} open connections ${result.proxyRssWith1000ConnectionsMb} MB idle, ${result.proxyRssWith1000ActiveConnectionsMb} MB after ${answered} answered one request each; captures lost ${health.capturesLost}; took ${elapsed()}\n\n`,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
}

void main().catch((error: Error) => {
  for (const cleanup of cleanups) cleanup();
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
