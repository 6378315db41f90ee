/**
 * The question a destructive command asks before it deletes anything (`clusters clear-indices`,
 * `kafka delete-topic`): printed on stderr so `--json` output stays one envelope, answered by one line
 * on stdin. Only "y" or "yes" goes ahead; an empty or closed stdin declines, so a script that forgot
 * `--acknowledge-risk` deletes nothing.
 */
import { createInterface } from 'node:readline';
import { ConsoleError } from './errors';
import type { ConsoleIo } from './io';

export async function confirmed(io: ConsoleIo, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N]: `);
  if (!io.stdin) return false;
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of lines) return /^y(es)?$/i.test(line.trim());
    return false;
  } finally {
    lines.close();
  }
}

/** Goes on when the risk was acknowledged by flag or by answer; otherwise fails with MA_ABORTED. */
export async function confirmOrAbort(io: ConsoleIo, acknowledged: boolean | undefined, question: string): Promise<void> {
  if (acknowledged || (await confirmed(io, question))) return;
  throw new ConsoleError('MA_ABORTED', 'Aborting command: nothing was deleted (answer y, or pass --acknowledge-risk)');
}
