/**
 * What a command's run gets from outside: output streams and the global flags. Tests pass their own
 * streams; the program passes the process's.
 */
import type { Writable } from 'node:stream';

export interface ConsoleIo {
  stdout: Writable;
  stderr: Writable;
  json: boolean;
  verbose: boolean;
  configFile: string;
}

/** The `--json` envelope version; bump it on any incompatible change to a command's result. */
export const JSON_ENVELOPE_VERSION = 1;

export interface CommandDefinition<R> {
  /** Full command name, e.g. `snapshot list`. */
  name: string;
  /** Renders the result for people. */
  text(result: R): string;
}

/** Prints a command's result: the JSON envelope with `--json`, the text rendering otherwise. */
export function emit<R>(io: ConsoleIo, command: CommandDefinition<R>, result: R): void {
  if (io.json) io.stdout.write(JSON.stringify({ version: JSON_ENVELOPE_VERSION, command: command.name, status: 0, result }) + '\n');
  else io.stdout.write(command.text(result));
}
