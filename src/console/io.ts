/**
 * What a command's run gets from outside: output streams, the global flags and the services file (read
 * on first use, so commands that need none, like `snapshot dump`, work without one). Tests pass their own.
 */
import type { Readable, Writable } from 'node:stream';
import { ServicesConfig } from './config/services';

export interface ConsoleIo {
  stdout: Writable;
  stderr: Writable;
  /** Answers to confirmation prompts. */
  stdin?: Readable;
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

const loaded = new Map<string, ServicesConfig>();

/** The services file named by `--config-file`, read once per process. */
export function servicesFile(io: ConsoleIo): ServicesConfig {
  let file = loaded.get(io.configFile);
  if (!file) {
    file = ServicesConfig.load(io.configFile);
    loaded.set(io.configFile, file);
  }
  return file;
}
