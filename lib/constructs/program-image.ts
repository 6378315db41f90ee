/**
 * Container image of one program of this repository, built from `docker/<program>/Dockerfile` with the
 * repository as context. At synth the CDK only stages the files (no Docker engine needed); the build runs
 * at deploy time. Everything the image does not need is excluded so staging stays small and the asset
 * hash changes only when the program can change.
 */
import * as path from 'node:path';
import * as ecs from 'aws-cdk-lib/aws-ecs';

export type ProgramName = 'backfill-worker' | 'capture-proxy' | 'console';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

const NOT_IN_IMAGES = ['node_modules', 'dist', 'cdk.out', '.git', '.testbed', '.demo', 'coverage', 'test', 'bench', 'lib', 'lambda', 'docs', '*.log'];

export function programImage(program: ProgramName): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, {
    file: `docker/${program}/Dockerfile`,
    exclude: NOT_IN_IMAGES,
  });
}
