import { DeploymentOptionsError, loadStageOptions } from '../../lib/config/options';
import { loadPipelineDeployment } from '../../lib/config/pipeline-options';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0f1e2d3c-4b5a-6978-8899-aabbccddeeff';
const stage = (name: string) => ({
  stage: name,
  sourceCluster: { endpoint: `https://${name}-source:9200`, version: 'ES_7.10' },
  targetCluster: { endpoint: `https://${name}-target:443`, version: 'OS_2.19', auth: { type: 'sigv4' } },
});
const stages = { dev: stage('dev'), prod: stage('prod') };
const pipeline = { enabled: true, connectionArn: CONNECTION_ARN, repository: 'example/migration-assistant', stages: ['dev', 'prod'] };

const context = (values: Record<string, unknown>) => (key: string) => values[key];
const load = (values: Record<string, unknown>, overrides: Record<string, unknown> = {}) => loadPipelineDeployment(context(values), { ...values, ...overrides });

describe('pipeline options', () => {
  it('builds no pipeline without a pipeline block, or with enabled false', () => {
    expect(load({ stages })).toBeUndefined();
    expect(load({ stages, pipeline: { ...pipeline, enabled: false } })).toBeUndefined();
    expect(load({ stages, pipeline: { enabled: false } })).toBeUndefined();
  });

  it('validates every listed stage, in order, with defaults filled in', () => {
    const deployment = load({ stages, pipeline });
    expect(deployment?.pipeline).toEqual({ ...pipeline, branch: 'main', name: 'migration-assistant' });
    expect(deployment?.stages.map((options) => options.stage)).toEqual(['dev', 'prod']);
    expect(deployment?.stages[1].backfill.maxWorkers).toBe(10);
    expect(deployment?.synthContext).toEqual([]);
  });

  it('names the missing keys of an enabled pipeline by their path', () => {
    const message = errorOf(() => load({ stages, pipeline: { enabled: true } }));
    expect(message).toMatch(/pipeline\.connectionArn: required when pipeline\.enabled is true/);
    expect(message).toMatch(/pipeline\.repository: required when pipeline\.enabled is true/);
    expect(message).toMatch(/pipeline\.stages: required when pipeline\.enabled is true/);
  });

  it('rejects bad values and unknown keys by their path, enabled or not', () => {
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, connectionArn: 'arn:aws:iam::111122223333:role/x' } }))).toMatch(/pipeline\.connectionArn: must be a CodeConnections connection ARN/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, repository: 'migration-assistant' } }))).toMatch(/pipeline\.repository: must be owner\/name/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, stages: ['dev', 'dev'] } }))).toMatch(/pipeline\.stages: each stage may be listed once/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, stages: [] } }))).toMatch(/pipeline\.stages: list at least one stage block/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, stages: ['Prod'] } }))).toMatch(/pipeline\.stages\.0: must be 1-15 lower-case/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, branches: ['main'] } }))).toMatch(/pipeline: .*\(branches\)/);
    expect(errorOf(() => load({ stages, pipeline: { enabled: false, repository: 'no-owner' } }))).toMatch(/pipeline\.repository: must be owner\/name/);
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, enabled: 'yes' } }))).toMatch(/pipeline\.enabled: must be true or false/);
  });

  it('names a listed stage with no block, and a stage block error by its stage path', () => {
    expect(errorOf(() => load({ stages, pipeline: { ...pipeline, stages: ['dev', 'qa'] } }))).toMatch(/pipeline\.stages: no block "qa" under stages; defined stages: dev, prod/);
    const broken = { ...stages, prod: { ...stage('prod'), backfill: { maxWorkers: 0 } } };
    expect(errorOf(() => load({ stages: broken, pipeline }))).toMatch(/stages\.prod\.backfill\.maxWorkers/);
  });

  it('refuses -c stage together with an enabled pipeline, saying how to deploy one stage directly', () => {
    expect(errorOf(() => load({ stages, pipeline, stage: 'dev' }))).toMatch(/-c stage=dev deploys one stage directly.*-c pipeline:enabled=false/);
  });

  it('reserves "pipeline" as a stage name for the -c pipeline:<path> overrides', () => {
    expect(errorOf(() => loadStageOptions(context({ stages: { pipeline: stage('pipeline') } }), {}))).toMatch(/stages\.pipeline: .*give this stage another name/);
    expect(errorOf(() => loadStageOptions(context({ stages, stage: 'pipeline' }), { 'pipeline:stage': 'pipeline' }))).toMatch(/stages\.pipeline: .*give this stage another name/);
  });

  it('takes the whole pipeline and its stages from -c flags (JSON text, nested overrides, stages side by side)', () => {
    // What `cdk synth -c …` hands the app: every value as text.
    const values = {
      stages: JSON.stringify({ dev: stage('dev') }),
      'pipeline:enabled': 'true',
      'pipeline:connectionArn': CONNECTION_ARN,
      'pipeline:repository': 'example/migration-assistant',
      'pipeline:branch': 'release',
      'pipeline:stages': '["dev","qa"]',
      'qa:stage': 'qa',
      'qa:sourceCluster.endpoint': 'https://qa-source:9200',
      'qa:sourceCluster.version': 'ES_7.10',
      'qa:targetCluster': JSON.stringify({ endpoint: 'https://qa-target:443', version: 'OS_2.19' }),
      'qa:backfill.maxWorkers': '33',
      'dev:snapshot.snapshotName': 'nightly',
      'prod:backfill.maxWorkers': '99',
    };
    const deployment = load(values);
    expect(deployment?.pipeline.branch).toBe('release');
    expect(deployment?.stages.map((options) => [options.stage, options.backfill.maxWorkers, options.snapshot.snapshotName])).toEqual([
      ['dev', 10, 'nightly'],
      ['qa', 33, 'migration-assistant-snapshot'],
    ]);
    expect(deployment?.stages[1].targetCluster.endpoint).toBe('https://qa-target:443');
    // The synth step repeats every flag of the pipeline and its stages (not of other stages), sorted.
    expect(deployment?.synthContext).toEqual([
      'dev:snapshot.snapshotName=nightly',
      'pipeline:branch=release',
      'pipeline:connectionArn=' + CONNECTION_ARN,
      'pipeline:enabled=true',
      'pipeline:repository=example/migration-assistant',
      'pipeline:stages=["dev","qa"]',
      'qa:backfill.maxWorkers=33',
      'qa:sourceCluster.endpoint=https://qa-source:9200',
      'qa:sourceCluster.version=ES_7.10',
      'qa:stage=qa',
      `qa:targetCluster=${values['qa:targetCluster']}`,
      `stages=${values.stages}`,
    ]);
  });

  it('accepts the whole block as JSON text from -c pipeline=<json>, and repeats it for the synth step', () => {
    const text = JSON.stringify({ ...pipeline, stages: ['prod'] });
    const deployment = load({ stages, pipeline: text });
    expect(deployment?.stages.map((options) => options.stage)).toEqual(['prod']);
    expect(deployment?.synthContext).toEqual([`pipeline=${text}`]);
    expect(errorOf(() => load({ stages, pipeline: '{not json' }))).toMatch(/pipeline: -c pipeline=<value> must be a JSON object/);
  });
});

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected a DeploymentOptionsError');
}
