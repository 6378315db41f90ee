/** Name resolution for upstream connections: one query per name and time to live, none kept when it failed. */
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { CachedLookup } from '../../../src/capture-proxy/cached-lookup';

type Callback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** A resolver that answers only when the test says, and a clock the test moves. */
function setup(ttlMs = 1000) {
  const queries: { hostname: string; options: LookupAllOptions; answer: Callback }[] = [];
  const clock = { now: 0 };
  const cache = new CachedLookup(ttlMs, (hostname, options, answer) => queries.push({ hostname, options, answer }), () => clock.now);
  /** Looks `hostname` up as net.connect does, with or without `all`; resolves with what the callback got. */
  const ask = (hostname: string, options: { all?: boolean; family?: number } = { all: true }) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      cache.lookup(hostname, options as LookupAllOptions, (error: Error | null, address: unknown, family?: number) => resolve({ error, address, family })),
    );
  return { cache, queries, clock, ask };
}

const SOURCE: LookupAddress[] = [
  { address: '10.0.0.7', family: 4 },
  { address: '10.0.0.8', family: 4 },
];

describe('CachedLookup', () => {
  it('makes one query for a burst of connections and answers each in the form it asked for', async () => {
    // GIVEN three lookups of one name before the resolver answers
    const { queries, ask } = setup();
    const answers = Promise.all([ask('source'), ask('source', { all: false }), ask('source')]);

    // WHEN the resolver answers the one query made
    expect(queries.map((q) => [q.hostname, q.options.all])).toEqual([['source', true]]);
    queries[0].answer(null, SOURCE);

    // THEN each caller has the answer: every address for `all`, the first one otherwise
    const [all, one] = await answers;
    expect(all).toEqual({ error: null, address: SOURCE, family: undefined });
    expect(one).toEqual({ error: null, address: '10.0.0.7', family: 4 });
  });

  it('keeps an answer for its time to live, then asks again', async () => {
    const { queries, clock, ask } = setup(1000);
    const first = ask('source');
    queries[0].answer(null, SOURCE);
    await first;

    clock.now = 999;
    await expect(ask('source')).resolves.toMatchObject({ address: SOURCE });
    expect(queries).toHaveLength(1);

    clock.now = 1000;
    const later = ask('source');
    expect(queries).toHaveLength(2);
    queries[1].answer(null, [{ address: '10.0.0.9', family: 4 }]);
    await expect(later).resolves.toMatchObject({ address: [{ address: '10.0.0.9', family: 4 }] });
  });

  it('keeps no failure, and passes it to every caller waiting', async () => {
    const { queries, ask } = setup();
    const waiting = Promise.all([ask('nowhere'), ask('nowhere', { all: false })]);
    queries[0].answer(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' }), []);
    for (const answer of await waiting) expect(answer.error?.message).toBe('getaddrinfo ENOTFOUND nowhere');

    void ask('nowhere');
    expect(queries).toHaveLength(2);
    queries[1].answer(null, []);
  });

  it('answers an empty resolution with ENOTFOUND, not an address of undefined', async () => {
    const { queries, ask } = setup();
    const answer = ask('empty', { all: false });
    queries[0].answer(null, []);
    const { error } = await answer;
    expect(error).toMatchObject({ code: 'ENOTFOUND', message: 'no address for empty' });
  });

  it('forgets a name on request (a connection to it failed), and keeps names and families apart', async () => {
    // GIVEN answers for one name in two families, and for another name
    const { cache, queries, ask } = setup();
    for (const [hostname, family] of [
      ['source', 4],
      ['source', 6],
      ['other', 0],
    ] as const) {
      const answer = ask(hostname, { all: true, family });
      queries[queries.length - 1].answer(null, family === 6 ? [{ address: '::1', family: 6 }] : SOURCE);
      await answer;
    }
    expect(queries.map((q) => [q.hostname, q.options.family])).toEqual([
      ['source', 4],
      ['source', 6],
      ['other', 0],
    ]);

    // WHEN the first name is forgotten
    cache.forget('source');

    // THEN it is asked again in both families, the other name is not
    void ask('source', { all: true, family: 4 });
    void ask('source', { all: true, family: 6 });
    void ask('other', { all: true, family: 0 });
    expect(queries).toHaveLength(5);
  });
});
