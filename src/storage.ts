/**
 * @module
 * The library's view of the caller's unstorage `Storage`: every call has a deadline, and every
 * failure becomes `WarrantError("storage_unavailable")`, so an outage is never mistaken for "no session".
 *
 * Drivers that expire keys themselves (Redis, Cloudflare KV, Deno KV, Upstash, the library's bounded
 * memory store) get the TTL as a hint. On any other driver (unstorage's plain memory driver, fs) a value
 * written with a lifetime is kept as `{ "~exp": <ms>, "~v": <value> }` and removed when read after it,
 * so nothing written with a TTL outlives it for a reader.
 */
import type { Driver, Storage } from "unstorage";
import { WarrantError } from "./errors.ts";

/** What the library needs from storage. */
export interface Store {
  get<T>(key: string): Promise<T | null>;
  /** `ttl` in seconds is a hint for drivers that expire keys (Redis, KV); expiry is also checked on read. */
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  remove(key: string): Promise<void>;
  /** The full keys under `prefix` (a `:`-separated base such as `user-sessions:<hash>`). */
  keys(prefix: string): Promise<string[]>;
  /**
   * Takes a lock shared by every instance for `ms` where the backend has one (Redis `SET NX PX`): `true`
   * when this caller holds it. Absent on stores without one.
   */
  lock?(key: string, ms: number): Promise<boolean>;
  /** Releases a lock taken with {@link Store.lock}. */
  unlock?(key: string): Promise<void>;
}

/** Drivers that honour `ttl` themselves. */
const expiring = new Set([
  "redis",
  "cloudflare-kv-binding",
  "cloudflare-kv-http",
  "deno-kv",
  "deno-kv-node",
  "upstash",
  "vercel-kv",
  "warrant-memory",
]);
/** Drivers that answer in this process: they cannot hang, so a call needs no deadline. */
const inProcess = new Set(["memory", "warrant-memory"]);

interface Envelope {
  "~exp": number;
  "~v": unknown;
}
const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === "object" && value !== null && typeof (value as Envelope)["~exp"] === "number";

/** A key `storage.getItem` passes to its driver unchanged: `:`-separated words, no `/`, `?` or dot segment. */
const normalKey = /^[\w-]+(?::[\w-]+)*$/;

/** {@link parse}'s answer when only `storage.getItem` itself can say what a value reads as. */
const ask = Symbol("ask");

/**
 * What `storage.getItem` makes of a driver's value, for the values the library writes: a non-string as
 * it is; a string of JSON for an object or a number (unstorage's memory driver keeps what `setItem` was
 * given as `JSON.stringify` wrote it) parsed. Anything else (a string value, a `__proto__` key that
 * unstorage's parser drops) is left to `storage.getItem`.
 */
const parse = (raw: unknown): unknown => {
  if (typeof raw !== "string") return raw ?? null;
  const first = raw.charCodeAt(0);
  if (first !== 123 && !(first >= 48 && first <= 57)) return ask; // `{` or a digit
  if (raw.includes('"__proto__"') || raw.includes('"constructor"')) return ask;
  try {
    return JSON.parse(raw);
  } catch {
    return ask;
  }
};

const unavailable = (cause: unknown) =>
  new WarrantError("storage_unavailable", "the session store is unavailable", { cause });

/**
 * Wraps an unstorage `Storage` with a deadline (ms) per call. `now` is the clock that decides when an
 * enveloped value (drivers without TTL) has expired.
 */
export function createStore(storage: Storage, timeout: number, now: () => number = Date.now): Store {
  const mounts = storage.getMounts?.("") ?? [];
  const root = (storage.getMount?.("")?.driver ?? undefined) as
    | (Driver & { options?: { base?: string }; getInstance?: () => unknown })
    | undefined;
  const only = mounts.length <= 1;
  const native = only && root !== undefined && expiring.has(root.name ?? "");
  const local = only && root !== undefined && inProcess.has(root.name ?? "");

  // One timer per call is the price of a deadline; an in-process driver has nothing to wait for.
  const guard: <T>(work: () => Promise<T>) => Promise<T> = local
    ? async (work) => {
        try {
          return await work();
        } catch (cause) {
          throw unavailable(cause);
        }
      }
    : (work) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(unavailable(new Error(`storage did not answer within ${timeout} ms`))),
            timeout,
          );
          const settle = (ok: boolean) => (value: unknown) => {
            clearTimeout(timer);
            if (ok) resolve(value as never);
            else reject(unavailable(value));
          };
          try {
            work().then(settle(true), settle(false));
          } catch (error) {
            settle(false)(error);
          }
        });

  // An in-process driver alone at the root is read directly when the key is already in unstorage's
  // normal form (what `storage.getItem` would pass it): the same value, without unstorage's per-call
  // key normalisation, which costs more than the read itself (bench/bun, the session check's 3 reads).
  const direct = local ? root : undefined;
  /** The value `storage.getItem` would give, read from the driver itself; `ask` when only it can say. */
  const peek = (key: string): unknown => {
    if (!direct || !normalKey.test(key)) return ask;
    const raw = direct.getItem(key, {});
    return raw instanceof Promise ? ask : parse(raw);
  };

  const get = <T>(key: string) =>
    guard(async () => {
      const value = await storage.getItem(key);
      // unstorage's fs driver resolves a read error other than ENOENT (ENOTDIR, EACCES) as the value
      // instead of rejecting: an outage must not read as "some record".
      if (value instanceof Error) throw value;
      if (!native && isEnvelope(value)) {
        if (value["~exp"] > now()) return (value["~v"] as T | null) ?? null;
        await storage.removeItem(key);
        return null;
      }
      return (value as T | null) ?? null;
    });

  const store: Store = {
    get: <T>(key: string): Promise<T | null> => {
      let value: unknown;
      try {
        value = peek(key);
      } catch (cause) {
        return Promise.reject(unavailable(cause));
      }
      // A live value answers at once; anything else (an expired envelope to remove, an odd value, a
      // key unstorage would rewrite) takes the general path.
      if (value === ask || value instanceof Error) return get<T>(key);
      if (native || !isEnvelope(value)) return Promise.resolve((value ?? null) as T | null);
      return value["~exp"] > now() ? Promise.resolve((value["~v"] ?? null) as T | null) : get<T>(key);
    },
    set: (key, value, ttl) =>
      guard(() => {
        if (!ttl) return storage.setItem(key, value as never);
        const seconds = Math.max(60, Math.ceil(ttl));
        if (native) return storage.setItem(key, value as never, { ttl: seconds });
        const wrapped: Envelope = { "~exp": now() + Math.max(1000, Math.ceil(ttl * 1000)), "~v": value };
        return storage.setItem(key, wrapped as never);
      }),
    remove: (key) => guard(() => storage.removeItem(key)),
    keys: (prefix) => guard(() => storage.getKeys(prefix)),
  };

  const redis = root?.name === "redis" ? root.getInstance?.() : undefined;
  if (redis && typeof (redis as { set?: unknown }).set === "function") {
    const client = redis as {
      set(key: string, value: string, px: "PX", ms: number, nx: "NX"): Promise<string | null>;
      del(key: string): Promise<number>;
    };
    const base = (root?.options?.base ?? "").replace(/:$/, "");
    const full = (key: string) => (base ? `${base}:${key}` : key);
    store.lock = (key, ms) => guard(async () => (await client.set(full(key), "1", "PX", ms, "NX")) === "OK");
    store.unlock = (key) => guard(async () => void (await client.del(full(key))));
  }
  return store;
}
