/**
 * The console's public surface (commands, arguments, flags and their defaults), frozen as a snapshot:
 * a change here is a change to every script that calls the console, so it must be deliberate
 * (`npx jest test/unit/console/command-surface.test.ts -u` after review).
 */
import type { Command } from 'commander';
import { Writable } from 'node:stream';
import { buildProgram } from '../../../src/console/program';

interface CommandSurface {
  command: string;
  arguments: string[];
  options: { flags: string; default?: unknown; required?: boolean }[];
}

function surface(command: Command, prefix = ''): CommandSurface[] {
  const name = prefix ? `${prefix} ${command.name()}` : command.name();
  const own: CommandSurface = {
    command: name,
    arguments: command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)),
    options: command.options
      .map((o) => ({ flags: o.flags, ...(o.defaultValue !== undefined ? { default: o.defaultValue as unknown } : {}), ...(o.mandatory ? { required: true } : {}) })),
  };
  return [own, ...command.commands.flatMap((c) => surface(c, name))];
}

const silent = new Writable({ write: (_c, _e, done) => done() });

it('keeps the command surface', () => {
  expect(surface(buildProgram({ stdout: silent, stderr: silent }))).toMatchSnapshot();
});
