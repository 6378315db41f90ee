/**
 * Fetches server distributions from Maven Central with `mvn` and unpacks them once into the cache.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestbedError } from './errors';
import { paths } from './home';

const run = promisify(execFile);

async function mvn(args: string[], cwd: string): Promise<void> {
  try {
    await run('mvn', ['-q', '-B', ...args], { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new TestbedError('TESTBED_DOWNLOAD_FAILED', `mvn ${args.join(' ')} failed: ${(e.stdout ?? '') + (e.stderr ?? '') || e.message}`.slice(0, 4000));
  }
}

/** Downloads one artifact (`group:artifact:version[:packaging[:classifier]]`) into the cache; returns its path. */
export async function fetchArtifact(coordinates: string, fileName: string): Promise<string> {
  const dir = paths.downloads();
  const file = join(dir, fileName);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  await mvn(['dependency:copy', `-Dartifact=${coordinates}`, `-DoutputDirectory=${dir}`], dir);
  if (!existsSync(file)) throw new TestbedError('TESTBED_DOWNLOAD_FAILED', `mvn fetched ${coordinates} but ${file} is missing`);
  return file;
}

/** Unpacks a distribution zip whose single top folder is `folder`; returns the unpacked folder. */
export async function unpackZip(zip: string, folder: string): Promise<string> {
  const target = join(paths.distributions(), folder);
  if (existsSync(target)) return target;
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run('unzip', ['-q', zip, '-d', staging], { maxBuffer: 16 * 1024 * 1024 });
  renameSync(join(staging, folder), target);
  rmSync(staging, { recursive: true, force: true });
  return target;
}

/**
 * Resolves a Java program with all its dependencies into one folder of jars (Kafka has no distribution
 * archive on Maven Central, so the broker is assembled from its published jars).
 */
export async function fetchClasspath(name: string, dependencies: string[]): Promise<string> {
  const target = join(paths.distributions(), name);
  if (existsSync(target) && readdirSync(target).length > 0) return target;
  const work = join(paths.downloads(), `${name}-pom`);
  mkdirSync(work, { recursive: true });
  const deps = dependencies
    .map((coordinates) => {
      const [groupId, artifactId, version] = coordinates.split(':');
      return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
    })
    .join('\n    ');
  writeFileSync(
    join(work, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.testbed</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`,
  );
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await mvn(['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], work);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return target;
}
