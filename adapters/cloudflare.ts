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
import { createWarrant, type Warrant, type WarrantOptions } from "../src/mod.ts";

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
export type WorkerOptions = Omit<WarrantOptions, "storage"> &
  (
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
export type WorkerApp<Env> = (
  request: Request,
  context: { env: Env; ctx: ExecutionContextLike; warrant: Warrant },
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
export function defineWorker<Env extends object>(
  configure: (env: Env) => WorkerOptions,
  app?: WorkerApp<Env>,
): Worker<Env> {
  // Keyed by the env object: workerd hands the same one to every request of an isolate, and a new one
  // (new bindings or variables) after a redeploy, which then gets its own warrant.
  const built = new WeakMap<Env, Warrant>();
  const warrantFor = (env: Env): Warrant => {
    let warrant = built.get(env);
    if (!warrant) {
      const { kv, kvPrefix, storage, ...options } = configure(env);
      const binding = typeof kv === "string" ? (env as Record<string, unknown>)[kv] : kv;
      if (kv !== undefined && !isKV(binding)) {
        throw new TypeError(
          `warrant: options.kv must be a KV namespace binding${typeof kv === "string" ? ` (env.${kv} is not one)` : ""}`,
        );
      }
      if (!storage && !binding) throw new TypeError("warrant: options.kv or options.storage is required");
      warrant = createWarrant({
        ...options,
        storage: storage ?? kvStorage(binding as KVNamespaceLike, kvPrefix),
      });
      built.set(env, warrant);
    }
    return warrant;
  };
  return {
    async fetch(request, env, ctx) {
      const warrant = warrantFor(env);
      if (app && !underBase(new URL(request.url).pathname, warrant.config.basePath)) {
        return app(request, { env, ctx, warrant });
      }
      return warrant.handler(request);
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
