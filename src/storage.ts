/**
 * @module
 * The library's view of the caller's unstorage `Storage`: every call has a deadline, and every
 * failure becomes `WarrantError("storage_unavailable")`, so an outage is never mistaken for "no session".
 */
import type { Storage } from "unstorage";
import { WarrantError } from "./errors.ts";

/** What the library needs from storage. */
export interface Store {
  get<T>(key: string): Promise<T | null>;
  /** `ttl` in seconds is a hint for drivers that expire keys (Redis, KV); expiry is also checked on read. */
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Wraps an unstorage `Storage` with a deadline (ms) per call. */
export function createStore(storage: Storage, timeout: number): Store {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`storage did not answer within ${timeout} ms`)), timeout);
    });
    try {
      return await Promise.race([work(), deadline]);
    } catch (cause) {
      throw new WarrantError("storage_unavailable", "the session store is unavailable", { cause });
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    get: <T>(key: string) =>
      guard(async () => {
        const value = await storage.getItem(key);
        // unstorage's fs driver resolves a read error other than ENOENT (ENOTDIR, EACCES) as the value
        // instead of rejecting: an outage must not read as "some record".
        if (value instanceof Error) throw value;
        return (value as T | null) ?? null;
      }),
    set: (key, value, ttl) =>
      guard(() =>
        storage.setItem(key, value as never, ttl ? { ttl: Math.max(60, Math.ceil(ttl)) } : undefined),
      ),
    remove: (key) => guard(() => storage.removeItem(key)),
  };
}
