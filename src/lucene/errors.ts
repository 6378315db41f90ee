/** Errors of the segment reader. Each names the repository blob and the Lucene file it was reading. */
export class CorruptIndexError extends Error {
  override readonly name = 'CorruptIndexError';
  readonly code = 'MA_LUCENE_CORRUPT';
  constructor(
    /** Where the bytes came from, e.g. `indices/abc/0/__x1 (_0.cfs)` */
    readonly resource: string,
    readonly detail: string,
    readonly offset?: number,
  ) {
    super(`corrupt index file ${resource}${offset === undefined ? '' : ` at offset ${offset}`}: ${detail}`);
  }
}

export class UnsupportedFormatError extends Error {
  override readonly name = 'UnsupportedFormatError';
  readonly code = 'MA_LUCENE_UNSUPPORTED';
  constructor(
    readonly resource: string,
    readonly found: string | number,
    readonly supported: string,
  ) {
    super(`unsupported format in ${resource}: found ${found}, supported ${supported}`);
  }
}
