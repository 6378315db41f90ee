/**
 * Deployment options of the CDK app: one block per stage under the `stages` context key
 * (`cdk.context.json` or `-c`), validated with zod so an unknown or mistyped key fails with its path.
 * The reference app silently ignores unknown keys; a typo there deploys the wrong thing.
 */
import { z } from 'zod';

export class DeploymentOptionsError extends Error {
  readonly code = 'MA_CDK_INVALID_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentOptionsError';
  }
}

const removalPolicy = z.enum(['retain', 'destroy']);
const cpu = z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096), z.literal(8192), z.literal(16384)]);

const clusterAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('basic'), secretArn: z.string().startsWith('arn:', 'must be a Secrets Manager secret ARN') }),
  z.strictObject({ type: z.literal('sigv4'), region: z.string().min(1).optional(), service: z.enum(['es', 'aoss']).default('es') }),
]);

const cluster = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://host:9200' }),
  version: z.string().regex(/^(ES|OS)_\d+(\.\d+)*$/, 'must look like ES_7.10 or OS_2.19'),
  auth: clusterAuth.default({ type: 'none' }),
  allowInsecure: z.boolean().default(false),
  /** ARN of an Amazon OpenSearch Service domain, so IAM grants name it instead of `*`. */
  domainArn: z.string().startsWith('arn:').optional(),
});

const vpc = z.strictObject({
  /** Import an existing VPC (no lookup at synth: give its private subnets and their zones). */
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/).optional(),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  availabilityZones: z.array(z.string().min(1)).optional(),
  /** Zones of a VPC created by the app. */
  azCount: z.union([z.literal(2), z.literal(3)]).default(2),
  cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/).default('10.212.0.0/16'),
});

/** A stage's name, also the key of its block under `stages`. */
export const stageName = z.string().regex(/^[a-z][a-z0-9-]{0,14}$/, 'must be 1-15 lower-case letters, digits or dashes, starting with a letter');

export const stageOptionsSchema = z.strictObject({
  stage: stageName,
  vpc: vpc.default({ azCount: 2, cidr: '10.212.0.0/16' }),
  sourceCluster: cluster,
  targetCluster: cluster,
  albAcmCertArn: z.string().startsWith('arn:').optional(),
  alb: z
    .strictObject({
      scheme: z.enum(['internal', 'internet-facing']).default('internal'),
      allowedClientCidrs: z.array(z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)).default([]),
      allowedClientSecurityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).default([]),
    })
    .default({ scheme: 'internal', allowedClientCidrs: [], allowedClientSecurityGroupIds: [] }),
  captureProxy: z
    .strictObject({
      enabled: z.boolean().default(false),
      taskCount: z.int().min(0).max(50).default(2),
      cpu: cpu.default(1024),
      memoryMiB: z.int().min(512).default(2048),
      extraArgs: z.array(z.string()).default([]),
    })
    .default({ enabled: false, taskCount: 2, cpu: 1024, memoryMiB: 2048, extraArgs: [] }),
  kafka: z
    .strictObject({
      brokerInstanceType: z.string().startsWith('kafka.').default('kafka.m7g.large'),
      brokersPerAz: z.int().min(1).max(10).default(1),
      storageGiB: z.int().min(1).max(16384).default(500),
      /** Use these brokers (host:port,…) instead of creating an MSK cluster. */
      existingBootstrapServers: z.string().min(1).optional(),
    })
    .default({ brokerInstanceType: 'kafka.m7g.large', brokersPerAz: 1, storageGiB: 500 }),
  backfill: z
    .strictObject({
      enabled: z.boolean().default(true),
      cpu: cpu.default(2048),
      memoryMiB: z.int().min(512).default(4096),
      maxWorkers: z.int().min(1).max(200).default(10),
      extraArgs: z.array(z.string()).default([]),
    })
    .default({ enabled: true, cpu: 2048, memoryMiB: 4096, maxWorkers: 10, extraArgs: [] }),
  snapshot: z
    .strictObject({
      /** s3://bucket/prefix of an existing repository; otherwise the app's bucket under `snapshots/`. */
      s3Uri: z.string().regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be s3://bucket[/prefix]').optional(),
      repositoryName: z.string().min(1).default('migration-assistant-repo'),
      snapshotName: z.string().min(1).default('migration-assistant-snapshot'),
    })
    .default({ repositoryName: 'migration-assistant-repo', snapshotName: 'migration-assistant-snapshot' }),
  nlbCutover: z
    .strictObject({
      nlbArn: z.string().startsWith('arn:'),
      listenerArn: z.string().startsWith('arn:'),
    })
    .optional(),
  removalPolicies: z
    .strictObject({ bucket: removalPolicy.default('retain'), logs: removalPolicy.default('retain') })
    .default({ bucket: 'retain', logs: 'retain' }),
});

export type StageOptions = z.infer<typeof stageOptionsSchema>;

/** Parses one stage block; the error lists every bad key by its dotted path under `stages.<stage>`. */
export function parseStageOptions(raw: unknown, stage: string): StageOptions {
  const result = stageOptionsSchema.safeParse(raw);
  if (!result.success) throw new DeploymentOptionsError(describeIssues(['stages', stage], result.error.issues));
  const options = result.data;
  if (options.stage !== stage) throw new DeploymentOptionsError(`stages.${stage}.stage: must equal its block name "${stage}", got "${options.stage}"`);
  if (options.vpc.vpcId && (!options.vpc.subnetIds?.length || options.vpc.subnetIds.length !== options.vpc.availabilityZones?.length)) {
    throw new DeploymentOptionsError(`stages.${stage}.vpc.subnetIds: an imported VPC needs its private subnet ids and, in the same order, their availabilityZones`);
  }
  return options;
}

/** One line per zod issue, each naming the key by its dotted path under `root`. */
export function describeIssues(root: string[], issues: readonly z.core.$ZodIssue[]): string {
  const problems = issues.map((issue) => {
    const path = [...root, ...issue.path.map(String)].join('.');
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${path}: ${issue.message}${keys}`;
  });
  return `invalid deployment options:\n  ${problems.join('\n  ')}`;
}

/** Context reader: `tryGetContext` of the CDK app, injected so tests need no App. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads the selected stage (`-c stage=<name>`, default the only block in `stages`) and applies
 * per-key overrides given as `-c <stage>:<dotted.path>=<value>` (value parsed as JSON when it is JSON).
 */
export function loadStageOptions(context: ContextReader, overrides: Record<string, unknown>): StageOptions {
  const stages = readStages(context);
  const names = Object.keys(stages);
  const selected = context('stage');
  const stage = typeof selected === 'string' ? selected : names.length === 1 ? names[0] : undefined;
  if (!stage) throw new DeploymentOptionsError(`choose a stage with -c stage=<name>; defined stages: ${names.join(', ')}`);
  if (stage === 'pipeline') throw new DeploymentOptionsError(PIPELINE_IS_RESERVED);
  return stageOptionsFor(stages, stage, overrides);
}

const PIPELINE_IS_RESERVED = 'stages.pipeline: "pipeline" names the pipeline options (-c pipeline:<path>=<value>); give this stage another name';

/**
 * The `stages` context key: an object in a context file, or the same object as JSON text from `-c stages=<json>`.
 * `pipeline` is not a stage name: `-c pipeline:<path>` overrides belong to the pipeline's options.
 */
export function readStages(context: ContextReader): Record<string, unknown> {
  const stages = parseValue(context('stages'));
  if (!isRecord(stages)) {
    throw new DeploymentOptionsError('context key "stages" must be an object of stage blocks (see cdk.context.json)');
  }
  if ('pipeline' in stages) throw new DeploymentOptionsError(PIPELINE_IS_RESERVED);
  return stages;
}

/** One stage's block from `stages` (or an empty one) with its `-c <stage>:<path>` overrides, validated. */
export function stageOptionsFor(stages: Record<string, unknown>, stage: string, overrides: Record<string, unknown>): StageOptions {
  return parseStageOptions(applyOverrides(stages[stage] ?? { stage }, stage, overrides), stage);
}

/** A copy of `block` with every `<prefix>:<dotted.path>` override set at its path. */
export function applyOverrides(block: unknown, prefix: string, overrides: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(isRecord(block) ? block : {});
  for (const [key, value] of Object.entries(overrides)) {
    if (!key.startsWith(`${prefix}:`)) continue;
    setPath(copy, key.slice(prefix.length + 1).split('.'), parseValue(value));
  }
  return copy;
}

/** Context values given with `-c` arrive as text; JSON text becomes its value, other text stays text. */
export function parseValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
