/**
 * @module
 * Attempt limits for login, challenge answers, sign-up, password reset and codes (SECURITY.md R8, C3):
 * per account and per client address. Each attempt is reserved, atomically, before Cognito is called:
 * of 200 concurrent wrong passwords with a limit of 10, ten reach Cognito and 190 get 429. What turns
 * out not to be a failure (a right password, a challenge) gives its reservation back.
 *
 * Counters come from a {@link Counters} backend (atomic on memory, Redis, Deno KV, Durable Objects).
 * The account is counted under its canonical Cognito username once a login has shown which one an
 * alias (an email, another letter case) stands for, so aliases share one counter.
 */

import type { Counters } from "../counters.ts";
import type { RateLimitOptions } from "../options.ts";
import { sha256Hex } from "../sha256.ts";
import type { Store } from "../storage.ts";
import { clientAddress } from "./client-address.ts";

/** A reserved attempt: a failure keeps it; anything else hands it back. */
export interface Attempt {
  /** A success: the account's counter is cleared and the address's reservation given back. */
  succeeded(): Promise<void>;
  /** Neither success nor failure (a challenge follows, a weak new password): the reservation is given back. */
  release(): Promise<void>;
}

/** What a reservation says: go ahead with this attempt, or wait this many seconds. */
export type Verdict = { ok: true; attempt: Attempt } | { ok: false; retryAfter: number };

/** A limiter over a counter backend. */
export interface RateLimiter {
  /** Reserves an attempt for this account (and the request's address) before Cognito is called. */
  reserve(request: Request, account: string): Promise<Verdict>;
  /** Remembers that `typed` signs in as the Cognito user `username`, so both count as one account. */
  learn(typed: string, username: string): Promise<void>;
}

const hashed = (value: string) => sha256Hex(value).slice(0, 32);
// Account names are compared as people type them: case and surrounding space do not make a new one.
const fold = (account: string) => account.trim().toLowerCase();
// How long an alias is remembered: long enough to span many windows; it is one small key per alias used.
const aliasTtl = 30 * 24 * 3600;

const passAll: Attempt = { succeeded: async () => {}, release: async () => {} };

/** Builds a limiter; `false` turns limiting off. */
export function createRateLimiter(
  store: Store,
  counters: Counters,
  options: RateLimitOptions | false | undefined,
  now: () => number,
): RateLimiter {
  if (options === false) {
    return { reserve: async () => ({ ok: true, attempt: passAll }), learn: async () => {} };
  }
  const perAccount = options?.perAccount ?? 10;
  const perAddress = options?.perAddress ?? 50;
  const windowMs = (options?.window ?? 900) * 1000;
  const aliasKey = (typed: string) => `aliases:${hashed(typed)}`;

  const canonical = async (account: string) => {
    const typed = fold(account);
    const known = await store.get<{ username?: unknown }>(aliasKey(typed));
    return typeof known?.username === "string" ? fold(known.username) : typed;
  };

  return {
    async reserve(request, account) {
      const keys: [string, number][] = [
        [`ratelimit:account:${hashed(await canonical(account))}`, perAccount],
      ];
      const address = clientAddress(request, options ?? {});
      if (address) keys.push([`ratelimit:address:${hashed(address)}`, perAddress]);
      const hits = await Promise.all(keys.map(([key]) => counters.hit(key, windowMs)));
      let wait = 0;
      hits.forEach((hit, i) => {
        if (hit.count > keys[i]![1]) wait = Math.max(wait, hit.resetAt - now(), 1000);
      });
      // A refused attempt keeps its count: the window is fixed, so refusals do not extend it.
      if (wait > 0) return { ok: false, retryAfter: Math.ceil(wait / 1000) };
      const [accountKey, addressKey] = keys.map(([key]) => key) as [string, string | undefined];
      return {
        ok: true,
        attempt: {
          async succeeded() {
            await counters.reset(accountKey);
            if (addressKey) await counters.release(addressKey);
          },
          async release() {
            await Promise.all(keys.map(([key]) => counters.release(key)));
          },
        },
      };
    },

    async learn(typed, username) {
      const alias = fold(typed);
      if (alias === fold(username)) return;
      const key = aliasKey(alias);
      const known = await store.get<{ username?: unknown }>(key);
      if (known?.username !== username) await store.set(key, { username }, aliasTtl);
    },
  };
}
