/** Where the shared snapshot fixtures live: `shared/fixtures/snapshots`, beside the repository. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const FIXTURES = resolve(__dirname, '../../../shared/fixtures/snapshots');

export function fixture(name: string): string {
  const path = resolve(FIXTURES, name);
  if (!existsSync(path)) throw new Error(`snapshot fixture ${name} is missing: expected the shared fixtures at ${FIXTURES}`);
  return path;
}
