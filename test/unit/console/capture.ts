/** Runs the console in-process with captured output. */
import { Writable } from 'node:stream';
import { main } from '../../../src/console/main';

export interface ConsoleRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runConsole(argv: string[]): Promise<ConsoleRun> {
  const out = sink();
  const err = sink();
  const exitCode = await main(argv, { stdout: out.stream, stderr: err.stream });
  return { exitCode, stdout: out.text(), stderr: err.text() };
}
