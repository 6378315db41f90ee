/** `npm run -s bench -- <name>`: runs one benchmark of this folder (decode, …). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const name = process.argv[2];
const file = name ? join(__dirname, `${name}.ts`) : '';
if (!name || !existsSync(file)) {
  process.stderr.write('usage: npm run -s bench -- <decode|backfill|proxy|stored-blocks>\n');
  process.exit(2);
}
execFileSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(3)], { stdio: 'inherit' });
