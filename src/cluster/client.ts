/**
 * The HTTP client every program uses to talk to Elasticsearch and OpenSearch: keep-alive connections,
 * a timeout on every call, retries with back-off and jitter for idempotent calls, optional gzip bodies,
 * basic or SigV4 auth, and version detection.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { authenticator, type Authenticator, type ClusterAuth } from './auth';
import { ClusterError, isRetriableStatus, reasonOf } from './errors';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy } from './retry';
import { parseClusterVersion, parseNodesInfoVersion, type ClusterVersion } from './version';

export interface ClusterConfig {
  /** Base URL, for example `https://search-domain.us-east-1.es.amazonaws.com` or `http://127.0.0.1:9200`. */
  endpoint: string;
  auth?: ClusterAuth;
  /** Accept any TLS certificate (self-signed test clusters). */
  allowInsecure?: boolean;
  /** Per-attempt timeout; default 60 s. */
  timeoutMs?: number;
  /** Retries after the first attempt for idempotent calls; default 5. */
  maxRetries?: number;
  /** Gzip request bodies larger than 1 KiB. */
  compressRequests?: boolean;
  /** Keep-alive sockets per host; default 16. */
  maxSockets?: number;
  /** For tests: jitter source and sleep. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  /** An object is sent as JSON; a string or bytes are sent as they are. */
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Retry this call on throttling and transient errors. Default: true except for POST and PATCH. */
  idempotent?: boolean;
  timeoutMs?: number;
  /** Statuses returned rather than thrown (besides 2xx). */
  expectStatus?: number[];
  /** Return the body as text without parsing JSON. */
  rawBody?: boolean;
}

export interface ClusterResponse<T> {
  status: number;
  headers: IncomingMessage['headers'];
  body: T;
}

const COMPRESS_THRESHOLD = 1024;

export class ClusterClient {
  readonly endpoint: URL;
  readonly #config: ClusterConfig;
  readonly #authenticate: Authenticator;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #retry: RetryPolicy;
  #version?: Promise<ClusterVersion>;

  constructor(config: ClusterConfig) {
    let endpoint: URL;
    try {
      endpoint = new URL(config.endpoint);
    } catch {
      throw new ClusterError('MA_CLUSTER_CONFIG', `cluster endpoint "${config.endpoint}" is not a URL (expected for example http://localhost:9200)`, false);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new ClusterError('MA_CLUSTER_CONFIG', `cluster endpoint "${config.endpoint}" must start with http:// or https://`, false);
    }
    this.endpoint = endpoint;
    this.#config = config;
    this.#authenticate = authenticator(config.auth);
    this.#retry = { ...DEFAULT_RETRY, maxRetries: config.maxRetries ?? DEFAULT_RETRY.maxRetries };
    const maxSockets = config.maxSockets ?? 16;
    this.#agent =
      endpoint.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets, rejectUnauthorized: !config.allowInsecure })
        : new HttpAgent({ keepAlive: true, maxSockets });
  }

  /** The endpoint without credentials, for messages. */
  get displayName(): string {
    return this.endpoint.origin;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ClusterResponse<T>> {
    const url = new URL(path.startsWith('/') ? path : `/${path}`, this.endpoint);
    const basePath = this.endpoint.pathname.replace(/\/$/, '');
    if (basePath) url.pathname = basePath + url.pathname;
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: Uint8Array | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string') body = Buffer.from(options.body);
      else if (options.body instanceof Uint8Array) body = options.body;
      else body = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = options.contentType ?? 'application/json';
      if (this.#config.compressRequests && body.byteLength > COMPRESS_THRESHOLD) {
        body = gzipSync(body, { level: 1 });
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(body.byteLength);
    }
    const idempotent = options.idempotent ?? !['POST', 'PATCH'].includes(method.toUpperCase());
    const sleep = this.#config.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0; ; attempt++) {
      const signed = await this.#authenticate({ method, url, headers, body });
      let outcome: { response?: RawResponse; error?: ClusterError };
      try {
        outcome = { response: await this.#send(method, url, signed, body, options.timeoutMs ?? this.#config.timeoutMs ?? 60_000) };
      } catch (error) {
        outcome = { error: error as ClusterError };
      }
      const { response, error } = outcome;
      const ok = response && ((response.status >= 200 && response.status < 300) || options.expectStatus?.includes(response.status));
      if (ok) return { status: response.status, headers: response.headers, body: this.#decode<T>(response, options.rawBody, method, url) };
      const failure = error ?? this.#httpError(method, url, response as RawResponse);
      if (!idempotent || !failure.retriable || attempt >= this.#retry.maxRetries) throw failure;
      const retryAfter = response ? parseRetryAfter(response.headers['retry-after']) : undefined;
      await sleep(backoffDelay(attempt + 1, this.#retry, this.#config.random, retryAfter));
    }
  }

  /**
   * The cluster's engine and version (asked once per client): from the root endpoint, or from the local
   * node's info when the root answers 403, 404 or 405.
   */
  info(): Promise<ClusterVersion> {
    this.#version ??= this.request('GET', '/', { expectStatus: [403, 404, 405] }).then(async (root) => {
      if (root.status < 300) return parseClusterVersion(root.body);
      const nodes = await this.request('GET', '/_nodes/_local', { query: { filter_path: 'nodes.*.version,nodes.*.build_flavor' } });
      return parseNodesInfoVersion(nodes.body);
    });
    this.#version.catch(() => {
      this.#version = undefined;
    });
    return this.#version;
  }

  close(): void {
    this.#agent.destroy();
  }

  #decode<T>(response: RawResponse, raw: boolean | undefined, method: string, url: URL): T {
    const text = response.body.toString('utf8');
    if (raw || method.toUpperCase() === 'HEAD') return text as T;
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      if ((response.headers['content-type'] ?? '').includes('json')) {
        throw new ClusterError('MA_CLUSTER_BAD_RESPONSE', `${method} ${url.pathname} on ${this.displayName} returned invalid JSON`, false, response.status);
      }
      return text as T;
    }
  }

  #httpError(method: string, url: URL, response: RawResponse): ClusterError {
    const text = response.body.toString('utf8');
    const where = `${method} ${url.pathname} on ${this.displayName}`;
    if (response.status === 401 || response.status === 403) {
      return new ClusterError('MA_CLUSTER_AUTH', `${where} was refused (HTTP ${response.status}): check the credentials. ${reasonOf(text)}`, false, response.status, text);
    }
    return new ClusterError('MA_CLUSTER_HTTP', `${where} failed with HTTP ${response.status}: ${reasonOf(text)}`, isRetriableStatus(response.status), response.status, text);
  }

  #send(method: string, url: URL, headers: Record<string, string>, body: Uint8Array | undefined, timeoutMs: number): Promise<RawResponse> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(this.#networkError(method, url, error)));
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(new ClusterError('MA_CLUSTER_TIMEOUT', `${method} ${url.pathname} on ${this.displayName} timed out after ${timeoutMs} ms`, true));
      });
      req.on('error', (error) => reject(error instanceof ClusterError ? error : this.#networkError(method, url, error)));
      req.end(body);
    });
  }

  #networkError(method: string, url: URL, error: Error): ClusterError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return new ClusterError('MA_CLUSTER_UNREACHABLE', `${method} ${url.pathname}: cannot reach ${this.displayName} (${code || error.message})`, true);
  }
}

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
