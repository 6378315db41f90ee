/**
 * The worker's command line: the reference worker's flags (so existing deployments keep working), each
 * also readable from an environment variable, validated into a WorkerConfig with errors naming the flag.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { ClusterAuth } from '../cluster';
import type { WorkerConfig } from './worker';

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  readonly code = 'MA_BACKFILL_OPTIONS';
}

interface FlagSpec {
  flags: string;
  env: string;
  help: string;
  default?: string;
}

/**
 * 2.5 MiB: on the test bed's OpenSearch (2 cores, 512 MB heap) the target spent 5% more CPU per document on
 * 10 MiB bulks than on 1-2.5 MiB ones (4 MiB half-way), with more of the worker's memory held in flight.
 */
const DEFAULT_BULK_BYTES = 2.5 * 1024 * 1024;

export const FLAGS: FlagSpec[] = [
  { flags: '--snapshot-name <name>', env: 'SNAPSHOT_NAME', help: 'snapshot to migrate (required)' },
  { flags: '--snapshot-local-dir <dir>', env: 'SNAPSHOT_LOCAL_DIR', help: 'filesystem snapshot repository' },
  { flags: '--s3-repo-uri <uri>', env: 'S3_REPO_URI', help: 'S3 snapshot repository, s3://bucket/prefix' },
  { flags: '--s3-region <region>', env: 'S3_REGION', help: 'region of the S3 repository' },
  { flags: '--s3-endpoint <url>', env: 'S3_ENDPOINT', help: 'endpoint of an S3-compatible store' },
  { flags: '--target-host <url>', env: 'TARGET_HOST', help: 'target cluster URL (required), e.g. https://search-x.us-east-1.es.amazonaws.com' },
  { flags: '--target-username <user>', env: 'TARGET_USERNAME', help: 'basic-auth user for the target' },
  { flags: '--target-password <password>', env: 'TARGET_PASSWORD', help: 'basic-auth password for the target (prefer the environment variable)' },
  { flags: '--target-aws-region <region>', env: 'TARGET_AWS_REGION', help: 'sign requests with AWS SigV4 for this region' },
  { flags: '--target-aws-service-signing-name <name>', env: 'TARGET_AWS_SERVICE_SIGNING_NAME', help: 'SigV4 service: es (managed domains) or aoss (serverless)', default: 'es' },
  { flags: '--target-insecure', env: 'TARGET_INSECURE', help: 'accept any TLS certificate from the target' },
  { flags: '--target-compression', env: 'TARGET_COMPRESSION', help: 'gzip bulk bodies (saves network, costs CPU on both sides)' },
  { flags: '--index-allowlist <names>', env: 'INDEX_ALLOWLIST', help: 'comma-separated indices to migrate (default: every index not starting with a dot)' },
  { flags: '--session-name <name>', env: 'SESSION_NAME', help: 'suffix of the working-state index, to run separate backfills side by side' },
  { flags: '--worker-id <id>', env: 'WORKER_ID', help: 'name of this worker in the working state (default: host name and a random suffix)' },
  { flags: '--max-docs-per-bulk <n>', env: 'MAX_DOCS_PER_BULK', help: 'documents per bulk request at most', default: '5000' },
  { flags: '--max-bytes-per-bulk <bytes>', env: 'MAX_BYTES_PER_BULK', help: 'bytes per bulk request at most (a larger document goes alone)', default: String(DEFAULT_BULK_BYTES) },
  { flags: '--max-connections <n>', env: 'MAX_CONNECTIONS', help: 'bulk requests in flight at most (lowered automatically while the target throttles)', default: '4' },
  { flags: '--docs-per-work-item <n>', env: 'DOCS_PER_WORK_ITEM', help: 'split shards into work items of about this many documents', default: '1000000' },
  { flags: '--lease-seconds <s>', env: 'LEASE_SECONDS', help: 'lease length; renewed by heartbeat every quarter of it (at most 30 s)', default: '300' },
  { flags: '--clock-skew-seconds <s>', env: 'CLOCK_SKEW_SECONDS', help: 'clock difference between workers tolerated before taking over an expired lease', default: '60' },
  { flags: '--multi-type-rule <rule>', env: 'MULTI_TYPE_RULE', help: 'indices with several types (Elasticsearch 5): merge (drop the type) or split (index per type, <index>_<type>)', default: 'merge' },
  { flags: '--no-create-indices', env: 'NO_CREATE_INDICES', help: 'do not create missing target indices from the snapshot metadata' },
  { flags: '--failed-docs-dir <dir>', env: 'FAILED_DOCS_DIR', help: 'where documents the target rejects are written, one JSON line each', default: './failed-documents' },
  { flags: '--failed-docs-s3-uri <uri>', env: 'FAILED_DOCS_S3_URI', help: 'write refused documents to S3 instead (s3://bucket/prefix; one gzip JSON-lines object per bulk under <prefix>/<worker id>/), with --s3-region/--s3-endpoint' },
  { flags: '--failed-docs-omit-source', env: 'FAILED_DOCS_OMIT_SOURCE', help: 'leave _source out of the failed-documents log' },
  { flags: '--max-attempts <n>', env: 'MAX_ATTEMPTS', help: 'attempts before a work item is marked failed', default: '3' },
  { flags: '--stage <name>', env: 'STAGE', help: 'stage name in metrics', default: 'dev' },
  { flags: '--shutdown-timeout-seconds <s>', env: 'SHUTDOWN_TIMEOUT_SECONDS', help: 'after SIGTERM/SIGINT, exit anyway after this long (keep it below the platform kill delay, 30 s on ECS); a second signal exits at once', default: '25' },
  { flags: '--lucene-dir <dir>', env: 'LUCENE_DIR', help: 'accepted and ignored: shards are streamed, never unpacked to disk' },
  { flags: '--s3-local-dir <dir>', env: 'S3_LOCAL_DIR', help: 'accepted and ignored: nothing is downloaded to disk' },
];

const integer = (flag: string, min: number) =>
  z.coerce.number({ message: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(min, `${flag} must be at least ${min}`);

const schema = z
  .object({
    snapshotName: z.string({ message: '--snapshot-name is required' }).min(1, '--snapshot-name is required'),
    snapshotLocalDir: z.string().optional(),
    s3RepoUri: z.string().regex(/^s3:\/\/[^/]+/, '--s3-repo-uri must look like s3://bucket/prefix').optional(),
    s3Region: z.string().optional(),
    s3Endpoint: z.string().url('--s3-endpoint must be a URL').optional(),
    targetHost: z.string({ message: '--target-host is required' }).url('--target-host must be a URL such as https://host:9200').regex(/^https?:\/\//i, '--target-host must be a URL such as https://host:9200 (http:// or https://)'),
    targetUsername: z.string().optional(),
    targetPassword: z.string().optional(),
    targetAwsRegion: z.string().optional(),
    targetAwsServiceSigningName: z.enum(['es', 'aoss'], { message: '--target-aws-service-signing-name must be es or aoss' }),
    targetInsecure: z.boolean().optional(),
    targetCompression: z.boolean().optional(),
    indexAllowlist: z.string().optional(),
    sessionName: z.string().regex(/^[a-z0-9_-]*$/, '--session-name may hold only lower-case letters, digits, - and _').optional(),
    workerId: z.string().optional(),
    maxDocsPerBulk: integer('--max-docs-per-bulk', 1),
    maxBytesPerBulk: integer('--max-bytes-per-bulk', 1024),
    maxConnections: integer('--max-connections', 1),
    docsPerWorkItem: integer('--docs-per-work-item', 1),
    leaseSeconds: integer('--lease-seconds', 2),
    clockSkewSeconds: integer('--clock-skew-seconds', 0),
    multiTypeRule: z.enum(['merge', 'split'], { message: '--multi-type-rule must be merge or split' }),
    createIndices: z.boolean(),
    failedDocsDir: z.string(),
    failedDocsS3Uri: z.string().regex(/^s3:\/\/[^/]+/, '--failed-docs-s3-uri must look like s3://bucket/prefix').optional(),
    failedDocsOmitSource: z.boolean().optional(),
    maxAttempts: integer('--max-attempts', 1),
    shutdownTimeoutSeconds: integer('--shutdown-timeout-seconds', 1),
    stage: z.string().min(1),
  })
  .superRefine((o, ctx) => {
    if (!o.snapshotLocalDir === !o.s3RepoUri) ctx.addIssue({ code: 'custom', message: 'give exactly one of --snapshot-local-dir and --s3-repo-uri' });
    if (o.s3RepoUri && !o.s3Region) ctx.addIssue({ code: 'custom', message: '--s3-region is required with --s3-repo-uri' });
    if (!!o.targetUsername !== !!o.targetPassword) ctx.addIssue({ code: 'custom', message: '--target-username and --target-password go together' });
    if (o.targetUsername && o.targetAwsRegion) ctx.addIssue({ code: 'custom', message: 'use either basic auth (--target-username) or SigV4 (--target-aws-region), not both' });
  });

export function buildCommand(): Command {
  const command = new Command('backfill-worker')
    .description('Migrates the documents of a snapshot into the target cluster, sharing the work with other workers through .migrations_working_state on the target. Exits 0 when no work is left.')
    .allowExcessArguments(false);
  for (const spec of FLAGS) {
    const takesValue = spec.flags.includes('<');
    // Commander turns a switch on whenever its variable is set, "false" included; switches read theirs here.
    const option = takesValue ? new Option(spec.flags, spec.help).env(spec.env) : new Option(spec.flags, `${spec.help} (env: ${spec.env}=true|false)`);
    if (spec.default !== undefined) option.default(spec.default);
    const fromEnv = takesValue ? undefined : process.env[spec.env];
    if (fromEnv !== undefined) option.default(spec.flags.startsWith('--no-') ? { variable: spec.env, value: fromEnv, negated: true } : { variable: spec.env, value: fromEnv }, `${spec.env}=${fromEnv}`);
    command.addOption(option);
  }
  command.addHelpText('after', '\nEvery option can also be set by the environment variable shown with it.\n\nExample:\n  backfill-worker --snapshot-name nightly --s3-repo-uri s3://bucket/snapshots --s3-region us-east-1 \\\n    --target-host https://search-x.us-east-1.es.amazonaws.com --target-aws-region us-east-1');
  return command;
}

interface SwitchFromEnv {
  variable: string;
  value: string;
  negated?: boolean;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/** A switch's value: from its flag (boolean), from its variable (true/false words), or absent. */
function switchValue(value: unknown, problems: string[]): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const fromEnv = value as SwitchFromEnv;
  const word = fromEnv.value.trim().toLowerCase();
  if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
    problems.push(`${fromEnv.variable} must be true or false, not "${fromEnv.value}"`);
    return undefined;
  }
  return TRUE_WORDS.has(word) !== (fromEnv.negated === true);
}

export function parseWorkerOptions(raw: Record<string, unknown>): WorkerConfig {
  const problems: string[] = [];
  const normalised = {
    ...raw,
    targetInsecure: switchValue(raw.targetInsecure, problems),
    targetCompression: switchValue(raw.targetCompression, problems),
    failedDocsOmitSource: switchValue(raw.failedDocsOmitSource, problems),
    createIndices: switchValue(raw.createIndices, problems) ?? true,
  };
  const parsed = schema.safeParse(normalised);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
  if (problems.length > 0 || !parsed.success) throw new OptionsError(problems.join('; '));
  const o = parsed.data;
  let auth: ClusterAuth = { type: 'none' };
  if (o.targetUsername && o.targetPassword) auth = { type: 'basic', username: o.targetUsername, password: o.targetPassword };
  if (o.targetAwsRegion) auth = { type: 'sigv4', region: o.targetAwsRegion, service: o.targetAwsServiceSigningName };
  return {
    snapshotName: o.snapshotName,
    repoUri: (o.snapshotLocalDir ?? o.s3RepoUri) as string,
    s3Region: o.s3Region,
    s3Endpoint: o.s3Endpoint,
    target: { endpoint: o.targetHost, auth, allowInsecure: o.targetInsecure, compressRequests: o.targetCompression === true },
    indexAllowlist: o.indexAllowlist?.split(',').map((s) => s.trim()).filter(Boolean),
    sessionName: o.sessionName || undefined,
    workerId: o.workerId ?? `${hostname()}-${randomUUID().slice(0, 8)}`,
    maxDocsPerBatch: o.maxDocsPerBulk,
    maxBytesPerBatch: o.maxBytesPerBulk,
    maxConcurrentBulks: o.maxConnections,
    docsPerWorkItem: o.docsPerWorkItem,
    leaseMs: o.leaseSeconds * 1000,
    clockSkewMs: o.clockSkewSeconds * 1000,
    multiTypeRule: o.multiTypeRule,
    createIndices: o.createIndices,
    failedDocsDir: o.failedDocsDir,
    failedDocsS3Uri: o.failedDocsS3Uri,
    failedDocsIncludeSource: !o.failedDocsOmitSource,
    stage: o.stage,
    maxAttempts: o.maxAttempts,
    shutdownTimeoutMs: o.shutdownTimeoutSeconds * 1000,
  };
}
