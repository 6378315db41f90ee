/**
 * Where the test bed keeps its downloads, unpacked distributions and running servers' state. Outside the
 * repository, so a second run downloads and unpacks nothing. Servers refuse to run as root, and an
 * unprivileged user cannot enter root's home, so as root the default lives under /var/cache.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function testbedHome(): string {
  if (process.env.MA_TESTBED_HOME) return process.env.MA_TESTBED_HOME;
  if (process.getuid?.() === 0) return '/var/cache/migration-assistant';
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'migration-assistant');
}

export const paths = {
  downloads: () => join(testbedHome(), 'downloads'),
  distributions: () => join(testbedHome(), 'dist'),
  run: () => join(testbedHome(), 'run'),
  state: () => join(testbedHome(), 'run', 'state.json'),
  lock: () => join(testbedHome(), 'run', 'lock'),
};
