/**
 * Capture-proxy overhead, side by side in one run: a loopback origin reached directly, through the capture
 * proxy recording to the test bed's Kafka, and through nginx as a plain reverse proxy; 1 and 200
 * connections; small GETs and 1 MB bulk POSTs. Load by wrk. Also the proxy's peak RSS, and its RSS with
 * 1,000 open connections. nginx and wrk come from the system's packages (installed with apt-get when
 * missing and running as root).
 *   npm run -s bench -- proxy            (BENCH_SECONDS=… per run, default 5)
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../test/testbed/launcher';
import { up } from '../test/testbed/testbed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

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
}

function parseLatency(text: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/** Runs wrk without blocking this process: the origin server lives in it and must keep answering. */
async function wrk(url: string, connections: number, script?: string): Promise<Load> {
  const args = ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${SECONDS}s`, '--latency', ...(script ? ['-s', script] : []), url];
  const { stdout: out } = await promisify(execFile)('wrk', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50Ms: parseLatency(out, '50%'), p99Ms: parseLatency(out, '99%') };
}

/** Stops what the run started (servers, samplers), also when it fails half-way, so the process can exit. */
const cleanups: (() => void)[] = [];

async function main(): Promise<void> {
  ensureTools();
  const { endpoints } = await up({ servers: ['kafka'] });
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
    `worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/error.log; daemon off;
events { worker_connections 4096; }
http { access_log off; client_max_body_size 200m; client_body_buffer_size 2m; proxy_request_buffering off; proxy_buffering off;
  upstream origin { server 127.0.0.1:${originPort}; keepalive 256; }
  server { listen 127.0.0.1:${nginxPort}; location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`,
  );
  const nginx = spawn('nginx', ['-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'ignore' });
  cleanups.push(() => nginx.kill('SIGTERM'), () => origin.close());

  // The capture proxy, recording to Kafka.
  const proxyPort = await freePort();
  const proxy = spawn(process.execPath, [join(__dirname, '../bin/capture-proxy.js'), '--destinationUri', `http://127.0.0.1:${originPort}`, '--listenPort', String(proxyPort), '--listenHost', '127.0.0.1', '--kafkaConnection', endpoints.kafka, '--kafkaTopic', `bench-${Date.now()}`], { stdio: ['ignore', 'ignore', 'ignore'] });
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, Number(execFileSync('ps', ['-o', 'rss=', '-p', String(proxy.pid)], { encoding: 'utf8' }).trim()) || 0);
    } catch {
      // not started yet
    }
  }, 200);
  cleanups.push(() => clearInterval(sampler), () => proxy.kill('SIGTERM'));
  await new Promise((r) => setTimeout(r, 2500));

  const bulk = join(work, 'bulk.lua');
  const line = '{"index":{"_index":"bench"}}\\n{"text":"' + 'x'.repeat(1000) + '"}\\n';
  writeFileSync(bulk, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-ndjson"\nwrk.body = string.rep('${line}', ${Math.floor((1024 * 1024) / 1030)})\n`);

  const targets = { direct: `http://127.0.0.1:${originPort}/`, proxy: `http://127.0.0.1:${proxyPort}/`, nginx: `http://127.0.0.1:${nginxPort}/` };
  const scenarios = [
    { name: 'get-1', connections: 1 },
    { name: 'get-200', connections: 200 },
    { name: 'bulk1mb-1', connections: 1, script: bulk },
    { name: 'bulk1mb-200', connections: 200, script: bulk },
  ];
  const results: Record<string, Record<keyof typeof targets, Load>> = {};
  for (const scenario of scenarios) {
    process.stderr.write(`bench: ${scenario.name}\n`);
    results[scenario.name] = {
      direct: await wrk(targets.direct, scenario.connections, scenario.script),
      proxy: await wrk(targets.proxy, scenario.connections, scenario.script),
      nginx: await wrk(targets.nginx, scenario.connections, scenario.script),
    };
  }

  // RSS with 1,000 idle keep-alive connections.
  const sockets: Socket[] = [];
  for (let i = 0; i < 1000; i++) sockets.push(connect({ host: '127.0.0.1', port: proxyPort }));
  await new Promise((r) => setTimeout(r, 1500));
  const withConnectionsKb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(proxy.pid)], { encoding: 'utf8' }).trim());
  sockets.forEach((s) => s.destroy());
  clearInterval(sampler);
  proxy.kill('SIGTERM');
  nginx.kill('SIGTERM');
  origin.close();

  interface Scenario {
    direct: Load;
    proxy: Load;
    nginx: Load;
    proxyToNginxThroughput: number;
    proxyAddedP99Ms: number;
    nginxAddedP99Ms: number;
  }
  const summary: Record<string, Scenario> = Object.fromEntries(
    Object.entries(results).map(([scenario, r]): [string, Scenario] => [
      scenario,
      {
        direct: r.direct,
        proxy: r.proxy,
        nginx: r.nginx,
        proxyToNginxThroughput: Number((r.proxy.rps / r.nginx.rps).toFixed(2)),
        proxyAddedP99Ms: Number((r.proxy.p99Ms - r.direct.p99Ms).toFixed(2)),
        nginxAddedP99Ms: Number((r.nginx.p99Ms - r.direct.p99Ms).toFixed(2)),
      },
    ]),
  );
  const result = { benchmark: 'capture-proxy', seconds: SECONDS, scenarios: summary, proxyPeakRssMb: Math.round(peakKb / 1024), proxyRssWith1000ConnectionsMb: Math.round(withConnectionsKb / 1024) };
  process.stderr.write('\n  scenario      direct rps   proxy rps   nginx rps   proxy/nginx   p99 added: proxy / nginx (ms)\n');
  for (const [name, s] of Object.entries(summary)) {
    process.stderr.write(`  ${name.padEnd(12)}  ${String(Math.round(s.direct.rps)).padStart(10)}  ${String(Math.round(s.proxy.rps)).padStart(10)}  ${String(Math.round(s.nginx.rps)).padStart(10)}  ${String(s.proxyToNginxThroughput).padStart(12)}   ${s.proxyAddedP99Ms} / ${s.nginxAddedP99Ms}\n`);
  }
  process.stderr.write(`  proxy peak RSS ${result.proxyPeakRssMb} MB; with 1,000 open connections ${result.proxyRssWith1000ConnectionsMb} MB\n\n`);
  process.stdout.write(JSON.stringify(result) + '\n');
}

void main().catch((error: Error) => {
  for (const cleanup of cleanups) cleanup();
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
