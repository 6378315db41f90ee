/** Errors of the NLB cutover handlers; callers (the console) match on `code`. */
export class CutoverError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CutoverError';
  }
}
