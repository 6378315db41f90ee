/**
 * Polls `probe` every `pollMs` until it gives something other than `undefined` or `false`, and resolves with
 * that; rejects, naming `what`, once `timeoutMs` has passed.
 */
export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
