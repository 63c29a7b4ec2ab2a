/**
 * @module
 * Deno: `Deno.serve(warrant.handler)` works as written; this module adds users and sessions in Deno KV
 * (unstorage's `deno-kv` driver), atomic counters there for the rate limits, and a router that puts the
 * application behind the warrant.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * import { denoKvStorage } from "@warrant/cognito/adapters/deno";
 *
 * const warrant = createWarrant({
 *   userPoolId: Deno.env.get("USER_POOL_ID")!,
 *   clientId: Deno.env.get("CLIENT_ID")!,
 *   secret: Deno.env.get("WARRANT_SECRET")!,
 *   storage: denoKvStorage(),
 * });
 * Deno.serve(warrant.handler);
 * ```
 */
import { createStorage, type Storage } from "unstorage";
import denoKV from "unstorage/drivers/deno-kv";
import type { Counters, Hit } from "../src/counters.ts";
import { setClientAddress } from "../src/http/client-address.ts";
import type { Warrant } from "../src/mod.ts";

/**
 * Options of {@link denoKvStorage}.
 *
 * @example
 * ```ts
 * const options: DenoKvStorageOptions = { path: "./warrant.kv", prefix: "warrant" };
 * ```
 */
export interface DenoKvStorageOptions {
  /** Where the database lives, as `Deno.openKv(path)` takes it. @default Deno's default database (Deno Deploy: the project's KV) */
  path?: string;
  /** Key prefix, to share a database with other data. @default none */
  prefix?: string;
  /** Opens the database yourself (an existing `Deno.Kv`, or one from `@deno/kv`). @default `Deno.openKv(path)` */
  openKv?: () => Promise<unknown>;
}

/**
 * An unstorage `Storage` over Deno KV. The database opens on first use, not here, so building a warrant
 * still touches nothing. Outside Deno Deploy run with `--unstable-kv`.
 *
 * @example
 * ```ts
 * const storage = denoKvStorage({ path: "./warrant.kv" });
 * const warrant = createWarrant({ userPoolId, clientId, secret, storage });
 * ```
 */
export function denoKvStorage(options: DenoKvStorageOptions = {}): Storage {
  return createStorage({
    driver: denoKV({
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.prefix === undefined ? {} : { base: options.prefix }),
      ...(options.openKv === undefined ? {} : { openKv: options.openKv as never }),
    }),
  });
}

/**
 * A `Deno.serve` handler that sends requests under the warrant's `basePath` to the warrant and every
 * other request to `app`, with Deno's connection info passed through.
 *
 * @example
 * ```ts
 * Deno.serve(route(warrant, warrant.protect((request, { user }) => new Response(`Hello ${user.username}`))));
 * ```
 */
export function route<Info>(
  warrant: Warrant,
  app: (request: Request, info: Info) => Response | Promise<Response>,
): (request: Request, info: Info) => Promise<Response> {
  const base = warrant.config.basePath;
  return async (request, info) => {
    const { pathname } = new URL(request.url);
    if (base === "" || pathname === base || pathname.startsWith(`${base}/`)) {
      // The TCP peer, for the per-address rate limit (Deno's `info.remoteAddr`).
      const peer = (info as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname;
      return warrant.handler(setClientAddress(request, peer));
    }
    return app(request, info);
  };
}

/**
 * The part of a `Deno.Kv` {@link denoKvCounters} uses. A real `Deno.Kv` (or `@deno/kv`) fits it.
 *
 * @example
 * ```ts
 * const kv: DenoKvLike = await Deno.openKv();
 * ```
 */
export interface DenoKvLike {
  get(key: readonly unknown[]): Promise<{ value: unknown; versionstamp: string | null }>;
  atomic(): {
    check(entry: { key: readonly unknown[]; versionstamp: string | null }): unknown;
    set(key: readonly unknown[], value: unknown, options?: { expireIn?: number }): unknown;
    delete(key: readonly unknown[]): unknown;
    commit(): Promise<{ ok: boolean }>;
  };
}

/**
 * Options of {@link denoKvCounters}.
 *
 * @example
 * ```ts
 * const options: DenoKvCountersOptions = { path: "./warrant.kv", prefix: "warrant" };
 * ```
 */
export interface DenoKvCountersOptions {
  /** Where the database lives, as `Deno.openKv(path)` takes it. @default Deno's default database */
  path?: string;
  /** Key prefix (the first key part). @default "warrant-counters" */
  prefix?: string;
  /** Opens the database yourself. @default `Deno.openKv(path)` */
  openKv?: () => Promise<DenoKvLike>;
}

/**
 * Atomic counters in Deno KV, shared by every instance on that database (Deno Deploy: every region).
 * Each hit is one versionstamp-checked write, retried when another instance's hit came first, so no
 * two hits see one count (hits from one instance on one key queue up, so a burst does not contend). Not `sum`: a sum drops the key's expiry, and counters must go when their window ends
 * (KV deletes expired keys lazily, so the window's end is also checked on read).
 *
 * @example
 * ```ts
 * const warrant = createWarrant({ ...options, storage: denoKvStorage(), counters: denoKvCounters() });
 * ```
 */
export function denoKvCounters(options: DenoKvCountersOptions = {}): Counters {
  const prefix = options.prefix ?? "warrant-counters";
  let opened: Promise<DenoKvLike> | undefined;
  const kv = () =>
    (opened ??= options.openKv
      ? options.openKv()
      : (globalThis as unknown as { Deno: { openKv(path?: string): Promise<DenoKvLike> } }).Deno.openKv(
          options.path,
        ));
  // Hits on one key from this instance go one after another, so only other instances contend.
  const queues = new Map<string, Promise<unknown>>();
  const update = (key: string, change: (live: Hit | undefined, now: number) => Hit | undefined) => {
    const run = (queues.get(key) ?? Promise.resolve()).then(() => checkedWrite(key, change));
    const tail = run.catch(() => {});
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  };
  // Change one counter with a checked write until no other write came in between.
  const checkedWrite = async (
    key: string,
    change: (live: Hit | undefined, now: number) => Hit | undefined,
  ) => {
    const db = await kv();
    const k = [prefix, key];
    for (let round = 0; ; round++) {
      const entry = await db.get(k);
      const now = Date.now();
      const stored = entry.value as Hit | null;
      const live = stored && stored.resetAt > now ? stored : undefined;
      const next = change(live, now);
      if (!next) return live;
      const op = db.atomic();
      op.check({ key: k, versionstamp: entry.versionstamp });
      op.set(k, next, { expireIn: Math.max(1, next.resetAt - now) });
      if ((await op.commit()).ok) return next;
      // Contended: a short random pause spreads the retries of a burst.
      if (round > 2) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, round * 2)));
    }
  };
  return {
    async hit(key, windowMs) {
      return (await update(key, (live, now) => ({
        count: (live?.count ?? 0) + 1,
        resetAt: live?.resetAt ?? now + windowMs,
      }))) as Hit;
    },
    async release(key) {
      await update(key, (live) => (live && live.count > 0 ? { ...live, count: live.count - 1 } : undefined));
    },
    async reset(key) {
      const op = (await kv()).atomic();
      op.delete([prefix, key]);
      await op.commit();
    },
  };
}
