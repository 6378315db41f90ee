/**
 * Sends bulk requests to the target with several in flight, backing off when the target throttles.
 * Concurrency adapts (AIMD): halved on a 429 or Retry-After, grown by one after a run of clean bulks.
 * Throttled documents and transient failures are retried with jittered back-off; documents the target
 * rejects for good (mapping errors…) are reported to the caller, never dropped silently.
 */
import { ClusterClient, ClusterError } from '../cluster';
import { backoffDelay, parseRetryAfter } from '../cluster/retry';
import { bulkBody } from './bulk-body';

export interface BulkDocument {
  index: string;
  id: string;
  routing?: string;
  /** The `_source` bytes as stored; raw line breaks become spaces in the bulk body. */
  source: Uint8Array;
}

export interface RejectedDocument {
  document: BulkDocument;
  status: number;
  reason: string;
}

export interface BulkOutcome {
  indexed: number;
  bytes: number;
  rejected: RejectedDocument[];
  throttled: number;
  latencyMs: number;
}

export interface BulkSinkOptions {
  maxConcurrency: number;
  /** Give up on a batch after this many attempts (transient errors and 429s included). */
  maxAttempts?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const TRANSIENT_ITEM_STATUS = new Set([429, 502, 503, 504]);

export class BulkSink {
  readonly #client: ClusterClient;
  readonly #options: Required<Omit<BulkSinkOptions, 'random' | 'sleep' | 'now'>> & Pick<BulkSinkOptions, 'random'>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #limit: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #cleanStreak = 0;

  constructor(client: ClusterClient, options: BulkSinkOptions) {
    this.#client = client;
    this.#options = { maxAttempts: 20, ...options };
    this.#limit = Math.max(1, options.maxConcurrency);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  /** Current number of bulks allowed in flight. */
  get concurrency(): number {
    return this.#limit;
  }

  async #acquire(): Promise<void> {
    while (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  #throttled(): void {
    this.#cleanStreak = 0;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
  }

  #clean(): void {
    if (++this.#cleanStreak >= 5 && this.#limit < this.#options.maxConcurrency) {
      this.#limit++;
      this.#cleanStreak = 0;
      this.#waiting.shift()?.();
    }
  }

  /**
   * Indexes the documents; resolves when every one is indexed or rejected for good. `body`: their bulk
   * body when the caller assembled it already (BulkBodyBuilder); retries build theirs from the documents.
   */
  async send(documents: BulkDocument[], body?: Buffer): Promise<BulkOutcome> {
    await this.#acquire();
    const started = this.#now();
    const outcome: BulkOutcome = { indexed: 0, bytes: 0, rejected: [], throttled: 0, latencyMs: 0 };
    try {
      let pending = documents;
      for (let attempt = 1; pending.length > 0; attempt++) {
        let retryAfter: number | undefined;
        let retry: BulkDocument[] = [];
        try {
          const request = attempt === 1 && body ? body : bulkBody(pending);
          const response = await this.#client.request<string>('POST', '/_bulk', {
            body: request,
            contentType: 'application/x-ndjson',
            // Only what decides the outcome: the target serializes, and we read, a fraction of the response.
            query: { filter_path: 'errors,items.*.status,items.*.error' },
            idempotent: false,
            expectStatus: [429],
            rawBody: true,
          });
          if (response.status === 429) {
            outcome.throttled += pending.length;
            retry = pending;
            retryAfter = parseRetryAfter(response.headers['retry-after']);
            this.#throttled();
          } else if (allSucceeded(response.body)) {
            for (const document of pending) outcome.bytes += document.source.length;
            outcome.indexed += pending.length;
            this.#clean();
          } else {
            (JSON.parse(response.body) as BulkResponse).items.forEach((item, i) => {
              const result = Object.values(item)[0];
              const document = pending[i];
              if (result.status >= 200 && result.status < 300) {
                outcome.indexed++;
                outcome.bytes += document.source.length;
              } else if (TRANSIENT_ITEM_STATUS.has(result.status)) {
                if (result.status === 429) outcome.throttled++;
                retry.push(document);
              } else {
                outcome.rejected.push({ document, status: result.status, reason: describe(result.error) });
              }
            });
            if (retry.length > 0) this.#throttled();
            else this.#clean();
          }
        } catch (error) {
          if (!(error instanceof ClusterError) || !error.retriable) throw error;
          retry = pending;
          this.#throttled();
        }
        if (retry.length > 0 && attempt >= this.#options.maxAttempts) {
          throw new ClusterError('MA_CLUSTER_HTTP', `the target kept refusing ${retry.length} documents after ${attempt} attempts (throttling or errors)`, true);
        }
        if (retry.length > 0) await this.#sleep(backoffDelay(attempt, { maxRetries: this.#options.maxAttempts, baseDelayMs: 250, maxDelayMs: 30_000 }, this.#options.random, retryAfter));
        pending = retry;
      }
      outcome.latencyMs = this.#now() - started;
      return outcome;
    } finally {
      this.#release();
    }
  }
}

interface BulkResponse {
  items: Record<string, { status: number; error?: { type?: string; reason?: string } }>[];
}

/**
 * `errors: false` means every item succeeded, so the items (one per document) need not be parsed. The
 * filtered response starts with it; any other shape is parsed in full.
 */
function allSucceeded(text: string): boolean {
  return /^\{"errors":false[,}]/.test(text);
}

function describe(error: { type?: string; reason?: string } | undefined): string {
  return error ? `${error.type ?? 'error'}: ${error.reason ?? ''}`.trim() : 'rejected without a reason';
}
