/** Runs the console in-process with captured output. */
import { Readable, Writable } from 'node:stream';
import { main } from '../../../src/console/main';
import { envelopeSchema } from '../../../src/console/result-schemas';

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

/** `input` is what the user types (confirmation answers); none means an empty stdin. */
export async function runConsole(argv: string[], input = ''): Promise<ConsoleRun> {
  const out = sink();
  const err = sink();
  const exitCode = await main(argv, { stdout: out.stream, stderr: err.stream, stdin: Readable.from([input]) });
  return { exitCode, stdout: out.text(), stderr: err.text() };
}

/** The `--json` envelope of a run, checked against the command's committed contract. */
export function envelope<T = Record<string, unknown>>(stdout: string, command: string): T {
  return envelopeSchema(command).parse(JSON.parse(stdout)) as T;
}
