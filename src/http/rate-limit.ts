/**
 * @module
 * Failure counters for login and challenge answers (SECURITY.md R8): per account and, when the app
 * names a trusted header for the client address, per address. Counters live in the shared store, so
 * every instance sees the same ones; a fixed window per key keeps it to one read and one write.
 *
 * Counting is read-modify-write, not atomic: two instances racing may each count one failure as the
 * first. The limit is a brake on guessing, not an exact quota, and Cognito's own lockout stands behind it.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { RateLimitOptions } from "../options.ts";
import type { Store } from "../storage.ts";

interface Counter {
  count: number;
  resetAt: number;
}

/** What a check says: go ahead, or wait this many seconds. */
export type Verdict = { ok: true } | { ok: false; retryAfter: number };

/** A limiter over a store. */
export interface RateLimiter {
  /** Whether another attempt for this account (and the request's address) may go to Cognito. */
  check(request: Request, account: string): Promise<Verdict>;
  /** Counts a failed attempt. */
  fail(request: Request, account: string): Promise<void>;
  /** Clears the account's counter after a success. */
  succeed(account: string): Promise<void>;
}

const utf8 = new TextEncoder();
const hashed = (value: string) => encodeHexLowerCase(sha256(utf8.encode(value))).slice(0, 32);

/** Builds a limiter; `false` turns limiting off. */
export function createRateLimiter(
  store: Store,
  options: RateLimitOptions | false | undefined,
  now: () => number,
): RateLimiter {
  if (options === false) {
    return { check: async () => ({ ok: true }), fail: async () => {}, succeed: async () => {} };
  }
  const perAccount = options?.perAccount ?? 10;
  const perAddress = options?.perAddress ?? 50;
  const windowMs = (options?.window ?? 900) * 1000;
  const header = options?.clientAddressHeader?.toLowerCase();

  // Account names are compared as people type them: case and surrounding space do not make a new one.
  const accountKey = (account: string) => `ratelimit:account:${hashed(account.trim().toLowerCase())}`;
  const addressKey = (request: Request) => {
    if (!header) return undefined;
    const address = request.headers.get(header)?.split(",")[0]?.trim();
    return address ? `ratelimit:address:${hashed(address)}` : undefined;
  };
  const keysOf = (request: Request, account: string) =>
    [
      [accountKey(account), perAccount],
      [addressKey(request), perAddress],
    ].filter((k): k is [string, number] => k[0] !== undefined);

  return {
    async check(request, account) {
      const t = now();
      let wait = 0;
      for (const [key, max] of keysOf(request, account)) {
        const counter = await store.get<Counter>(key);
        if (counter && counter.resetAt > t && counter.count >= max)
          wait = Math.max(wait, counter.resetAt - t);
      }
      return wait > 0 ? { ok: false, retryAfter: Math.ceil(wait / 1000) } : { ok: true };
    },
    async fail(request, account) {
      const t = now();
      for (const [key] of keysOf(request, account)) {
        const counter = await store.get<Counter>(key);
        const next =
          counter && counter.resetAt > t
            ? { ...counter, count: counter.count + 1 }
            : { count: 1, resetAt: t + windowMs };
        await store.set(key, next, (next.resetAt - t) / 1000);
      }
    },
    async succeed(account) {
      await store.remove(accountKey(account));
    },
  };
}
