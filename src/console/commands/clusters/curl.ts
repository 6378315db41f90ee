/** `console clusters curl source|target PATH`: one raw HTTP call with the configured auth and TLS. */
import { InvalidArgumentError, type Command } from 'commander';
import { CommandFailedWithResult, ConsoleError } from '../../errors';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { oneCluster, type ClusterRole } from './selected-clusters';

export interface CurlFlags {
  request: string;
  header: string[];
  data?: string;
  timeout: number;
}

export interface CurlResult {
  status: number;
  /** The response body as text, exactly as the server sent it. */
  body: string;
}

export const curl: CommandDefinition<CurlResult> = {
  name: 'clusters curl',
  text: (result) => (result.body.endsWith('\n') || result.body === '' ? result.body : result.body + '\n'),
};

function parseHeader(value: string, previous: string[]): string[] {
  if (!/^[^:\s]+:/.test(value)) throw new InvalidArgumentError(`"${value}" is not a header; write it as Name:value`);
  return [...previous, value];
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return seconds;
}

export async function runCurl(role: ClusterRole, path: string, flags: CurlFlags, io: ConsoleIo): Promise<CurlResult> {
  if (role !== 'source' && role !== 'target') throw new ConsoleError('MA_USAGE', `cluster must be "source" or "target", not "${String(role)}"`, 2);
  const cluster = await oneCluster(io, role, { timeoutMs: flags.timeout * 1000, maxRetries: 0 });
  try {
    const headers = Object.fromEntries(flags.header.map((h) => [h.slice(0, h.indexOf(':')).trim().toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    let contentType = headers['content-type'];
    if (flags.data !== undefined && contentType === undefined) contentType = isJson(flags.data) ? 'application/json' : 'application/x-ndjson';
    const response = await cluster.client.request<string>(flags.request.toUpperCase(), path.startsWith('/') ? path : `/${path}`, {
      body: flags.data,
      contentType,
      headers,
      rawBody: true,
      expectStatus: allStatuses,
      idempotent: false,
    });
    const result: CurlResult = { status: response.status, body: response.body };
    if (response.status >= 300) {
      throw new CommandFailedWithResult('MA_CLUSTER_HTTP', `the ${role} cluster answered ${response.status}`, result, `Error: ${response.status}\n${curl.text(result)}`);
    }
    emit(io, curl, result);
    return result;
  } finally {
    cluster.client.close();
  }
}

const allStatuses = Array.from({ length: 500 }, (_, i) => i + 100);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function registerCurl(group: Command, io: () => ConsoleIo): void {
  group
    .command('curl')
    .description('send one HTTP request to the source or target cluster with its configured auth')
    .argument('<cluster>', 'source or target')
    .argument('<path>', 'request path, for example /_cat/indices?v')
    .option('-X, --request <method>', 'HTTP method', 'GET')
    .option('-H, --header <name:value>', 'extra header (repeatable)', parseHeader, [])
    .option('-d, --data <body>', 'request body; JSON is sent as application/json')
    .option('--timeout <seconds>', 'give up after this many seconds', parseTimeout, 15)
    .addHelpText('after', `\nExamples:\n  console clusters curl source /_cat/indices?v\n  console clusters curl target -X PUT /my-index -d '{"settings":{"number_of_shards":1}}'`)
    .action(async (cluster: ClusterRole, path: string, flags: CurlFlags) => {
      await runCurl(cluster, path, flags, io());
    });
}
