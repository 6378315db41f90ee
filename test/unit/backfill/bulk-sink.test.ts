/**
 * The bulk sink against a real local HTTP server on port 0 playing the target: bulk bodies built from raw
 * `_source` bytes, whole-request and per-document throttling, concurrency halved on 429 and regained after
 * clean bulks, Retry-After honoured, documents rejected for good reported with their reason.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ClusterClient, ClusterError } from '../../../src/cluster';
import { BulkBodyBuilder } from '../../../src/backfill/bulk-body';
import { BulkSink, type BulkDocument } from '../../../src/backfill/bulk-sink';

interface Action {
  index: { _index: string; _id: string; routing?: string };
}

/** One parsed bulk request as the server saw it. */
interface SeenBulk {
  actions: Action[];
  sources: unknown[];
}

let server: Server;
let client: ClusterClient;
let seen: SeenBulk[];
let respond: (bulk: SeenBulk, res: ServerResponse) => void;
let inFlight: number;
let maxInFlight: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const lines = body.toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      const bulk: SeenBulk = { actions: [], sources: [] };
      for (let i = 0; i < lines.length; i += 2) {
        bulk.actions.push(JSON.parse(lines[i]) as Action);
        bulk.sources.push(JSON.parse(lines[i + 1]));
      }
      seen.push(bulk);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Answer a little later so that several requests can be in flight together.
      setTimeout(() => {
        inFlight--;
        respond(bulk, res);
      }, 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ClusterClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, compressRequests: true });
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  inFlight = 0;
  maxInFlight = 0;
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function allIndexed(bulk: SeenBulk, res: ServerResponse): void {
  json(res, 200, { errors: false, items: bulk.actions.map((a) => ({ index: { _id: a.index._id, status: 201 } })) });
}

const docs = (count: number, from = 0): BulkDocument[] =>
  Array.from({ length: count }, (_, i) => ({ index: 'books', id: `b${from + i}`, source: Buffer.from(JSON.stringify({ n: from + i })) }));

function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: (ms) => (delays.push(ms), Promise.resolve()) };
}

describe('BulkSink', () => {
  it('indexes every document and reports counts and bytes', async () => {
    respond = allIndexed;
    const sink = new BulkSink(client, { maxConcurrency: 2 });
    const outcome = await sink.send(docs(3));
    expect(outcome).toMatchObject({ indexed: 3, rejected: [], throttled: 0 });
    expect(outcome.bytes).toBe(docs(3).reduce((sum, d) => sum + d.source.length, 0));
    expect(seen[0].actions.map((a) => a.index._id)).toEqual(['b0', 'b1', 'b2']);
  });

  it('reads the items of a response that is not filtered (errors not first) instead of trusting its start', async () => {
    // GIVEN a target that ignores filter_path: "took" comes first, and the 2nd document is rejected
    respond = (bulk, res) =>
      json(res, 200, { took: 3, errors: true, items: bulk.actions.map((a, i) => ({ index: { _id: a.index._id, status: i === 1 ? 400 : 201, ...(i === 1 ? { error: { type: 'mapper_parsing_exception', reason: 'bad' } } : {}) } })) });
    const sink = new BulkSink(client, { maxConcurrency: 2 });

    const outcome = await sink.send(docs(3));

    expect(outcome).toMatchObject({ indexed: 2, throttled: 0 });
    expect(outcome.rejected.map((r) => [r.document.id, r.status, r.reason])).toEqual([['b1', 400, 'mapper_parsing_exception: bad']]);
  });

  it('re-sends a whole bulk refused with 429, waiting at least Retry-After, and halves its concurrency', async () => {
    // GIVEN a target that refuses the first request with 429 and Retry-After: 2
    let calls = 0;
    respond = (bulk, res) => (calls++ === 0 ? json(res, 429, { error: { type: 'es_rejected_execution_exception' } }, { 'retry-after': '2' }) : allIndexed(bulk, res));
    const { delays, sleep } = recordingSleep();
    const sink = new BulkSink(client, { maxConcurrency: 8, sleep, random: () => 0 });

    // WHEN a bulk is sent
    const outcome = await sink.send(docs(4));

    // THEN it is sent twice, everything is indexed, the wait honoured the header, and concurrency dropped
    expect(seen).toHaveLength(2);
    expect(outcome).toMatchObject({ indexed: 4, throttled: 4, rejected: [] });
    expect(delays).toEqual([2000]);
    expect(sink.concurrency).toBe(4);
  });

  it('re-sends only the documents throttled inside a 200 response', async () => {
    // GIVEN a target whose first answer throttles the 2nd and 4th document
    let calls = 0;
    respond = (bulk, res) => {
      if (calls++ > 0) return allIndexed(bulk, res);
      json(res, 200, { errors: true, items: bulk.actions.map((a, i) => ({ index: { _id: a.index._id, status: i % 2 === 1 ? 429 : 201 } })) });
    };
    const { sleep } = recordingSleep();
    const sink = new BulkSink(client, { maxConcurrency: 4, sleep });

    const outcome = await sink.send(docs(4));

    expect(seen.map((b) => b.actions.map((a) => a.index._id))).toEqual([['b0', 'b1', 'b2', 'b3'], ['b1', 'b3']]);
    expect(outcome).toMatchObject({ indexed: 4, throttled: 2, rejected: [] });
  });

  it('sends the body assembled with the batch, and a body of only the throttled documents on retry', async () => {
    // GIVEN a batch assembled by BulkBodyBuilder, and a target whose first answer throttles the 1st document
    const builder = new BulkBodyBuilder(0);
    for (let n = 0; n < 3; n++) builder.add('books', `c${n}`, n === 0 ? 'r0' : undefined, Buffer.from(JSON.stringify({ n })));
    const { body, documents } = builder.finish();
    let calls = 0;
    respond = (bulk, res) => {
      if (calls++ > 0) return allIndexed(bulk, res);
      json(res, 200, { errors: true, items: bulk.actions.map((a, i) => ({ index: { _id: a.index._id, status: i === 0 ? 429 : 201 } })) });
    };
    const sink = new BulkSink(client, { maxConcurrency: 2, sleep: recordingSleep().sleep });

    // WHEN it is sent with its body
    const outcome = await sink.send(documents, body);

    // THEN the target saw the whole batch, then the throttled document alone with its routing
    expect(seen.map((b) => b.actions)).toEqual([
      [{ index: { _index: 'books', _id: 'c0', routing: 'r0' } }, { index: { _index: 'books', _id: 'c1' } }, { index: { _index: 'books', _id: 'c2' } }],
      [{ index: { _index: 'books', _id: 'c0', routing: 'r0' } }],
    ]);
    expect(seen[1].sources).toEqual([{ n: 0 }]);
    expect(outcome).toMatchObject({ indexed: 3, throttled: 1, rejected: [] });
  });

  it('reports documents the target rejects for good, with the reason, without re-sending them', async () => {
    respond = (bulk, res) =>
      json(res, 200, {
        errors: true,
        items: bulk.actions.map((a) =>
          a.index._id === 'b1'
            ? { index: { _id: 'b1', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n] of type [date]' } } }
            : { index: { _id: a.index._id, status: 201 } },
        ),
      });
    const sink = new BulkSink(client, { maxConcurrency: 1 });

    const outcome = await sink.send(docs(3));

    expect(seen).toHaveLength(1);
    expect(outcome.indexed).toBe(2);
    expect(outcome.rejected).toEqual([{ document: docs(3)[1], status: 400, reason: 'mapper_parsing_exception: failed to parse field [n] of type [date]' }]);
  });

  it('never has more bulks in flight than its concurrency, and regains concurrency after clean bulks', async () => {
    // GIVEN a sink allowed 4 bulks at once that was throttled down to 2
    let throttle = true;
    respond = (bulk, res) => {
      if (throttle) {
        throttle = false;
        return json(res, 429, {});
      }
      allIndexed(bulk, res);
    };
    const { sleep } = recordingSleep();
    const sink = new BulkSink(client, { maxConcurrency: 4, sleep });
    await sink.send(docs(1));
    expect(sink.concurrency).toBe(2);
    maxInFlight = 0;

    // WHEN many bulks are offered at once
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => sink.send(docs(2, i * 2))));

    // THEN at most the current limit ran together, and the limit grew back to its maximum
    expect(outcomes.every((o) => o.indexed === 2)).toBe(true);
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(sink.concurrency).toBe(4);
  });

  it('gives up with a retriable error naming the refused documents after its attempts run out', async () => {
    respond = (_bulk, res) => json(res, 429, {});
    const { delays, sleep } = recordingSleep();
    const sink = new BulkSink(client, { maxConcurrency: 2, maxAttempts: 3, sleep });

    const failure = sink.send(docs(5));

    await expect(failure).rejects.toBeInstanceOf(ClusterError);
    await expect(failure).rejects.toMatchObject({ retriable: true, message: expect.stringContaining('5 documents after 3 attempts') });
    expect(seen).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('retries a bulk after a 503 from the target', async () => {
    let calls = 0;
    respond = (bulk, res) => (calls++ === 0 ? json(res, 503, { error: 'unavailable' }) : allIndexed(bulk, res));
    const { sleep } = recordingSleep();
    const sink = new BulkSink(client, { maxConcurrency: 2, sleep });
    await expect(sink.send(docs(2))).resolves.toMatchObject({ indexed: 2 });
    expect(seen).toHaveLength(2);
  });
});
