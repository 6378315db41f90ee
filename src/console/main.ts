/** `console` entry point: runs the command, turns any failure into one sentence and a non-zero exit. */
import { CommanderError } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { CommandFailedWithResult, describeError } from './errors';
import { JSON_ENVELOPE_VERSION } from './io';
import { buildProgram } from './program';

export async function main(argv: string[], streams: { stdout: Writable; stderr: Writable; stdin?: Readable } = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const program = buildProgram(streams);
  const json = argv.includes('--json');
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { code, message, exitCode } = describeError(error);
    const command = program.args.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ');
    const partial = error instanceof CommandFailedWithResult ? error : undefined;
    if (json) {
      const result = partial ? { result: partial.result } : {};
      streams.stdout.write(JSON.stringify({ version: JSON_ENVELOPE_VERSION, command, status: exitCode, ...result, error: { code, message } }) + '\n');
    } else if (partial) {
      streams.stdout.write(partial.text);
    }
    streams.stderr.write(`Error: ${message}\n`);
    if (verbose && error instanceof Error && error.stack) streams.stderr.write(error.stack + '\n');
    return exitCode;
  }
}

/** Runs the console with the process's arguments and sets its exit code. */
export function runCli(): void {
  // `console … | head` closes the pipe early: stop quietly, as other command-line tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
