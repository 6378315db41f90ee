/**
 * Command line of the backfill worker task, in the worker's own flags (`src/backfill/options.ts`).
 * Basic-auth credentials are not here: they reach the task as secrets in TARGET_USERNAME/TARGET_PASSWORD.
 */
import { StageOptions } from '../config/options';

export interface BackfillCommandInputs {
  readonly options: StageOptions;
  readonly region: string;
  readonly snapshotRepoUri: string;
  readonly failedDocsS3Uri: string;
}

export function backfillCommand(inputs: BackfillCommandInputs): string[] {
  const { options, region } = inputs;
  const target = options.targetCluster;
  const args = [
    '--snapshot-name', options.snapshot.snapshotName,
    '--s3-repo-uri', inputs.snapshotRepoUri,
    '--s3-region', region,
    '--target-host', target.endpoint,
    '--session-name', options.stage,
    '--stage', options.stage,
    '--failed-docs-s3-uri', inputs.failedDocsS3Uri,
  ];
  if (target.auth.type === 'sigv4') {
    args.push('--target-aws-region', target.auth.region ?? region, '--target-aws-service-signing-name', target.auth.service);
  }
  if (target.allowInsecure) args.push('--target-insecure');
  // Extra arguments last: the worker takes the last value of a repeated flag.
  return [...args, ...options.backfill.extraArgs];
}
