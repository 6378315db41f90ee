/** Prints a command the way a user would type it, runs it, and streams its output. */
import { spawn } from 'node:child_process';

export interface StepResult {
  code: number;
  stdout: string;
}

export function runStep(display: string, command: string, args: string[], options: { env?: Record<string, string>; capture?: boolean; allowFailure?: boolean } = {}): Promise<StepResult> {
  process.stdout.write(`\n\x1b[1m$ ${display}\x1b[0m\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...options.env } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (options.capture) stdout += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const exit = code ?? (signal ? 128 : 1);
      if (exit !== 0 && !options.allowFailure) reject(new Error(`"${display}" exited with ${exit}`));
      else resolve({ code: exit, stdout });
    });
  });
}
