/**
 * The proxy's stdout carries metrics and `--help` only: a reader that goes away must not crash the program.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

it('prints --help into a pipe closed early without a crash', async () => {
  // GIVEN the program asked for its help, with a stdout nobody reads
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/capture-proxy/main.ts'), '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  // WHEN it has finished
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

  // THEN it exited as --help does, with nothing on stderr
  expect(stderr).toBe('');
  expect(code).toBe(0);
}, 30_000);
