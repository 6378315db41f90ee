/**
 * The `console` command tree: global flags, then every group of `commands/registry.ts`. Each command
 * lives in `commands/<group>/<name>.ts` and exports its `run…(flags, io)` (returns a typed result) and a
 * `register…` function.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_GROUPS } from './commands/registry';
import type { ConsoleIo } from './io';

export const DEFAULT_CONFIG_FILE = '/config/migration_services.yaml';

function packageVersion(): string {
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (sources vs compiled output)
    }
  }
  return 'unknown';
}

export function buildProgram(streams: Pick<ConsoleIo, 'stdout' | 'stderr' | 'stdin'>): Command {
  const program = new Command('console')
    .description('Migration Assistant console: clusters, snapshots, backfill, Kafka and metadata.')
    .option('--config-file <path>', 'services.yaml describing the migration', DEFAULT_CONFIG_FILE)
    .option('--json', 'print results as a versioned JSON envelope')
    .option('-v, --verbose', 'show details and stack traces of errors')
    .version(packageVersion(), '--version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(s) });
  const io = (): ConsoleIo => {
    const globals = program.opts<{ configFile: string; json?: boolean; verbose?: boolean }>();
    return { ...streams, json: globals.json === true, verbose: globals.verbose === true, configFile: globals.configFile };
  };

  for (const group of COMMAND_GROUPS) group.register(program.command(group.name).description(group.description), io);
  return program;
}
