/**
 * @module
 * Cloudflare Workers: `defineWorker((env) => options)` gives the `{ fetch }` a module Worker exports,
 * with users and sessions in a KV namespace. Web-standard only, so it runs in workerd without
 * `nodejs_compat`.
 *
 * @example
 * ```ts
 * import { defineWorker } from "@warrant/cognito/adapters/cloudflare";
 *
 * export default defineWorker((env: { SESSIONS: KVNamespace; USER_POOL_ID: string; CLIENT_ID: string; SECRET: string }) => ({
 *   userPoolId: env.USER_POOL_ID,
 *   clientId: env.CLIENT_ID,
 *   secret: env.SECRET,
 *   kv: env.SESSIONS,
 * }));
 * ```
 */
import { createStorage, type Storage } from "unstorage";
import cloudflareKVBinding from "unstorage/drivers/cloudflare-kv-binding";
import type { Counters, Hit } from "../src/counters.ts";
import { setClientAddress } from "../src/http/client-address.ts";
import {
  createWarrant,
  type DefaultAttributeMapping,
  type ObjectSchema,
  type SessionUser,
  type Warrant,
  type WarrantOptions,
  type WarrantUser,
} from "../src/mod.ts";

/**
 * The part of a Workers KV namespace binding the storage uses. Declared here rather than taken from
 * `@cloudflare/workers-types` so the package needs no Cloudflare types to compile; a real
 * `KVNamespace` fits it.
 *
 * @example
 * ```ts
 * const kv: KVNamespaceLike = env.SESSIONS;
 * ```
 */
export interface KVNamespaceLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string }): Promise<unknown>;
}

/**
 * The part of a Worker's `ExecutionContext` the adapter passes on.
 *
 * @example
 * ```ts
 * const worker = defineWorker(configure);
 * await worker.fetch(request, env, { waitUntil() {}, passThroughOnException() {} });
 * ```
 */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

/**
 * Options of {@link defineWorker}: the warrant's options, with the store given either as a KV namespace
 * (the binding, or its name in `env`) or as any unstorage `Storage`. One of the two is required:
 * the in-memory default would lose every session whenever Cloudflare moves a request to another isolate.
 *
 * @example
 * ```ts
 * const options: WorkerOptions = { userPoolId, clientId, secret, kv: "SESSIONS", kvPrefix: "warrant" };
 * ```
 */
export type WorkerOptions<
  M extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
  S extends ObjectSchema | undefined = ObjectSchema | undefined,
> = Omit<WarrantOptions<M, S>, "storage" | "counters"> & {
  /**
   * Atomic counters for rate limits and challenge attempts: a Durable Object namespace bound to
   * {@link WarrantCounters} (the binding, or its name in `env`), or any `Counters`. KV cannot count:
   * without this, each isolate counts on its own. @default none (counters of the isolate, with a warning)
   */
  counters?: DurableObjectNamespaceLike | Counters | string;
} & (
    | {
        /** The KV namespace binding for users, sessions and challenges, or its name in `env`. */
        kv: KVNamespaceLike | string;
        /** A prefix for every key, to share a namespace with other data. @default none */
        kvPrefix?: string;
        storage?: never;
      }
    | { storage: Storage; kv?: never; kvPrefix?: never }
  );

/**
 * The application behind the warrant: gets every request outside `basePath`.
 *
 * @example
 * ```ts
 * const app: WorkerApp<Env> = (request, { warrant }) => new Response("hello");
 * ```
 */
export type WorkerApp<Env, U = SessionUser> = (
  request: Request,
  context: { env: Env; ctx: ExecutionContextLike; warrant: Warrant<U> },
) => Response | Promise<Response>;

/**
 * A module Worker: what `export default` takes.
 *
 * @example
 * ```ts
 * const worker: Worker<Env> = defineWorker(configure);
 * ```
 */
export interface Worker<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response>;
}

/**
 * An unstorage `Storage` over a KV namespace binding (unstorage's `cloudflare-kv-binding` driver).
 * KV is eventually consistent across locations: a logout reaches other locations within about a minute.
 *
 * @example
 * ```ts
 * const storage = kvStorage(env.SESSIONS, "warrant");
 * ```
 */
export function kvStorage(binding: KVNamespaceLike, prefix?: string): Storage {
  // The binding object itself, never a name: the driver resolves names through globalThis, which
  // module Workers do not populate.
  return createStorage({
    driver: cloudflareKVBinding({ binding: binding as never, ...(prefix ? { base: prefix } : {}) }),
  });
}

/**
 * Defines a module Worker. `configure` runs once per isolate and `env`, so the options are validated and
 * the Cognito client built once, not per request. Requests under `basePath` go to the warrant's
 * handler, the rest to `app` (without one they get the handler's 404).
 *
 * @example
 * ```ts
 * import { defineWorker } from "@warrant/cognito/adapters/cloudflare";
 *
 * export default defineWorker(
 *   (env: Env) => ({ userPoolId: env.USER_POOL_ID, clientId: env.CLIENT_ID, secret: env.SECRET, kv: env.SESSIONS }),
 *   async (request, { warrant }) => {
 *     const session = await warrant.getSession(request);
 *     return new Response(session ? `Hello ${session.user.username}` : "Hello stranger");
 *   },
 * );
 * ```
 */
export function defineWorker<
  Env extends object,
  const M extends Readonly<Record<string, string>> = DefaultAttributeMapping,
  S extends ObjectSchema | undefined = undefined,
>(configure: (env: Env) => WorkerOptions<M, S>, app?: WorkerApp<Env, WarrantUser<M, S>>): Worker<Env> {
  // Keyed by the env object: workerd hands the same one to every request of an isolate, and a new one
  // (new bindings or variables) after a redeploy, which then gets its own warrant.
  const built = new WeakMap<Env, Warrant>();
  const warrantFor = (env: Env): Warrant => {
    let warrant = built.get(env);
    if (!warrant) {
      const { kv, kvPrefix, storage, counters, ...options } = configure(env) as WorkerOptions;
      const binding = typeof kv === "string" ? (env as Record<string, unknown>)[kv] : kv;
      if (kv !== undefined && !isKV(binding)) {
        throw new TypeError(
          `warrant: options.kv must be a KV namespace binding${typeof kv === "string" ? ` (env.${kv} is not one)` : ""}`,
        );
      }
      if (!storage && !binding) throw new TypeError("warrant: options.kv or options.storage is required");
      const namespace = typeof counters === "string" ? (env as Record<string, unknown>)[counters] : counters;
      if (counters !== undefined && !isNamespace(namespace) && !isCounters(namespace)) {
        throw new TypeError(
          `warrant: options.counters must be a Durable Object namespace binding or counters${typeof counters === "string" ? ` (env.${counters} is not one)` : ""}`,
        );
      }
      warrant = createWarrant({
        ...options,
        storage: storage ?? kvStorage(binding as KVNamespaceLike, kvPrefix),
        ...(namespace === undefined
          ? {}
          : {
              counters: isCounters(namespace)
                ? namespace
                : durableObjectCounters(namespace as DurableObjectNamespaceLike, kvPrefix),
            }),
      });
      built.set(env, warrant);
    }
    return warrant;
  };
  return {
    async fetch(request, env, ctx) {
      const warrant = warrantFor(env);
      if (app && !underBase(new URL(request.url).pathname, warrant.config.basePath)) {
        // Typed as createWarrant types the options' users (a view of the same warrant).
        return app(request, { env, ctx, warrant: warrant as unknown as Warrant<WarrantUser<M, S>> });
      }
      // Cloudflare sets CF-Connecting-IP itself, whatever the client sent: the per-address limit's address.
      return warrant.handler(setClientAddress(request, request.headers.get("cf-connecting-ip")));
    },
  };
}

function isKV(value: unknown): value is KVNamespaceLike {
  const kv = value as KVNamespaceLike;
  return (
    typeof kv === "object" && kv !== null && typeof kv.get === "function" && typeof kv.put === "function"
  );
}

function underBase(pathname: string, basePath: string): boolean {
  return basePath === "" || pathname === basePath || pathname.startsWith(`${basePath}/`);
}

function isNamespace(value: unknown): value is DurableObjectNamespaceLike {
  const ns = value as DurableObjectNamespaceLike;
  return (
    typeof ns === "object" &&
    ns !== null &&
    typeof ns.idFromName === "function" &&
    typeof ns.get === "function"
  );
}

function isCounters(value: unknown): value is Counters {
  const c = value as Counters;
  return (
    typeof c === "object" && c !== null && typeof c.hit === "function" && typeof c.release === "function"
  );
}

/**
 * The part of a Durable Object namespace binding {@link durableObjectCounters} uses. A real
 * `DurableObjectNamespace` fits it.
 *
 * @example
 * ```ts
 * const namespace: DurableObjectNamespaceLike = env.WARRANT_COUNTERS;
 * ```
 */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/**
 * The part of a Durable Object's state {@link WarrantCounters} uses. A real `DurableObjectState` fits it.
 *
 * @example
 * ```ts
 * const state: DurableObjectStateLike = ctx;
 * ```
 */
export interface DurableObjectStateLike {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put(key: string, value: unknown): Promise<void>;
    deleteAll(): Promise<void>;
    setAlarm(time: number): Promise<void>;
  };
}

/**
 * The Durable Object behind {@link durableObjectCounters}: one object per counter, so every hit on a
 * counter runs in one place, one at a time (a Durable Object's input gate holds other requests while
 * it reads and writes its storage). An alarm at the window's end deletes it, so nothing stays.
 * Export it from your Worker and bind it (wrangler: `durable_objects.bindings` and a `new_sqlite_classes`
 * migration).
 *
 * @example
 * ```ts
 * export { WarrantCounters } from "@warrant/cognito/adapters/cloudflare";
 * export default defineWorker((env) => ({ ...options, kv: env.SESSIONS, counters: "WARRANT_COUNTERS" }));
 * ```
 */
export class WarrantCounters {
  #state: DurableObjectStateLike;
  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#state = state;
  }

  /** `POST /hit {windowMs}`, `/release`, `/reset`: the counter's answer as JSON. */
  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname;
    // The body first: reading it lets other requests in, which storage calls do not (the input gate),
    // so from the read of the counter to its write nothing else runs.
    const { windowMs = 0 } = (await request.json()) as { windowMs?: number };
    const storage = this.#state.storage;
    const now = Date.now();
    const live = await storage.get<Hit>("counter").then((c) => (c && c.resetAt > now ? c : undefined));
    if (op === "/hit") {
      const next = { count: (live?.count ?? 0) + 1, resetAt: live?.resetAt ?? now + windowMs };
      await storage.put("counter", next);
      if (!live) await storage.setAlarm(next.resetAt);
      return Response.json(next);
    }
    if (op === "/release") {
      if (live && live.count > 0) await storage.put("counter", { ...live, count: live.count - 1 });
      return Response.json({});
    }
    if (op === "/reset") {
      await storage.deleteAll();
      return Response.json({});
    }
    return new Response(null, { status: 404 });
  }

  /** The window ended: the counter is gone. */
  async alarm(): Promise<void> {
    await this.#state.storage.deleteAll();
  }
}

/**
 * Atomic counters in Durable Objects ({@link WarrantCounters}), one object per counter: KV is
 * eventually consistent and cannot count, so this is what shares rate limits and challenge attempts
 * across isolates and locations. (The Workers rate-limiting binding does not fit: its limit and a 10 or
 * 60 s period are fixed in wrangler's config, and it counts per Cloudflare location.)
 *
 * @example
 * ```ts
 * const warrant = createWarrant({ ...options, storage: kvStorage(env.SESSIONS), counters: durableObjectCounters(env.WARRANT_COUNTERS) });
 * ```
 */
export function durableObjectCounters(namespace: DurableObjectNamespaceLike, prefix = ""): Counters {
  const call = async (op: string, key: string, body: unknown = {}) => {
    const stub = namespace.get(namespace.idFromName(prefix ? `${prefix}:${key}` : key) as never);
    const response = await stub.fetch(`https://counters${op}`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`the counter answered ${response.status}`);
    return response.json() as Promise<Hit>;
  };
  return {
    hit: (key, windowMs) => call("/hit", key, { windowMs }),
    release: async (key) => void (await call("/release", key)),
    reset: async (key) => void (await call("/reset", key)),
  };
}
