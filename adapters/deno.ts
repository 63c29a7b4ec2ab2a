/**
 * @module
 * Deno: `Deno.serve(warrant.handler)` works as written; this module adds users and sessions in Deno KV
 * (unstorage's `deno-kv` driver) and a router that puts the application behind the warrant.
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
      return warrant.handler(request);
    }
    return app(request, info);
  };
}
