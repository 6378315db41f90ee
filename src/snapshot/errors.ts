/** Errors of the snapshot repository reader, with stable codes and the blob they concern. */
export type SnapshotErrorCode = 'MA_SNAPSHOT_NOT_FOUND' | 'MA_SNAPSHOT_CORRUPT' | 'MA_SNAPSHOT_AMBIGUOUS' | 'MA_SNAPSHOT_UNSUPPORTED' | 'MA_SNAPSHOT_BAD_URI';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
  ) {
    super(message);
  }
}
