/** Errors of the cluster client, each with a stable code callers match on. */
export type ClusterErrorCode =
  | 'MA_CLUSTER_UNREACHABLE'
  | 'MA_CLUSTER_TIMEOUT'
  | 'MA_CLUSTER_AUTH'
  | 'MA_CLUSTER_HTTP'
  | 'MA_CLUSTER_BAD_RESPONSE'
  | 'MA_CLUSTER_CONFIG';

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

/** Statuses worth retrying for idempotent calls: throttling and transient server trouble. */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500;
}

/** The server's own explanation, from an Elasticsearch/OpenSearch error body, kept short. */
export function reasonOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { reason?: string; type?: string } | string; message?: string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error?.reason) return `${parsed.error.type ?? 'error'}: ${parsed.error.reason}`;
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON
  }
  return body.replace(/\s+/g, ' ').slice(0, 200);
}
