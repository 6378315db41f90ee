/** Options shared by the commands that read a snapshot repository directly. */
import type { Command } from 'commander';
import type { RepositoryOptions } from '../../../snapshot';

export interface RepoFlags {
  repo: string;
  snapshot?: string;
  s3Region?: string;
  s3Endpoint?: string;
}

export function addRepoOptions(command: Command, repoRequired: boolean): Command {
  const repo = '--repo <location>';
  const help = 'snapshot repository: a folder, file://…, or s3://bucket/prefix';
  (repoRequired ? command.requiredOption(repo, help) : command.option(repo, help))
    .option('--snapshot <name>', 'snapshot name (required when the repository holds several)')
    .option('--s3-region <region>', 'AWS region of an S3 repository (default: AWS_REGION)')
    .option('--s3-endpoint <url>', 'endpoint of an S3-compatible store');
  return command;
}

export function repositoryOptions(flags: RepoFlags): RepositoryOptions {
  return { region: flags.s3Region, endpoint: flags.s3Endpoint };
}
