/**
 * The shared state of a backfill, kept on the target in `.migrations_working_state[_<session>]`: one
 * document per work item plus a setup marker. Every change is an optimistic-concurrency update
 * (`if_seq_no`/`if_primary_term`), so two workers can never both own an item.
 *
 * Leases: the holder writes `expiration` (epoch ms, its own clock) and renews it by heartbeat long before
 * it runs out. Another worker takes a lease over only when its own clock is past `expiration` plus a skew
 * allowance, so clocks that disagree by less than that allowance cannot cause double processing.
 */
import { ClusterClient, ClusterError } from '../cluster';
import type { DocPosition } from '../lucene';
import type { WorkItemRange, WorkItemSpec } from './work-item';

export const WORKING_STATE_INDEX = '.migrations_working_state';
export const SETUP_ID = 'shard_setup';
export const STATE_VERSION = 1;

export function workingStateIndex(session?: string): string {
  return session ? `${WORKING_STATE_INDEX}_${session}` : WORKING_STATE_INDEX;
}

export type ItemStatus = 'pending' | 'leased' | 'completed' | 'failed';

export interface WorkItemDoc {
  kind: 'item';
  stateVersion: number;
  index: string;
  shard: number;
  part: number;
  range: WorkItemRange;
  documents: number;
  status: ItemStatus;
  leaseHolderId?: string;
  expiration: number;
  /** Next document to read; absent = start of the range. */
  cursor?: DocPosition;
  docsMigrated: number;
  bytesMigrated: number;
  docsFailed: number;
  attempts: number;
  leasesExpired: number;
  error?: string;
  completedAt?: number;
  updatedAt: number;
}

export interface SetupDoc {
  kind: 'setup';
  stateVersion: number;
  snapshot: string;
  creatorId: string;
  expiration: number;
  completedAt?: number;
  totalItems?: number;
  totalDocuments?: number;
  totalShards?: number;
  startedAt: number;
}

export interface Versioned<T> {
  id: string;
  seqNo: number;
  primaryTerm: number;
  doc: T;
}

interface GetResponse<T> {
  found: boolean;
  _seq_no: number;
  _primary_term: number;
  _source: T;
}

interface SearchResponse<T> {
  hits: { total: { value: number }; hits: { _id: string; _seq_no: number; _primary_term: number; _source: T }[] };
}

export class WorkingState {
  readonly index: string;
  readonly #client: ClusterClient;

  constructor(client: ClusterClient, session?: string) {
    this.#client = client;
    this.index = workingStateIndex(session);
  }

  async ensureIndex(): Promise<void> {
    const exists = await this.#client.request('HEAD', `/${this.index}`, { expectStatus: [404] });
    if (exists.status === 200) return;
    await this.#client.request('PUT', `/${this.index}`, {
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0, 'index.hidden': true },
        mappings: {
          dynamic: false,
          properties: {
            kind: { type: 'keyword' },
            status: { type: 'keyword' },
            index: { type: 'keyword' },
            shard: { type: 'integer' },
            part: { type: 'integer' },
            expiration: { type: 'long' },
            leaseHolderId: { type: 'keyword' },
            completedAt: { type: 'long' },
          },
        },
      },
      expectStatus: [400],
    });
  }

  async get<T>(id: string): Promise<Versioned<T> | undefined> {
    const response = await this.#client.request<GetResponse<T>>('GET', `/${this.index}/_doc/${encodeURIComponent(id)}`, { expectStatus: [404] });
    if (response.status === 404 || !response.body.found) return undefined;
    return { id, seqNo: response.body._seq_no, primaryTerm: response.body._primary_term, doc: response.body._source };
  }

  /** Creates the document unless it exists; true when this call created it. */
  async create(id: string, doc: object): Promise<boolean> {
    const response = await this.#client.request('PUT', `/${this.index}/_create/${encodeURIComponent(id)}`, { body: doc, query: { refresh: 'true' }, expectStatus: [409] });
    return response.status !== 409;
  }

  /**
   * Replaces the document if nobody changed it since `seen`; the new version, or undefined on conflict.
   * Status changes are made visible to searches at once (`refresh`); checkpoints and heartbeats need not be,
   * since reads by id are real-time and a stale search result only costs a conflict.
   */
  async replace<T>(seen: Versioned<T>, doc: T, refresh = true): Promise<Versioned<T> | undefined> {
    const response = await this.#client.request<{ _seq_no: number; _primary_term: number }>('PUT', `/${this.index}/_doc/${encodeURIComponent(seen.id)}`, {
      body: doc as object,
      query: { if_seq_no: seen.seqNo, if_primary_term: seen.primaryTerm, refresh: refresh ? 'true' : 'false' },
      expectStatus: [409],
    });
    if (response.status === 409) return undefined;
    return { id: seen.id, seqNo: response.body._seq_no, primaryTerm: response.body._primary_term, doc };
  }

  /** Creates every item that does not exist yet (a restarted setup re-creates nothing). */
  async createItems(items: WorkItemSpec[], now: number): Promise<void> {
    for (let start = 0; start < items.length; start += 500) {
      const lines: string[] = [];
      for (const item of items.slice(start, start + 500)) {
        const doc: WorkItemDoc = {
          kind: 'item',
          stateVersion: STATE_VERSION,
          index: item.index,
          shard: item.shard,
          part: item.part,
          range: item.range,
          documents: item.documents,
          status: 'pending',
          expiration: 0,
          docsMigrated: 0,
          bytesMigrated: 0,
          docsFailed: 0,
          attempts: 0,
          leasesExpired: 0,
          updatedAt: now,
        };
        lines.push(JSON.stringify({ create: { _index: this.index, _id: item.id } }), JSON.stringify(doc));
      }
      const response = await this.#client.request<{ items: { create: { status: number; error?: { reason?: string } } }[] }>('POST', '/_bulk', {
        body: lines.join('\n') + '\n',
        contentType: 'application/x-ndjson',
        query: { refresh: 'true' },
        idempotent: true,
      });
      const failed = response.body.items.map((i) => i.create).find((r) => r.status !== 201 && r.status !== 409);
      if (failed) throw new ClusterError('MA_CLUSTER_HTTP', `creating work items failed: ${failed.error?.reason ?? failed.status}`, true, failed.status);
    }
  }

  /** Items that can be claimed: pending, or leased with a lease that ran out (beyond the skew allowance). */
  async claimable(now: number, skewMs: number, limit = 20): Promise<Versioned<WorkItemDoc>[]> {
    const response = await this.#client.request<SearchResponse<WorkItemDoc>>('POST', `/${this.index}/_search`, {
      idempotent: true,
      body: {
        size: limit,
        seq_no_primary_term: true,
        query: {
          function_score: {
            query: {
              bool: {
                filter: [{ term: { kind: 'item' } }],
                should: [{ term: { status: 'pending' } }, { bool: { filter: [{ term: { status: 'leased' } }, { range: { expiration: { lt: now - skewMs } } }] } }],
                minimum_should_match: 1,
              },
            },
            // A random order spreads workers over items instead of all racing for the same one.
            random_score: {},
            boost_mode: 'replace',
          },
        },
      },
    });
    return response.body.hits.hits.map((h) => ({ id: h._id, seqNo: h._seq_no, primaryTerm: h._primary_term, doc: h._source }));
  }

  async items(): Promise<Versioned<WorkItemDoc>[]> {
    const out: Versioned<WorkItemDoc>[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const response = await this.#client.request<SearchResponse<WorkItemDoc> & { hits: { hits: { sort: unknown[] }[] } }>('POST', `/${this.index}/_search`, {
        idempotent: true,
        body: { size: 1000, seq_no_primary_term: true, query: { term: { kind: 'item' } }, sort: [{ index: 'asc' }, { shard: 'asc' }, { part: 'asc' }], ...(after ? { search_after: after } : {}) },
      });
      const hits = response.body.hits.hits;
      for (const h of hits) out.push({ id: h._id, seqNo: h._seq_no, primaryTerm: h._primary_term, doc: h._source });
      if (hits.length < 1000) return out;
      after = (hits[hits.length - 1] as { sort: unknown[] }).sort;
    }
  }
}
