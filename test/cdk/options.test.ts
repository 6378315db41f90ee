import { DeploymentOptionsError, loadStageOptions, parseStageOptions } from '../../lib/config/options';

const minimal = {
  stage: 'dev',
  sourceCluster: { endpoint: 'https://source:9200', version: 'ES_7.10' },
  targetCluster: { endpoint: 'https://target:443', version: 'OS_2.19', auth: { type: 'sigv4' } },
};

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('deployment options', () => {
  it('fills every default from a minimal stage block', () => {
    const options = parseStageOptions(minimal, 'dev');
    expect(options.vpc.azCount).toBe(2);
    expect(options.backfill).toEqual({ enabled: true, cpu: 2048, memoryMiB: 4096, maxWorkers: 10, extraArgs: [] });
    expect(options.targetCluster.auth).toEqual({ type: 'sigv4', service: 'es' });
    expect(options.removalPolicies).toEqual({ bucket: 'retain', logs: 'retain' });
  });

  it('rejects an unknown key, naming it and its path', () => {
    expect(() => parseStageOptions({ ...minimal, backfill: { maxWorker: 3 } }, 'dev')).toThrow(/stages\.dev\.backfill: .*maxWorker/);
  });

  it('rejects a wrong type, naming the path', () => {
    const bad = { ...minimal, targetCluster: { ...minimal.targetCluster, auth: { type: 'basic' } } };
    expect(() => parseStageOptions(bad, 'dev')).toThrow(/stages\.dev\.targetCluster\.auth\.secretArn/);
    expect(() => parseStageOptions({ ...minimal, vpc: { azCount: 4 } }, 'dev')).toThrow(/stages\.dev\.vpc\.azCount/);
  });

  it('throws a named error with a stable code', () => {
    let caught: unknown;
    try {
      parseStageOptions({ ...minimal, stage: 'Not_Valid' }, 'dev');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeploymentOptionsError);
    expect((caught as DeploymentOptionsError).code).toBe('MA_CDK_INVALID_OPTIONS');
  });

  it('needs subnets and zones for an imported VPC (no lookup at synth)', () => {
    expect(() => parseStageOptions({ ...minimal, vpc: { vpcId: 'vpc-0abc' } }, 'dev')).toThrow(/stages\.dev\.vpc\.subnetIds/);
  });

  it('picks the stage named by -c stage among several and applies -c <stage>:<path> overrides', () => {
    const stages = { dev: minimal, prod: { ...minimal, stage: 'prod' } };
    const options = loadStageOptions(context({ stages, stage: 'prod' }), {
      'prod:backfill.maxWorkers': '25',
      'prod:snapshot.snapshotName': 'nightly',
      'dev:backfill.maxWorkers': '99',
    });
    expect(options.stage).toBe('prod');
    expect(options.backfill.maxWorkers).toBe(25);
    expect(options.snapshot.snapshotName).toBe('nightly');
  });

  it('asks for -c stage when several stages exist and none is chosen', () => {
    expect(() => loadStageOptions(context({ stages: { dev: minimal, prod: minimal } }), {})).toThrow(/-c stage=<name>; defined stages: dev, prod/);
  });

  it('rejects an override with a bad value, naming the path', () => {
    expect(() => loadStageOptions(context({ stages: { dev: minimal } }), { 'dev:backfill.maxWorkers': 'many' })).toThrow(/stages\.dev\.backfill\.maxWorkers/);
  });
});
