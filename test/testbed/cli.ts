/**
 * `npm run -s testbed -- up [--json] [--with os13] | down | status [--json]`
 * Starts, reports and stops the real servers the integration tests and the demo use.
 */
import { Command } from 'commander';
import { down, status, up } from './testbed';
import type { ServerName } from './servers';
import { DEFAULT_SERVERS } from './servers';

const program = new Command('testbed').description('Real OpenSearch, Elasticsearch, Kafka and S3 servers on loopback, for tests and the demo.');

program
  .command('up')
  .description(`start the servers (${DEFAULT_SERVERS.join(', ')}; more with --with) or reuse running ones, and print their endpoints`)
  .option('--json', 'print the endpoints as one JSON object on stdout')
  .option('--with <servers>', 'also start these optional servers (comma-separated): os13 (OpenSearch 1.3.20)')
  .action(async (options: { json?: boolean; with?: string }) => {
    const extra = (options.with ?? '').split(',').map((s) => s.trim()).filter(Boolean) as ServerName[];
    const fromEnv = (process.env.MA_TESTBED_EXTRA ?? '').split(',').map((s) => s.trim()).filter(Boolean) as ServerName[];
    const { endpoints } = await up({ servers: [...new Set([...DEFAULT_SERVERS, ...fromEnv, ...extra])] });
    if (options.json) process.stdout.write(JSON.stringify(endpoints) + '\n');
    else for (const [key, value] of Object.entries(endpoints)) process.stdout.write(`${key.padEnd(18)} ${value}\n`);
  });

program
  .command('down')
  .description('stop every test-bed server')
  .action(async () => {
    const stopped = await down();
    process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
  });

program
  .command('status')
  .description('show which servers run')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => {
    const servers = status();
    if (options.json) {
      process.stdout.write(JSON.stringify(servers) + '\n');
      return;
    }
    if (servers.length === 0) process.stdout.write('no test-bed server is running\n');
    for (const s of servers) process.stdout.write(`${s.name.padEnd(8)} ${(s.running ? 'running' : 'DEAD').padEnd(8)} ${s.endpoint.padEnd(26)} ${s.description} (pid ${s.pid})\n`);
  });

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`testbed: ${error.message}\n`);
  process.exitCode = 1;
});
