/** Errors the console reports as one sentence and a non-zero exit code. */
export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Any error as the code and sentence the user sees. */
export function describeError(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof ConsoleError) return { code: error.code, message: error.message, exitCode: error.exitCode };
  const e = error as { code?: unknown; message?: string };
  const code = typeof e?.code === 'string' && e.code.startsWith('MA_') ? e.code : 'MA_UNEXPECTED';
  return { code, message: e?.message ?? String(error), exitCode: 1 };
}
