import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadPipelineDeployment, PipelineDeployment } from '../../lib/config/pipeline-options';
import { addPipelineStack } from '../../lib/migration-app';
import { synthCommand } from '../../lib/stacks/pipeline-stack';

const ROOT = path.join(__dirname, '..', '..');
const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const contextFile = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.context.json'), 'utf8')) as { stages: Record<string, Record<string, unknown>> };

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0f1e2d3c-4b5a-6978-8899-aabbccddeeff';
const STAGES = ['dev', 'prod'];

/** Two stages side by side: dev as in cdk.context.json, prod with the capture proxy; both with `-c` style overrides. */
const context: Record<string, unknown> = {
  stages: {
    dev: contextFile.stages.dev,
    prod: { ...contextFile.stages.dev, stage: 'prod', captureProxy: { enabled: true }, removalPolicies: { bucket: 'retain', logs: 'retain' } },
  },
  pipeline: { enabled: true, connectionArn: CONNECTION_ARN, repository: 'example/migration-assistant', branch: 'release', stages: STAGES },
  'prod:backfill.maxWorkers': '40',
  'dev:snapshot.snapshotName': 'dev nightly',
};
const deployment = loadPipelineDeployment((key) => context[key], context) as PipelineDeployment;

function synth(): { template: Template; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ma-pipeline-'));
  const app = new App({ outdir, context: cdkJson.context });
  const stack = addPipelineStack(app, deployment, { account: '111122223333', region: 'eu-west-1' });
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

/**
 * Asset hashes change with any source edit, and so does the publishing destination id the asset steps name
 * (`<hash>:<account>-<region>-<8 hex digits of the destination, image tag included>`); the rest must not.
 */
function withoutAssetHashes(text: string): string {
  return text.replace(/[0-9a-f]{64}/g, '<asset-hash>').replace(/(<asset-hash>:[\w-]+)-[0-9a-f]{8}/g, '$1-<destination>');
}

function normalise(template: Template): unknown {
  return JSON.parse(withoutAssetHashes(JSON.stringify(template.toJSON())));
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
type Action = { Name: string; ActionTypeId: { Category: string; Provider: string }; Configuration?: Record<string, unknown>; RunOrder?: number };

describe('CDK pipeline of two stages', () => {
  const { template, outdir } = synth();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const pipelineStages = () => Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as { Name: string; Actions: Action[] }[];
  const statements = () => Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const buildSpecs = () => Object.values(template.findResources('AWS::CodeBuild::Project')).map((project) => JSON.parse(project.Properties.Source.BuildSpec as string) as { phases: Record<string, { commands?: string[]; 'runtime-versions'?: unknown }> });

  it('has no unacknowledged cdk-nag finding, in the pipeline stack or any stage', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations: { ruleName: string; reason: string; violatingConstructs: { constructPath: string }[] }[] }[] };
    const nag = report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag).toHaveLength(1);
    expect(nag[0].violations).toEqual([]);
    const pipelineAcks = nag[0].suppressedViolations.filter((ack) => ack.violatingConstructs.some((construct) => construct.constructPath.startsWith('MigrationAssistant-Pipeline/Pipeline')));
    expect(pipelineAcks.length).toBeGreaterThan(10);
    for (const ack of nag[0].suppressedViolations) expect(ack.reason.length).toBeGreaterThan(30);
    // Every stage's stacks were checked too: their own acknowledgements appear once per stage.
    for (const stage of STAGES) {
      expect(nag[0].suppressedViolations.some((ack) => ack.violatingConstructs.some((construct) => construct.constructPath.startsWith(`MigrationAssistant-Pipeline/${stage}/MigrationAssistant-${stage}-Network`)))).toBe(true);
    }
  });

  it('matches the pipeline stack snapshot', () => {
    expect(normalise(template)).toMatchSnapshot();
  });

  it('pulls the configured repository and branch through the configured connection', () => {
    const [source] = pipelineStages();
    expect(source.Name).toBe('Source');
    expect(source.Actions).toEqual([
      expect.objectContaining({
        ActionTypeId: expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }),
        Configuration: expect.objectContaining({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'example/migration-assistant', BranchName: 'release' }),
      }),
    ]);
  });

  it('lets only the source action use the connection, and only that connection', () => {
    const useConnection = statements().filter((statement) => JSON.stringify(statement.Action).match(/codestar-connections:|codeconnections:/));
    expect(useConnection).toEqual([expect.objectContaining({ Action: 'codestar-connections:UseConnection', Effect: 'Allow', Resource: CONNECTION_ARN })]);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'codestar-connections:UseConnection' })]) } } });
    const roles = Object.values(policies).map((policy) => policy.Properties.Roles as unknown);
    expect(roles).toEqual([[{ Ref: expect.stringMatching(/^PipelineSource.*CodePipelineActionRole/) }]]);
  });

  it('runs npm ci and cdk synth with the pipeline context on Node 22, and pins the CDK CLI of package.json', () => {
    const synthSpec = buildSpecs().find((spec) => spec.phases.build.commands?.includes('npm ci'));
    expect(synthSpec?.phases.build.commands).toEqual(['npm ci', "npx cdk synth -c 'dev:snapshot.snapshotName=dev nightly' -c prod:backfill.maxWorkers=40"]);
    for (const spec of buildSpecs()) expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '22' });
    const selfMutate = buildSpecs().find((spec) => spec.phases.build.commands?.some((command) => command.includes('deploy MigrationAssistant-Pipeline')));
    expect(selfMutate?.phases.install.commands).toEqual([`npm install -g aws-cdk@${packageJson.devDependencies['aws-cdk']}`]);
    expect(selfMutate?.phases.build.commands?.[0]).toContain('--require-approval=never');
  });

  it('deploys each configured stage once, in order, under the stack names of a direct deploy, with no manual step', () => {
    const stages = pipelineStages();
    expect(stages.map((stage) => stage.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', ...STAGES]);
    expect(stages.flatMap((stage) => stage.Actions).filter((action) => action.ActionTypeId.Category === 'Approval')).toEqual([]);
    for (const name of STAGES) {
      const deploys = stages.filter((stage) => stage.Name === name).flatMap((stage) => stage.Actions).filter((action) => action.ActionTypeId.Provider === 'CloudFormation');
      const stackNames = new Set(deploys.map((action) => action.Configuration?.StackName));
      const expected = ['Network', 'Infra', 'Backfill', 'Console'].map((suffix) => `MigrationAssistant-${name}-${suffix}`);
      if (name === 'prod') expected.splice(2, 0, 'MigrationAssistant-prod-Msk', 'MigrationAssistant-prod-CaptureProxy');
      expect([...stackNames].sort()).toEqual(expected.sort());
      // One change set created and executed per stack.
      expect(deploys.map((action) => action.Configuration?.ActionMode).sort()).toEqual(expected.flatMap(() => ['CHANGE_SET_EXECUTE', 'CHANGE_SET_REPLACE']).sort());
    }
  });

  it('keeps artifacts in a KMS-encrypted (rotated key), SSL-only, access-logged bucket', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]));
    }
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(pipeline.Properties.ArtifactStore).toEqual(expect.objectContaining({ EncryptionKey: expect.objectContaining({ Type: 'KMS' }) }));
  });

  it('writes byte-identical templates when synthesized again from the same input', () => {
    const again = synth();
    try {
      const templates = (dir: string) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.template.json')).sort();
      const files = templates(outdir);
      // The pipeline stack plus every stage's stacks in their nested assemblies.
      expect(files).toHaveLength(1 + 4 + 6);
      expect(templates(again.outdir)).toEqual(files);
      // Image asset hashes follow the repository's files, which may change between the two synths; the rest must not.
      const read = (dir: string, file: string) => withoutAssetHashes(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const file of files) expect(read(again.outdir, file)).toBe(read(outdir, file));
    } finally {
      fs.rmSync(again.outdir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('pipeline synth command', () => {
  it('quotes each -c value for the shell only where it needs it', () => {
    expect(synthCommand([])).toBe('npx cdk synth');
    expect(synthCommand(['pipeline:enabled=true', 'dev:backfill.extraArgs=["--max-connections","8"]', "dev:snapshot.snapshotName=it's"])).toBe(
      `npx cdk synth -c pipeline:enabled=true -c 'dev:backfill.extraArgs=["--max-connections","8"]' -c 'dev:snapshot.snapshotName=it'\\''s'`,
    );
  });
});
