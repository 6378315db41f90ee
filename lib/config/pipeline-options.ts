/**
 * Options of the optional CDK Pipelines deployment, under the top-level `pipeline` context key beside
 * `stages`: the CodeConnections connection, the repository and branch it watches, and the stage blocks it
 * deploys, in order. `-c pipeline:<dotted.path>=<value>` overrides one key, as `-c <stage>:<path>` does
 * for a stage, and `-c pipeline=<json>` replaces the whole block.
 */
import { z } from 'zod';
import { applyOverrides, ContextReader, DeploymentOptionsError, describeIssues, readStages, stageName, stageOptionsFor, StageOptions } from './options';

/** Says "required" for a missing key instead of zod's "expected string, received undefined". */
const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? `required when pipeline.enabled is true: ${what}` : undefined);

const enabledPipeline = z.strictObject({
  enabled: z.literal(true),
  /** The AWS CodeConnections (formerly CodeStar Connections) connection to the repository's host, created and authorised once in the console. */
  connectionArn: z
    .string({ error: required('the ARN of an authorised CodeConnections connection') })
    .regex(
      /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/,
      'must be a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id>',
    ),
  repository: z.string({ error: required('the repository as owner/name') }).regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name'),
  branch: z.string().min(1).default('main'),
  /** Names of blocks under `stages`, deployed one after the other in this order. */
  stages: z
    .array(stageName, { error: required('the names of the stage blocks to deploy, in order') })
    .min(1, 'list at least one stage block to deploy')
    .refine((names) => new Set(names).size === names.length, 'each stage may be listed once'),
  /** Name of the CodePipeline pipeline. */
  name: z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/, 'must be 1-100 letters, digits or . @ _ -').default('migration-assistant'),
});

/** A disabled block may keep its other keys (checked the same way), so the pipeline can be switched off and on again. */
const disabledPipeline = enabledPipeline.partial().extend({ enabled: z.literal(false) });

export const pipelineOptionsSchema = z.discriminatedUnion('enabled', [enabledPipeline, disabledPipeline], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be true or false' : undefined),
});

export type PipelineOptions = z.infer<typeof enabledPipeline>;

/** What the pipeline stack is built from. */
export interface PipelineDeployment {
  readonly pipeline: PipelineOptions;
  /** Validated options of each stage the pipeline deploys, in `pipeline.stages` order. */
  readonly stages: StageOptions[];
  /**
   * The `key=value` context the pipeline's synth step passes again with `-c`, sorted: every override key of
   * the pipeline and its stages, and `pipeline`/`stages` when given as JSON text. Context files are in the
   * repository the synth step checks out, so their keys are not repeated.
   */
  readonly synthContext: string[];
}

/**
 * Reads the `pipeline` context key with its `-c pipeline:<path>` overrides; `undefined` when there is no
 * pipeline block or it is disabled (the app then deploys one stage directly).
 */
export function loadPipelineDeployment(context: ContextReader, overrides: Record<string, unknown>): PipelineDeployment | undefined {
  const raw = context('pipeline');
  const hasOverride = Object.keys(overrides).some((key) => key.startsWith('pipeline:'));
  if (raw === undefined && !hasOverride) return undefined;
  const block = applyOverrides(typeof raw === 'string' ? parseJson(raw) : raw, 'pipeline', overrides);
  const result = pipelineOptionsSchema.safeParse(block);
  if (!result.success) throw new DeploymentOptionsError(describeIssues(['pipeline'], result.error.issues));
  const pipeline = result.data;
  if (!pipeline.enabled) return undefined;
  if (context('stage') !== undefined) {
    throw new DeploymentOptionsError(`stage: -c stage=${String(context('stage'))} deploys one stage directly, but pipeline.enabled is true; add -c pipeline:enabled=false to deploy it without the pipeline`);
  }
  const stages = readStages(context);
  const stageOptions = pipeline.stages.map((name) => {
    if (!(name in stages) && !Object.keys(overrides).some((key) => key.startsWith(`${name}:`))) {
      throw new DeploymentOptionsError(`pipeline.stages: no block "${name}" under stages; defined stages: ${Object.keys(stages).join(', ')}`);
    }
    return stageOptionsFor(stages, name, overrides);
  });
  return { pipeline, stages: stageOptions, synthContext: synthContext(context, overrides, pipeline.stages) };
}

function synthContext(context: ContextReader, overrides: Record<string, unknown>, stages: string[]): string[] {
  const prefixes = ['pipeline', ...stages].map((name) => `${name}:`);
  const entries = Object.entries(overrides).filter(([key]) => prefixes.some((prefix) => key.startsWith(prefix)));
  for (const key of ['pipeline', 'stages']) {
    const value = context(key);
    if (typeof value === 'string') entries.push([key, value]);
  }
  return entries.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).sort();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DeploymentOptionsError(`pipeline: -c pipeline=<value> must be a JSON object, got ${JSON.stringify(text)}`);
  }
}
