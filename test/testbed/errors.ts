/** Failures of the test bed, each with a stable code so callers and CI logs can tell them apart. */
export type TestbedErrorCode =
  | 'TESTBED_DOWNLOAD_FAILED'
  | 'TESTBED_SERVER_EXITED'
  | 'TESTBED_START_TIMEOUT'
  | 'TESTBED_LOCKED'
  | 'TESTBED_UNKNOWN_SERVER'
  | 'TESTBED_JAVA_NOT_FOUND'
  | 'TESTBED_TLS_FAILED'
  | 'TESTBED_INTERRUPTED';

export class TestbedError extends Error {
  constructor(
    readonly code: TestbedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TestbedError';
  }
}
