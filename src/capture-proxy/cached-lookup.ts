/**
 * Name resolution for the proxy's upstream connections, with answers kept for a few seconds. Node resolves
 * the host of every new connection through getaddrinfo on its small thread pool; for clients that open a
 * connection per request, that was 15 % of the proxy's throughput on one machine (through /etc/hosts), and
 * behind a network resolver it adds a round trip to each connection's first request and a query per
 * connection to a resolver that rate-limits. An answer is kept `ttlMs` (short: a source behind a load
 * balancer changes addresses), and forgotten at once when a connection to it fails.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

interface Answer {
  addresses: LookupAddress[];
  expires: number;
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
type AllLookup = (hostname: string, options: LookupAllOptions, callback: AllCallback) => void;

export class CachedLookup {
  readonly #ttlMs: number;
  readonly #resolve: AllLookup;
  readonly #now: () => number;
  readonly #answers = new Map<string, Answer>();
  /** Callers waiting for a resolution under way, so that a burst of new connections makes one query. */
  readonly #pending = new Map<string, AllCallback[]>();

  constructor(ttlMs: number, resolve: AllLookup = dnsLookup, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#resolve = resolve;
    this.#now = now;
  }

  /** For `net.connect`'s and `tls.connect`'s `lookup` option. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : 0;
    const key = `${family}/${hostname}`;
    const answer: AllCallback = (error, addresses) => {
      if (error) callback(error, '', 0);
      else if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    const known = this.#answers.get(key);
    if (known && known.expires > this.#now()) return answer(null, known.addresses);
    const waiting = this.#pending.get(key);
    if (waiting) return void waiting.push(answer);
    this.#pending.set(key, [answer]);
    this.#resolve(hostname, { all: true, family, hints: options.hints }, (error, addresses) => {
      const callers = this.#pending.get(key) ?? [];
      this.#pending.delete(key);
      if (!error && addresses.length > 0) this.#answers.set(key, { addresses, expires: this.#now() + this.#ttlMs });
      const failure = error ?? (addresses.length === 0 ? Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }) : null);
      for (const caller of callers) caller(failure, addresses);
    });
  };

  /** Drops what is known of `hostname`: a connection to it failed, and its address may have changed. */
  forget(hostname: string): void {
    for (const key of this.#answers.keys()) if (key.slice(key.indexOf('/') + 1) === hostname) this.#answers.delete(key);
  }
}
