/** The worker platform and the worker's flags, from the services.yaml `backfill`, `snapshot` and `target_cluster` sections. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ServicesConfig } from '../../config/services';
import { ConsoleError } from '../../errors';
import { EcsWorkers } from '../../workers/ecs';
import { LocalWorkers, workerProgram } from '../../workers/local';
import type { WorkerPlatform } from '../../workers/platform';

export interface BackfillSetup {
  platform: WorkerPlatform;
  sessionName?: string;
  defaultScale: number;
}

export function backfillSetup(config: ServicesConfig): BackfillSetup {
  const rfs = config.section('backfill').reindex_from_snapshot;
  const sessionName = rfs.backfill_session_name ?? rfs.session_name;
  if (rfs.ecs) return { platform: new EcsWorkers(rfs.ecs.cluster_name, rfs.ecs.service_name, { region: rfs.ecs.aws_region }), sessionName, defaultScale: rfs.scale ?? 5 };
  if (rfs.local === undefined) throw new ConsoleError('MA_CONFIG_INVALID', `${config.file}: backfill.reindex_from_snapshot needs an ecs or local section to know where workers run`);
  const snapshot = config.section('snapshot');
  const target = config.section('target_cluster');
  const args = ['--snapshot-name', rfs.snapshot_name ?? snapshot.snapshot_name, '--target-host', target.endpoint];
  if (snapshot.fs) args.push('--snapshot-local-dir', snapshot.fs.repo_path);
  else args.push('--s3-repo-uri', snapshot.s3!.repo_uri, '--s3-region', snapshot.s3!.aws_region, ...(snapshot.s3!.endpoint ? ['--s3-endpoint', snapshot.s3!.endpoint] : []));
  if (sessionName) args.push('--session-name', sessionName);
  const env: Record<string, string> = {};
  if (target.basic_auth?.username && target.basic_auth.password) {
    args.push('--target-username', target.basic_auth.username);
    // The password travels in the environment, not on a command line other users can list.
    env.TARGET_PASSWORD = target.basic_auth.password;
  }
  if (target.sigv4 !== undefined) args.push('--target-aws-region', target.sigv4?.region ?? process.env.AWS_REGION ?? 'us-east-1', '--target-aws-service-signing-name', target.sigv4?.service ?? 'es');
  if (target.allow_insecure) args.push('--target-insecure');
  args.push(...(rfs.extra_args ?? []));
  const stateDir = rfs.local?.state_dir ?? join(homedir(), '.migration-assistant', 'workers', sessionName ?? 'default');
  args.push('--failed-docs-dir', join(stateDir, 'failed-documents'));
  return { platform: new LocalWorkers(stateDir, { command: process.execPath, args: [workerProgram(), ...args], env }), sessionName, defaultScale: rfs.scale ?? 1 };
}
