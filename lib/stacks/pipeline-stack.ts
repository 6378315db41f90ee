/**
 * Optional CDK Pipelines deployment (`pipeline.enabled`): a CodePipeline fed by a CodeConnections source
 * that runs `npm ci` and `npx cdk synth` with the pipeline's context, updates itself, then deploys each
 * configured stage's stacks in order with no manual step. Artifacts are KMS-encrypted, SSL-only and
 * access-logged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, StackProps, Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { StageOptions } from '../config/options';
import { PipelineDeployment } from '../config/pipeline-options';
import { acknowledgeNag, nagText } from '../constructs/nag';
import { REPOSITORY_ROOT } from '../constructs/program-image';

export interface PipelineStackProps extends StackProps {
  readonly deployment: PipelineDeployment;
  /** Builds one deployed stage's stacks in a `Stage` under `scope`. */
  readonly stage: (scope: Construct, options: StageOptions) => Stage;
}

/** The Node.js major the synth, self-mutation and asset steps run on (the programs' images use the same). */
const NODE_MAJOR = '22';

export class PipelineStack extends Stack {
  readonly pipeline: pipelines.CodePipeline;
  readonly artifactBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { pipeline: options, stages, synthContext } = props.deployment;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    acknowledgeNag(accessLogs, 'S1', 'Pipeline access-log bucket: it receives the artifact bucket server access logs; logging it into itself would log its own log writes');
    const artifactKey = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, description: `Pipeline ${options.name}: encrypts source and cloud-assembly artifacts` });
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      // Artifacts are only read while an execution (or a retry of it) runs.
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });

    const source = pipelines.CodePipelineSource.connection(options.repository, options.branch, { connectionArn: options.connectionArn });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: options.name,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      synth: new pipelines.ShellStep('Synth', {
        input: source,
        commands: ['npm ci', synthCommand(synthContext)],
        primaryOutputDirectory: 'cdk.out',
      }),
      // Same CLI as `npx cdk` in the repository, so self-mutation reads the cloud assembly the synth step wrote.
      cliVersion: pinnedCdkCliVersion(),
      codeBuildDefaults: {
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: NODE_MAJOR } } } }),
      },
    });
    for (const stage of stages) this.pipeline.addStage(props.stage(this, stage));
    this.pipeline.buildPipeline();
    this.acknowledgePipelineRoles();
  }

  /**
   * The roles CDK Pipelines creates get the CDK's bucket and key grant helpers (wildcard actions on this
   * pipeline's artifact bucket and key only) and its fixed CodeBuild, CloudFormation and bootstrap-role
   * statements; each finding is acknowledged on the role that has it.
   */
  private acknowledgePipelineRoles(): void {
    // How cdk-nag spells these ARNs in its findings: pseudo parameters of an environment-agnostic stack, or the literal values.
    const account = nagText(this.account);
    const region = nagText(this.region);
    const bucket = `<${this.getLogicalId(this.artifactBucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const codePipeline = this.pipeline.pipeline;
    const sourceRole = codePipeline.node.tryFindChild('Source')?.node.findAll().find((child): child is iam.Role => child instanceof iam.Role);
    const synthRole = this.pipeline.synthProject.role;
    const selfMutationRole = this.pipeline.selfMutationProject.role;
    const assets = this.pipeline.node.tryFindChild('Assets');
    const assetRoles = ['DockerRole', 'FileRole'].map((id) => assets?.node.tryFindChild(id)).filter((role): role is iam.Role => role instanceof iam.Role);
    if (!sourceRole || !synthRole || !selfMutationRole) throw new Error('PipelineStack: CDK Pipelines no longer creates the source, synth or self-mutation role this stack acknowledges');

    const read = (role: IConstruct, who: string) => {
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) acknowledgeNag(role, `IAM5[Action::${action}]`, `${who}: ${action} from the CDK bucket grant, on the pipeline artifact bucket only`);
      acknowledgeNag(role, `IAM5[Resource::${bucket}/*]`, `${who}: reads artifacts of unknown names (one per execution and action) in the pipeline artifact bucket`);
    };
    const write = (role: IConstruct, who: string) => {
      read(role, who);
      for (const action of ['s3:DeleteObject*', 's3:Abort*']) acknowledgeNag(role, `IAM5[Action::${action}]`, `${who}: ${action} from the CDK bucket grant, on the pipeline artifact bucket only`);
    };
    const key = (role: IConstruct, who: string) => {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) acknowledgeNag(role, `IAM5[Action::${action}]`, `${who}: ${action} from the CDK key grant, on the pipeline artifact key only`);
    };
    const project = (role: IConstruct, who: string, projectResource: codebuild.IProject) => {
      const id = `<${this.getLogicalId(projectResource.node.defaultChild as codebuild.CfnProject)}>`;
      acknowledgeNag(role, `IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/${id}:*]`, `${who}: writes the log streams (named per build) of its own CodeBuild log group`);
      acknowledgeNag(role, `IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/${id}-*]`, `${who}: CodeBuild report groups of its own project, named after it`);
    };

    write(codePipeline.role, 'Pipeline role');
    key(codePipeline.role, 'Pipeline role');
    write(sourceRole, 'Source action role');
    key(sourceRole, 'Source action role');
    write(synthRole, 'Synth project role');
    key(synthRole, 'Synth project role');
    project(synthRole, 'Synth project role', this.pipeline.synthProject);
    read(selfMutationRole, 'Self-mutation project role');
    key(selfMutationRole, 'Self-mutation project role');
    project(selfMutationRole, 'Self-mutation project role', this.pipeline.selfMutationProject);
    acknowledgeNag(selfMutationRole, `IAM5[Resource::arn:*:iam::${account}:role/*]`, 'Self-mutation project role: assumes only roles tagged aws-cdk:bootstrap-role (deploy, file and image publishing) of the CDK bootstrap, by condition');
    acknowledgeNag(selfMutationRole, 'IAM5[Resource::*]', 'Self-mutation project role: cloudformation:DescribeStacks and s3:ListBucket for `cdk deploy` of the pipeline stack, which looks up the bootstrap stack and bucket by name');
    for (const role of assetRoles) {
      const who = `Asset publishing role ${role.node.id}`;
      read(role, who);
      acknowledgeNag(role, 'IAM5[Resource::*]', `${who}: codebuild:StartBuild/BatchGetBuilds/StopBuild shared by the asset projects, created after this role`);
      acknowledgeNag(role, `IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/*]`, `${who}: shared by every asset project, each logging to its own CodeBuild log group`);
      acknowledgeNag(role, `IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/*]`, `${who}: shared by every asset project, each with its own CodeBuild report groups`);
    }
  }
}

/** `npx cdk synth` with each `key=value` of the pipeline's context as a shell-quoted `-c` flag. */
export function synthCommand(context: string[]): string {
  return ['npx cdk synth', ...context.map((entry) => `-c ${shellQuote(entry)}`)].join(' ');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The `aws-cdk` version pinned in package.json (the CLI's `latest` tag cannot read this app's cloud assembly). */
export function pinnedCdkCliVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const version = manifest.devDependencies?.['aws-cdk'];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`package.json: devDependencies.aws-cdk must pin an exact version for the pipeline's CLI, got ${String(version)}`);
  return version;
}
