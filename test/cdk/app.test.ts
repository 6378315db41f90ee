import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseStageOptions, StageOptions } from '../../lib/config/options';
import { backfillCommand } from '../../lib/constructs/backfill-command';
import { captureProxyCommand } from '../../lib/constructs/capture-proxy-command';
import { addMigrationStacks, MigrationStacks } from '../../lib/migration-app';
import { buildCommand as buildWorkerCommand, FLAGS, parseWorkerOptions } from '../../src/backfill/options';
import { buildProxyCommand, parseProxyOptions } from '../../src/capture-proxy/options';
import { BACKFILL_METRICS, METRICS_NAMESPACE } from '../../src/metrics/names';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
const contextFile = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.context.json'), 'utf8')) as { stages: Record<string, unknown> };

function synth(options: StageOptions): { stacks: MigrationStacks; templates: Record<string, Template>; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ma-cdk-'));
  const app = new App({ outdir, context: cdkJson.context });
  const stacks = addMigrationStacks(app, options, { account: '111122223333', region: 'eu-west-1' });
  app.synth();
  const templates: Record<string, Template> = {};
  for (const [name, stack] of Object.entries(stacks)) if (stack) templates[name] = Template.fromStack(stack);
  return { stacks, templates, outdir };
}

/** Asset hashes change with any source edit; the snapshot is about the infrastructure. */
function normalise(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

const NLB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/customer/1';
const LISTENER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/customer/1/9200';
const defaults = parseStageOptions(contextFile.stages.dev, 'dev');
const everything = parseStageOptions(
  {
    stage: 'full',
    vpc: { azCount: 3 },
    sourceCluster: { endpoint: 'https://source:9200', version: 'ES_7.10', auth: { type: 'basic', secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:source-AbCdEf' } },
    targetCluster: {
      endpoint: 'https://vpc-target.eu-west-1.es.amazonaws.com:443',
      version: 'OS_2.19',
      auth: { type: 'sigv4', service: 'es' },
      domainArn: 'arn:aws:es:eu-west-1:111122223333:domain/target',
    },
    backfill: { maxWorkers: 40, extraArgs: ['--max-connections', '8'] },
    snapshot: { s3Uri: 's3://existing-snapshots/es710', snapshotName: 'nightly' },
    albAcmCertArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/alb',
    alb: { scheme: 'internal', allowedClientCidrs: ['10.50.0.0/16'], allowedClientSecurityGroupIds: ['sg-0123456789abcdef0'] },
    captureProxy: { enabled: true, taskCount: 3, extraArgs: ['--onCaptureFailure', 'reject'] },
    nlbCutover: { nlbArn: NLB_ARN, listenerArn: LISTENER_ARN },
  },
  'full',
);

describe('CDK app with the defaults of cdk.context.json', () => {
  const { templates, outdir } = synth(defaults);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('has no unacknowledged cdk-nag finding', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as unknown;
    expect(collectOpenFindings(report)).toEqual([]);
  });

  it('matches the template snapshots', () => {
    for (const [name, template] of Object.entries(templates)) expect(normalise(template)).toMatchSnapshot(name);
  });

  it('writes byte-identical templates when synthesized again from the same input', () => {
    const again = synth(defaults);
    try {
      const files = fs.readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
      expect(files.length).toBe(4);
      // Image asset hashes follow the repository's files, which may change between the two synths; the rest must not.
      const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8').replace(/[0-9a-f]{64}/g, '<asset-hash>');
      for (const file of files) expect(read(again.outdir, file)).toBe(read(outdir, file));
    } finally {
      fs.rmSync(again.outdir, { recursive: true, force: true });
    }
  }, 60_000);

  it('stages for each image every file its Dockerfile copies, and no node_modules', () => {
    const manifests = fs.readdirSync(outdir).filter((file) => file.endsWith('.assets.json'));
    const images = manifests.flatMap((file) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')) as { dockerImages?: Record<string, { source: { directory: string; dockerFile: string } }> };
      return Object.values(manifest.dockerImages ?? {}).map((image) => image.source);
    });
    expect(new Set(images.map((image) => image.dockerFile))).toEqual(new Set(['docker/backfill-worker/Dockerfile', 'docker/console/Dockerfile']));
    for (const image of images) {
      const context = path.join(outdir, image.directory);
      const dockerfile = fs.readFileSync(path.join(context, image.dockerFile), 'utf8');
      const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1].split(/\s+/));
      expect(copied).toEqual(expect.arrayContaining(['package.json', 'src']));
      for (const source of copied) expect(fs.existsSync(path.join(context, source))).toBe(true);
      expect(fs.existsSync(path.join(context, 'node_modules'))).toBe(false);
      expect(dockerfile).toMatch(/^FROM node:22/m);
      expect(dockerfile).toMatch(/^USER node$/m);
    }
  });

  it('keeps the backfill service at zero tasks, scaled by the console', () => {
    templates.backfill.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0, ServiceName: 'migration-dev-backfill' });
  });

  it('enables ECS Exec on the console and hands it services.yaml through SSM', () => {
    templates.console.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true, ServiceName: 'migration-dev-console' });
    templates.console.hasResourceProperties('AWS::SSM::Parameter', { Name: '/migration/dev/services-yaml', Value: Match.anyValue() });
  });

  it('denies non-TLS access to the snapshot bucket and encrypts it', () => {
    templates.infra.hasResourceProperties('AWS::S3::Bucket', { BucketEncryption: Match.objectLike({}) });
    templates.infra.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('graphs the worker metrics by the names the programs emit, with a DomainName dropdown', () => {
    const dashboards = templates.backfill.findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.values(dashboards)[0].Properties.DashboardBody);
    expect(body).toContain(METRICS_NAMESPACE);
    for (const name of Object.values(BACKFILL_METRICS)) expect(body).toContain(`\\"${name}\\"`);
    expect(body).toContain('DomainName');
    expect(body).toContain('AWS/ES');
  });

  it('alarms on a stalled backfill, throttling and failed documents', () => {
    for (const metricName of [BACKFILL_METRICS.checkpointAge, BACKFILL_METRICS.bulkThrottled, BACKFILL_METRICS.documentsFailed]) {
      templates.backfill.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, Namespace: METRICS_NAMESPACE, Dimensions: Match.arrayWith([{ Name: 'stage', Value: 'dev' }]) });
    }
  });
});

describe('CDK app with every option set', () => {
  const { templates, outdir } = synth(everything);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('has no unacknowledged cdk-nag finding', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as unknown;
    expect(collectOpenFindings(report)).toEqual([]);
  });

  it('matches the template snapshots', () => {
    for (const [name, template] of Object.entries(templates)) expect(normalise(template)).toMatchSnapshot(name);
  });

  it('gives the backfill workers read-only snapshot access, put on failed-documents and SigV4 on the named domain only', () => {
    const policies = templates.backfill.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const taskStatements = statements.filter((statement) => !String(statement.Action).includes('ecr:') && !String(statement.Action).includes('logs:'));
    for (const statement of taskStatements) expect(statement.Resource).not.toBe('*');
    const actions = taskStatements.flatMap((statement) => [statement.Action].flat());
    expect(actions).not.toContain('s3:DeleteObject*');
    expect(actions).toContain('es:ESHttpPost');
    expect(JSON.stringify(taskStatements)).toContain('arn:aws:es:eu-west-1:111122223333:domain/target');
    expect(JSON.stringify(taskStatements)).toContain('existing-snapshots/es710/*');
  });

  it('passes the target basic-auth secret to no one and the source secret only to the console', () => {
    const backfill = JSON.stringify(templates.backfill.toJSON());
    expect(backfill).not.toContain('secret:source');
    templates.console.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:source-AbCdEf' }]) },
    });
  });

  it('serves HTTPS on 9200 with the given certificate and forwards to the proxy, health-checked on /__health', () => {
    templates.captureProxy.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9200,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/alb' }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    templates.captureProxy.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 9200,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/__health',
      HealthCheckPort: '9200',
    });
    templates.captureProxy.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3, ServiceName: 'migration-full-capture-proxy' });
  });

  it('opens the ALB only to the configured clients, and the proxy only to the ALB', () => {
    templates.captureProxy.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Capture proxy ALB'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.50.0.0/16', FromPort: 9200, ToPort: 9200, IpProtocol: 'tcp' })],
    });
    templates.captureProxy.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 9200, ToPort: 9200 });
    const ingress = Object.values(templates.captureProxy.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => rule.Properties as Record<string, unknown>);
    for (const rule of ingress) expect(rule.CidrIp).toBeUndefined();
    expect(ingress.map((rule) => rule.FromPort).sort()).toEqual([9098, 9200, 9200]);
    const groups = Object.values(templates.captureProxy.findResources('AWS::EC2::SecurityGroup'));
    expect(JSON.stringify(groups.map((group) => group.Properties.SecurityGroupIngress ?? []))).not.toContain('0.0.0.0/0');
  });

  it('creates MSK with IAM auth, TLS in transit, broker logs and brokers reachable from the proxy only', () => {
    templates.msk.hasResourceProperties('AWS::MSK::Cluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: Match.objectLike({ Enabled: true }) } },
      NumberOfBrokerNodes: 3,
    });
    templates.msk.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('MSK brokers'), SecurityGroupEgress: Match.anyValue() });
  });

  it('lets the proxy write only its MSK cluster topics', () => {
    const statements = Object.values(templates.captureProxy.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    const topicWrite = statements.find((statement) => JSON.stringify(statement.Action).includes('kafka-cluster:WriteData'));
    expect(JSON.stringify(topicWrite?.Resource)).toContain(':kafka:eu-west-1:111122223333:topic/migration-full/*');
    const connect = statements.find((statement) => JSON.stringify(statement.Action).includes('kafka-cluster:Connect'));
    expect(JSON.stringify(connect?.Resource)).toContain('ClusterArn');
  });

  it('deploys the bundled NLB cutover function, limited to the customer listener and its own target group', () => {
    templates.captureProxy.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ NLB_ARN, LISTENER_ARN, SAVED_ACTIONS_PARAMETER: '/migration/full/cutover/previous-default-actions' }) },
    });
    templates.captureProxy.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'elasticloadbalancing:CreateListener', Effect: 'Allow', Resource: NLB_ARN },
          { Action: 'elasticloadbalancing:ModifyListener', Effect: 'Allow', Resource: LISTENER_ARN },
        ]),
      },
    });
    templates.console.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('NlbCutover') }) })]) },
    });
  });

  it('limits the console to scaling the backfill and capture proxy services and reading the MSK cluster', () => {
    const statements = Object.values(templates.console.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    const ecsStatement = statements.find((statement) => JSON.stringify(statement.Action).includes('ecs:UpdateService'));
    expect(ecsStatement?.Resource).toHaveLength(2);
    expect(JSON.stringify(ecsStatement?.Resource)).not.toContain('"*"');
    const kafka = statements.filter((statement) => JSON.stringify(statement.Action).includes('kafka-cluster:'));
    expect(kafka.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      ['kafka-cluster:AlterGroup', 'kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:DescribeGroup', 'kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
    );
    // '*' only where ECS Exec and ECR have no resource-level permissions (ECS Exec session logging included).
    const unscoped = statements.filter((statement) => statement.Resource === '*' && !/ssmmessages|ecr:GetAuthorizationToken|logs:/.test(JSON.stringify(statement.Action)));
    expect(unscoped).toEqual([]);
  });
});

describe('CDK app with the capture proxy and no certificate ARN', () => {
  const { templates, outdir } = synth(parseStageOptions({ ...(contextFile.stages.dev as object), captureProxy: { enabled: true } }, 'dev'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('puts a self-signed certificate, imported into ACM by a custom resource, on the 9200 listener', () => {
    const [certificateId] = Object.keys(templates.captureProxy.findResources('Custom::SelfSignedCertificate'));
    expect(certificateId).toBeDefined();
    templates.captureProxy.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9200, Certificates: [{ CertificateArn: { Ref: certificateId } }] });
  });

  it('opens the ALB to the VPC only when no client is configured', () => {
    const groups = Object.values(templates.captureProxy.findResources('AWS::EC2::SecurityGroup'));
    const ingress = groups.flatMap((group) => (group.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[]);
    expect(ingress).toEqual([expect.objectContaining({ CidrIp: { 'Fn::ImportValue': expect.stringContaining('CidrBlock') }, FromPort: 9200 })]);
  });
});

describe('capture proxy task command', () => {
  // The flags the capture-proxy program itself defines.
  const known = new Set(buildProxyCommand().options.map((option) => option.long));

  it('uses the proxy flags, MSK IAM auth with the region, and extra arguments last', () => {
    const args = captureProxyCommand({ options: { ...everything, sourceCluster: { ...everything.sourceCluster, allowInsecure: true } }, region: 'eu-west-1', kafkaBootstrapServers: 'b-1:9098', mskIamAuth: true });
    expect(known.size).toBeGreaterThan(10);
    for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(known).toContain(flag);
    // The proxy's own parser accepts the whole command line.
    const command = buildProxyCommand().exitOverride();
    command.parse(args, { from: 'user' });
    const config = parseProxyOptions(command.opts());
    expect(config.listenPort).toBe(9200);
    expect(config.destination.toString()).toBe('https://source:9200/');
    expect(args).toEqual(['--destinationUri', 'https://source:9200', '--listenPort', '9200', '--kafkaConnection', 'b-1:9098', '--stage', 'full', '--enableMSKAuth', '--awsRegion', 'eu-west-1', '--insecureDestination', '--onCaptureFailure', 'reject']);
  });

  it('runs one proxy process per vCPU of the task', () => {
    const withCpu = (cpu: 1024 | 2048 | 4096) => captureProxyCommand({ options: { ...everything, captureProxy: { ...everything.captureProxy, cpu } }, region: 'eu-west-1', kafkaBootstrapServers: 'b-1:9098', mskIamAuth: true });
    expect(withCpu(1024)).not.toContain('--workers');
    expect(withCpu(2048).join(' ')).toContain('--workers 2');
    const args = withCpu(4096);
    const command = buildProxyCommand().exitOverride();
    command.parse(args, { from: 'user' });
    expect(parseProxyOptions(command.opts()).workers).toBe(4);
  });
});

describe('backfill task command', () => {
  const known = new Set(FLAGS.map((flag) => flag.flags.split(' ')[0]));

  it('uses only flags the backfill worker program accepts', () => {
    const args = backfillCommand({ options: everything, region: 'eu-west-1', snapshotRepoUri: 's3://existing-snapshots/es710', failedDocsS3Uri: 's3://existing-snapshots/failed-documents' });
    const flags = args.filter((arg) => arg.startsWith('--'));
    expect(flags.length).toBeGreaterThan(6);
    for (const flag of flags) expect(known).toContain(flag);
    expect(args).toEqual(expect.arrayContaining(['--target-aws-region', 'eu-west-1', '--target-aws-service-signing-name', 'es', '--snapshot-name', 'nightly']));
    expect(args.slice(-2)).toEqual(['--max-connections', '8']);
    // The worker's own parser accepts the whole command line.
    const command = buildWorkerCommand().exitOverride();
    command.parse(args, { from: 'user' });
    expect(() => parseWorkerOptions(command.opts())).not.toThrow();
  });
});

interface PluginReport {
  pluginName: string;
  violations: unknown[];
  suppressedViolations: { ruleName: string; reason: string; acknowledgedAt: string }[];
}

/** Open findings of the cdk-nag plugin; every acknowledged one must carry a reason. */
function collectOpenFindings(report: unknown): unknown[] {
  const plugins = (report as { pluginReports: PluginReport[] }).pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
  expect(plugins).toHaveLength(1);
  for (const suppressed of plugins[0].suppressedViolations) expect(suppressed.reason.length).toBeGreaterThan(30);
  return plugins[0].violations;
}
