/** Where backfill workers run, seen from the console: how many run, are starting, are wanted; and changing that. */
export interface WorkerCounts {
  running: number;
  pending: number;
  desired: number;
}

export interface WorkerPlatform {
  readonly description: string;
  counts(): Promise<WorkerCounts>;
  /** Sets the number of workers wanted; starts or stops workers to match. */
  scale(desired: number): Promise<WorkerCounts>;
  /**
   * Waits (bounded) until no worker is running or starting, so nothing writes to the working state while
   * it is archived and removed. Resolves to whether they all stopped in time.
   */
  waitUntilStopped(timeoutMs: number): Promise<boolean>;
}
