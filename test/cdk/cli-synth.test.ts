/**
 * `cdk synth` through the CLI pinned in package.json, as a user or the pipeline's synth step runs it: no AWS
 * credentials, no Docker, stdin closed (a prompt would fail the run). It runs in a copy of the repository
 * taken once, so edits made meanwhile cannot change its input and two runs must agree byte for byte.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');
const NOT_COPIED = new Set(['node_modules', '.git', 'cdk.out', 'dist', 'coverage', '.testbed', '.demo']);
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0f1e2d3c-4b5a-6978-8899-aabbccddeeff';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ma-cli-synth-'));
const checkout = path.join(work, 'repo');
beforeAll(() => {
  fs.cpSync(ROOT, checkout, { recursive: true, filter: (source) => path.dirname(source) !== ROOT || !NOT_COPIED.has(path.basename(source)) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  outdir: string;
}

let runs = 0;
async function cdkSynth(...context: string[]): Promise<Run> {
  const outdir = path.join(work, `out-${++runs}`);
  const home = path.join(work, `home-${runs}`);
  fs.mkdirSync(home);
  const args = ['synth', '--no-notices', '--quiet', '--output', outdir, ...context.flatMap((entry) => ['-c', entry])];
  // Only what a bare machine has: no AWS credentials or profile, no CDK_DEFAULT_ACCOUNT, no instance metadata.
  const env = { PATH: process.env.PATH ?? '', HOME: home, CI: 'true', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none') };
  const child = promisify(execFile)(path.join(checkout, 'node_modules', '.bin', 'cdk'), args, { cwd: checkout, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
  child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr, outdir };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', outdir };
  }
}

/** Every file of the cloud assembly, nested assemblies included, by relative path. */
function assemblyFiles(outdir: string, pattern: RegExp): Map<string, string> {
  const files = fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((file) => pattern.test(file)).sort();
  return new Map(files.map((file) => [file, fs.readFileSync(path.join(outdir, file), 'utf8')]));
}

function readTemplate(outdir: string, name: RegExp): { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> } {
  const [file] = [...assemblyFiles(outdir, /\.template\.json$/).keys()].filter((candidate) => name.test(candidate));
  expect(file).toBeDefined();
  return JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
}

function containerCommand(template: ReturnType<typeof readTemplate>): string[] {
  const taskDefinition = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
  return (taskDefinition?.Properties.ContainerDefinitions as { Command: string[] }[])[0].Command;
}

describe('cdk synth from the command line', () => {
  it('applies -c overrides of nested options to the one stage of cdk.context.json', async () => {
    const run = await cdkSynth('dev:backfill.maxWorkers=7', 'dev:snapshot.snapshotName=from-cli', 'dev:backfill.extraArgs=["--max-connections","3"]');
    expect(run.stderr).not.toMatch(/MA_CDK_INVALID_OPTIONS/);
    expect(run.code).toBe(0);
    const command = containerCommand(readTemplate(run.outdir, /^MigrationAssistant-dev-Backfill\./));
    expect(command).toEqual(expect.arrayContaining(['--snapshot-name', 'from-cli']));
    expect(command.slice(-2)).toEqual(['--max-connections', '3']);
    expect(JSON.stringify(readTemplate(run.outdir, /^MigrationAssistant-dev-Console\./))).toContain('scale: 7');
  }, 300_000);

  it('refuses a bad -c value, naming its key path, without a stack trace', async () => {
    const run = await cdkSynth('dev:backfill.maxWorkers=many');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/MA_CDK_INVALID_OPTIONS: invalid deployment options:\s+stages\.dev\.backfill\.maxWorkers: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);

  describe('a pipeline and a second stage given only by -c flags', () => {
    const flags = [
      'pipeline:enabled=true',
      `pipeline:connectionArn=${CONNECTION_ARN}`,
      'pipeline:repository=example/migration-assistant',
      'pipeline:stages=["dev","qa"]',
      'qa:stage=qa',
      'qa:sourceCluster={"endpoint":"https://qa-source:9200","version":"ES_7.10"}',
      'qa:targetCluster.endpoint=https://qa-target:443',
      'qa:targetCluster.version=OS_2.19',
      'qa:snapshot.snapshotName=qa nightly',
    ];
    let first: Run;
    let second: Run;
    beforeAll(async () => {
      first = await cdkSynth(...flags);
      second = await cdkSynth(...flags);
    }, 600_000);

    it('deploys both stages, each with its own options', () => {
      expect(first.stderr).not.toMatch(/MA_CDK_INVALID_OPTIONS/);
      expect(first.code).toBe(0);
      expect(containerCommand(readTemplate(first.outdir, /^assembly-MigrationAssistant-Pipeline-qa\/.*qaBackfill/))).toEqual(expect.arrayContaining(['--snapshot-name', 'qa nightly']));
      expect(containerCommand(readTemplate(first.outdir, /^assembly-MigrationAssistant-Pipeline-dev\/.*devBackfill/))).toEqual(expect.arrayContaining(['--snapshot-name', 'migration-assistant-snapshot']));
    });

    it("repeats the flags in the pipeline's synth step, so the pipeline rebuilds itself unchanged", () => {
      const pipeline = readTemplate(first.outdir, /^MigrationAssistant-Pipeline\./);
      const specs = Object.values(pipeline.Resources).filter((resource) => resource.Type === 'AWS::CodeBuild::Project').map((project) => (project.Properties.Source as { BuildSpec: string }).BuildSpec);
      const synth = specs.map((spec) => JSON.parse(spec) as { phases: { build: { commands: string[] } } }).find((spec) => spec.phases.build.commands[0] === 'npm ci');
      const expected = ['npx cdk synth', ...[...flags].sort().map((flag) => `-c ${/^[\w@%+=:,./-]+$/.test(flag) ? flag : `'${flag}'`}`)].join(' ');
      expect(synth?.phases.build.commands).toEqual(['npm ci', expected]);
    });

    it('writes byte-identical templates and asset manifests when run again', () => {
      const templates = assemblyFiles(first.outdir, /\.(template|assets)\.json$/);
      expect([...templates.keys()].filter((file) => file.endsWith('.template.json'))).toHaveLength(1 + 4 + 4);
      const again = assemblyFiles(second.outdir, /\.(template|assets)\.json$/);
      expect([...again.keys()]).toEqual([...templates.keys()]);
      for (const [file, text] of templates) expect(again.get(file)).toBe(text);
    });
  });
});
