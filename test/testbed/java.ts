/**
 * Which Java the servers run on. Most servers run on the default Java (JAVA_HOME or `java` on the PATH,
 * Java 17 is enough); OpenSearch 3 needs Java 21 or newer, which is often installed beside the default one
 * rather than instead of it, so it is looked for: JAVA21_HOME, then JAVA_HOME, then the `java` on the PATH,
 * then every JDK in the operating system's usual JVM folders (the newest one wins).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestbedError } from './errors';

/** The default Java home: JAVA_HOME, or the installation the `java` on the PATH belongs to. */
export function javaHome(): string {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const java = pathJava();
  if (!java) throw new TestbedError('TESTBED_JAVA_NOT_FOUND', 'no Java found: set JAVA_HOME or put java on the PATH');
  return java;
}

function pathJava(): string | undefined {
  try {
    const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return java ? dirname(dirname(realpathSync(java))) : undefined;
  } catch {
    return undefined;
  }
}

/** Folders that hold one JDK per sub-folder, by operating system (macOS keeps the home under Contents/Home). */
export function defaultJvmFolders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') return ['/Library/Java/JavaVirtualMachines'];
  return ['/usr/lib/jvm', '/usr/java', '/opt/java'];
}

/**
 * The feature release of the JDK at `home` (17, 21, 25…), from its `release` file, or by asking its
 * `java` when that file is missing; undefined when `home` holds no runnable Java.
 */
export function jdkMajor(home: string): number | undefined {
  const release = join(home, 'release');
  if (existsSync(release)) {
    const match = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(readFileSync(release, 'utf8'));
    // Java 8 and older report 1.8 and so on.
    if (match) return match[1] === '1' ? Number(match[2]) : Number(match[1]);
  }
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  // The properties go to stderr.
  const run = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', timeout: 30_000 });
  const match = /java\.specification\.version = (?:1\.)?(\d+)/.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  return match ? Number(match[1]) : undefined;
}

export interface JdkSearch {
  env?: NodeJS.ProcessEnv;
  folders?: string[];
  /** The home of the `java` on the PATH; looked up when not given. */
  pathJavaHome?: () => string | undefined;
  platform?: NodeJS.Platform;
}

const found = new Map<number, string>();

/** A JDK home whose release is at least `minimum`; fails naming every place it looked and what it found there. */
export function findJdk(minimum: number, search: JdkSearch = {}): string {
  const cacheable = Object.keys(search).length === 0;
  const cached = cacheable ? found.get(minimum) : undefined;
  if (cached) return cached;
  const env = search.env ?? process.env;
  const platform = search.platform ?? process.platform;
  const seen: string[] = [];
  const check = (label: string, home: string | undefined): string | undefined => {
    if (!home) return undefined;
    const major = jdkMajor(home);
    seen.push(`${label} ${home} (${major === undefined ? 'no Java there' : `Java ${major}`})`);
    return major !== undefined && major >= minimum ? home : undefined;
  };
  let home = check('JAVA21_HOME', env.JAVA21_HOME) ?? check('JAVA_HOME', env.JAVA_HOME) ?? check('java on the PATH', (search.pathJavaHome ?? pathJava)());
  if (!home) {
    const folders = search.folders ?? defaultJvmFolders(platform);
    const candidates: { home: string; major: number }[] = [];
    for (const folder of folders) {
      if (!existsSync(folder)) {
        seen.push(`${folder} (absent)`);
        continue;
      }
      for (const entry of readdirSync(folder).sort()) {
        const candidate = platform === 'darwin' ? join(folder, entry, 'Contents', 'Home') : join(folder, entry);
        const major = jdkMajor(candidate);
        seen.push(`${candidate} (${major === undefined ? 'no Java there' : `Java ${major}`})`);
        if (major !== undefined && major >= minimum) candidates.push({ home: candidate, major });
      }
    }
    candidates.sort((a, b) => b.major - a.major);
    home = candidates[0]?.home;
  }
  if (!home) {
    throw new TestbedError(
      'TESTBED_JAVA_NOT_FOUND',
      `no Java ${minimum} or newer found; looked at ${seen.join(', ') || 'nothing'}. Install a JDK ${minimum}+ or point JAVA21_HOME at one`,
    );
  }
  if (cacheable) found.set(minimum, home);
  return home;
}
