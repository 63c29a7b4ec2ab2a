/**
 * @module
 * The default store: an unstorage driver that keeps values in this process's memory, honours each
 * value's TTL (an expired key is gone when read, listed or swept) and holds at most `maxKeys` keys
 * (past that, expired keys are swept and then the least recently written are dropped). It is per
 * process: two instances, or a restart, do not share it. Use Redis, Cloudflare KV or Deno KV for more
 * than one instance.
 *
 * @example
 * ```ts
 * import { createWarrant, memoryStorage } from "@warrant/cognito";
 * const warrant = createWarrant({ ...options, storage: memoryStorage({ maxKeys: 50_000 }) });
 * ```
 */
import { createStorage, type Driver, type Storage } from "unstorage";

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /** Most keys held at once. @default 10000 */
  maxKeys?: number;
  /** The clock TTLs are measured with (ms). @default Date.now */
  now?: () => number;
}

/** The default bound of {@link memoryStorage}. */
export const defaultMaxKeys = 10_000;

interface Entry {
  value: unknown;
  /** ms; `Infinity` when the value was written without a TTL. */
  expires: number;
}

/** The bounded, expiring in-process driver behind {@link memoryStorage}. */
export function memoryDriver(options: MemoryStorageOptions = {}): Driver {
  const max = Math.max(1, options.maxKeys ?? defaultMaxKeys);
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order; a write deletes first, so the first key is the least recently written.
  const data = new Map<string, Entry>();
  let writesSinceSweep = 0;
  const sweep = () => {
    writesSinceSweep = 0;
    const t = now();
    for (const [key, entry] of data) if (entry.expires <= t) data.delete(key);
  };
  const live = (key: string) => {
    const entry = data.get(key);
    if (entry && entry.expires <= now()) {
      data.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: unknown, ttl: unknown) => {
    data.delete(key);
    const seconds = typeof ttl === "number" && ttl > 0 ? ttl : 0;
    data.set(key, { value, expires: seconds ? now() + seconds * 1000 : Number.POSITIVE_INFINITY });
    writesSinceSweep++;
    if (data.size <= max) return;
    // A sweep is a pass over every key: at most once per max/8 writes, so a full store stays O(1) a write.
    if (writesSinceSweep >= max / 8) sweep();
    while (data.size > max) data.delete(data.keys().next().value as string);
  };
  return {
    name: "warrant-memory",
    options: { maxKeys: max },
    getInstance: () => data,
    hasItem: (key) => live(key) !== undefined,
    getItem: (key) => live(key)?.value ?? null,
    getItemRaw: (key) => live(key)?.value ?? null,
    setItem: (key, value, opts) => put(key, value, opts?.ttl),
    setItemRaw: (key, value, opts) => put(key, value, opts?.ttl),
    removeItem: (key) => {
      data.delete(key);
    },
    getKeys: () => {
      sweep();
      return [...data.keys()];
    },
    clear: () => data.clear(),
    dispose: () => data.clear(),
  };
}

/** An unstorage `Storage` over {@link memoryDriver}: the store `createWarrant` uses when given none. */
export function memoryStorage(options: MemoryStorageOptions = {}): Storage {
  return createStorage({ driver: memoryDriver(options) });
}
