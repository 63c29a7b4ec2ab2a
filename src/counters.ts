/**
 * @module
 * Counters that count atomically: what rate limits and challenge attempts need and unstorage cannot
 * give (it has no atomic increment, so two instances reading "9" would both write "10"). A counter
 * lives for a fixed window from its first hit and is gone after it, on every backend, so failed
 * logins under ten thousand names leave no ten thousand keys behind.
 *
 * Backends: {@link memoryCounters} (one process, bounded), {@link redisCounters} (INCRBY and PEXPIRE
 * in one Lua script, one round trip); Deno KV and Cloudflare Durable Objects in their adapters.
 */
import { WarrantError } from "./errors.ts";

/** What one hit returns. */
export interface Hit {
  /** The count after this hit: this hit and every earlier one in the window. */
  readonly count: number;
  /** When the window ends and the counter is gone (ms since the epoch). */
  readonly resetAt: number;
}

/**
 * An atomic counter backend. Of any number of concurrent hits on one key, at most `k` see a count of
 * `k` or less: that is what makes "reserve an attempt before calling Cognito" hold across instances.
 *
 * @example
 * ```ts
 * const counters: Counters = memoryCounters();
 * const { count, resetAt } = await counters.hit("ratelimit:account:ab12", 900_000);
 * if (count > 10) console.log(`wait ${Math.ceil((resetAt - Date.now()) / 1000)} s`);
 * ```
 */
export interface Counters {
  /** Adds one to `key`; a missing or ended counter starts a new window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<Hit>;
  /** Takes one back (a reserved attempt that turned out not to be a failure); never below zero, never a new counter. */
  release(key: string): Promise<void>;
  /** Forgets the counter. */
  reset(key: string): Promise<void>;
}

/**
 * Options of {@link memoryCounters}.
 *
 * @example
 * ```ts
 * const options: MemoryCountersOptions = { maxKeys: 50_000 };
 * ```
 */
export interface MemoryCountersOptions {
  /** The most counters kept; past it the oldest go first. @default 100000 */
  maxKeys?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/**
 * Counters in this process: atomic here (JavaScript runs one hit at a time), shared by nothing else.
 * Ended counters are dropped as new ones come, and at most `maxKeys` are kept, so the memory they take
 * is bounded whatever names an attacker tries.
 *
 * @example
 * ```ts
 * const warrant = createWarrant({ userPoolId, clientId, secret, counters: memoryCounters() });
 * ```
 */
export function memoryCounters(options: MemoryCountersOptions = {}): Counters {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: the first entries are the oldest windows, which end first.
  const counters = new Map<string, { count: number; resetAt: number }>();
  const sweep = (t: number) => {
    // Amortised: each hit looks at a few of the oldest entries and drops the ended ones.
    let looked = 0;
    for (const [key, c] of counters) {
      if (c.resetAt > t || ++looked > 8) break;
      counters.delete(key);
    }
    while (counters.size >= maxKeys) {
      const oldest = counters.keys().next().value as string;
      counters.delete(oldest);
    }
  };
  return {
    async hit(key, windowMs) {
      const t = now();
      let c = counters.get(key);
      if (!c || c.resetAt <= t) {
        counters.delete(key);
        sweep(t);
        c = { count: 0, resetAt: t + windowMs };
        counters.set(key, c);
      }
      c.count += 1;
      return { count: c.count, resetAt: c.resetAt };
    },
    async release(key) {
      const c = counters.get(key);
      if (c && c.resetAt > now() && c.count > 0) c.count -= 1;
    },
    async reset(key) {
      counters.delete(key);
    },
    // For tests and the README's bound: how many counters are held.
    get size() {
      return counters.size;
    },
  } as Counters;
}

/**
 * The part of an ioredis (or node-redis-compatible) client {@link redisCounters} uses: `eval` and `del`.
 * unstorage's redis driver gives its client from `storage.getMount("").driver.getInstance()`.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const client: RedisLike = new Redis("redis://127.0.0.1:6379");
 * ```
 */
export interface RedisLike {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
}

// INCR and PEXPIRE in one script: Redis runs it whole, so no hit sees a count another hit also saw,
// and no counter is left without an expiry (a client dying between two commands cannot happen).
const hitScript = `local c = redis.call('INCR', KEYS[1])
local t = redis.call('PTTL', KEYS[1])
if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); t = tonumber(ARGV[1]) end
return {c, t}`;
const releaseScript = `local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c > 0 then redis.call('DECR', KEYS[1]) end
return c`;

/**
 * Counters in Redis, under `prefix` (e.g. the one the storage uses): one round trip per hit, atomic
 * across every instance on that Redis, each counter with its expiry set in the same step.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const counters = redisCounters(new Redis("redis://127.0.0.1:6379"), "warrant");
 * const warrant = createWarrant({ userPoolId, clientId, secret, storage, counters });
 * ```
 */
export function redisCounters(client: RedisLike, prefix = "", now: () => number = Date.now): Counters {
  const base = prefix.replace(/:$/, "");
  const k = (key: string) => (base ? `${base}:${key}` : key);
  return {
    async hit(key, windowMs) {
      const [count, ttl] = (await client.eval(hitScript, 1, k(key), Math.max(1, Math.ceil(windowMs)))) as [
        number,
        number,
      ];
      return { count: Number(count), resetAt: now() + Number(ttl) };
    },
    async release(key) {
      await client.eval(releaseScript, 1, k(key));
    },
    async reset(key) {
      await client.del(k(key));
    },
  };
}

/**
 * The atomic counters that come with a storage, when its driver has them: Redis (the client and key
 * prefix of unstorage's redis driver) and memory (counters of this process, shared by every warrant on
 * that storage object). `undefined` for any other driver: there is no atomic increment to build on.
 */
export function countersOf(storage: unknown, now: () => number = Date.now): Counters | undefined {
  const driver = driverOf(storage);
  if (!driver) return undefined;
  if (driver.name === "memory" || driver.name === "warrant-memory") return perStorage(driver, now);
  if (driver.name === "redis" && typeof driver.getInstance === "function") {
    const client = driver.getInstance() as RedisLike;
    if (typeof client?.eval === "function") return redisCounters(client, driver.options?.base ?? "");
  }
  return undefined;
}

/**
 * The counters a warrant uses: the `counters` option, else the storage's own ({@link countersOf}),
 * else counters of this process with one warning: several instances on that storage then each
 * count on their own (a limit of 10 becomes 10 per instance). Every call has the storage's deadline
 * (`timeout` ms), and a failure is `storage_unavailable` (503), never a 500 and never "go ahead".
 */
export function countersFor(
  storage: unknown,
  given: Counters | undefined,
  now: () => number,
  timeout = 3000,
  warn: (message: string) => void = (m) => console.warn(`warrant: ${m}`),
): Counters {
  return withDeadline(pick(storage, given, now, warn), timeout);
}

function withDeadline(counters: Counters, timeout: number): Counters {
  const guard = <T>(work: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const fail = (cause: unknown) =>
        reject(new WarrantError("storage_unavailable", "the counters are unavailable", { cause }));
      const timer = setTimeout(
        () => fail(new Error(`counters did not answer within ${timeout} ms`)),
        timeout,
      );
      work().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (cause) => {
          clearTimeout(timer);
          fail(cause);
        },
      );
    });
  return {
    hit: (key, windowMs) => guard(() => counters.hit(key, windowMs)),
    release: (key) => guard(() => counters.release(key)),
    reset: (key) => guard(() => counters.reset(key)),
  };
}

function pick(
  storage: unknown,
  given: Counters | undefined,
  now: () => number,
  warn: (message: string) => void,
): Counters {
  if (given) return given;
  const own = countersOf(storage, now);
  if (own) return own;
  const key = (driverOf(storage) ?? storage) as object;
  if (!warned.has(key)) {
    warned.add(key);
    warn(
      `the storage (${driverOf(storage)?.name ?? "unknown driver"}) cannot count atomically, so rate limits and challenge attempts count in this process only; pass options.counters (redisCounters, denoKvCounters, durableObjectCounters) to share them between instances`,
    );
  }
  return perStorage(key, now);
}

type Driver = { name?: string; options?: { base?: string }; getInstance?: () => unknown };

function driverOf(storage: unknown): Driver | undefined {
  const s = storage as { getMount?: (key: string) => { driver?: Driver } | undefined } | null;
  return typeof s?.getMount === "function" ? s.getMount("")?.driver : undefined;
}

const shared = new WeakMap<object, Counters>();
const warned = new WeakSet<object>();

function perStorage(key: object, now: () => number): Counters {
  const known = shared.get(key);
  if (known) return known;
  const counters = memoryCounters({ now });
  shared.set(key, counters);
  return counters;
}
