/** Errors the console reports as one sentence and a non-zero exit code. */
export class ConsoleError extends Error {
  override readonly name: string = 'ConsoleError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * A command that produced a result worth showing and still failed (a cluster unreachable in
 * connection-check, differences in compare): the result is printed, then the error, and the exit is non-zero.
 */
export class CommandFailedWithResult extends ConsoleError {
  override readonly name = 'CommandFailedWithResult';
  constructor(
    code: string,
    message: string,
    readonly result: unknown,
    readonly text: string,
    exitCode = 1,
  ) {
    super(code, message, exitCode);
  }
}

/** Any error as the code and sentence the user sees. */
export function describeError(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof ConsoleError) return { code: error.code, message: error.message, exitCode: error.exitCode };
  const e = error as { code?: unknown; message?: string };
  const code = typeof e?.code === 'string' && e.code.startsWith('MA_') ? e.code : 'MA_UNEXPECTED';
  return { code, message: e?.message ?? String(error), exitCode: 1 };
}
