/**
 * @module
 * Bun: `Bun.serve({ fetch: warrant.handler })` works as written; this module adds a router that puts
 * the application behind the warrant and passes Bun's `server` through to it.
 *
 * The types here are Web types and a generic for Bun's server, not `bun-types` imports, so the same
 * file publishes to JSR and compiles without Bun's types; test/types/bun.ts checks that the result
 * fits `Bun.serve` under `bun-types`.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * import { route } from "@warrant/cognito/adapters/bun";
 *
 * const warrant = createWarrant({ userPoolId: Bun.env.USER_POOL_ID!, clientId: Bun.env.CLIENT_ID!, secret: Bun.env.WARRANT_SECRET! });
 * Bun.serve({
 *   port: 3000,
 *   fetch: route(warrant, (request, server) => new Response(`Hello ${server.requestIP(request)?.address}`)),
 * });
 * ```
 */
import { setClientAddress } from "../src/http/client-address.ts";
import type { Warrant } from "../src/mod.ts";

// Bun's node:crypto computes SRP's powers in BoringSSL, about twice as fast as BigInt there: pass it as
// the `modPow` option (see adapters/node-crypto.ts).
export { modPow } from "./node-crypto.ts";

/**
 * The part of Bun's `Server` that `app` sees when TypeScript cannot infer Bun's own type (inside
 * `Bun.serve({ fetch: route(...) })` it cannot: `Bun.serve` is generic). Bun's `Server` fits it; to
 * use the rest (`upgrade` for WebSockets, …), name the type: `route<Bun.Server<MyData>>(warrant, app)`.
 *
 * @example
 * ```ts
 * const ip = (request: Request, server: BunServer) => server.requestIP(request)?.address;
 * ```
 */
export interface BunServer {
  readonly url: URL;
  readonly port: number | undefined;
  readonly hostname: string | undefined;
  readonly pendingRequests: number;
  requestIP(request: Request): { address: string; family: string; port: number } | null;
  timeout(request: Request, seconds: number): void;
  publish(topic: string, data: string, compress?: boolean): number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/**
 * A `Bun.serve` `fetch` that sends requests under the warrant's `basePath` to the warrant and every
 * other request to `app`, with Bun's `server` passed through.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: route(warrant, warrant.protect((request, { user }) => new Response(`Hello ${user.username}`))) });
 * ```
 */
export function route<Server = BunServer>(
  warrant: Warrant,
  app: (request: Request, server: Server) => Response | Promise<Response>,
): (request: Request, server: Server) => Promise<Response> {
  const base = warrant.config.basePath;
  return async (request, server) => {
    const { pathname } = new URL(request.url);
    if (base === "" || pathname === base || pathname.startsWith(`${base}/`)) {
      // The TCP peer, for the per-address rate limit (Bun's `server.requestIP`).
      const peer = (server as { requestIP?: (r: Request) => { address?: string } | null }).requestIP?.(
        request,
      );
      return warrant.handler(setClientAddress(request, peer?.address));
    }
    return app(request, server);
  };
}

/** The part of Bun's global that {@link sha256Hex} uses. */
interface BunHasher {
  SHA256: { hash(input: string, encoding: "hex"): string };
}

/**
 * The lowercase hex SHA-256 of a string's UTF-8 bytes in Bun's native hasher, for the `sha256Hex`
 * option: the session check's one hash per request, about 0.2 µs here where the library's JavaScript
 * SHA-256 takes 1-2 µs (bench/bun). Throws a TypeError outside Bun, which `createWarrant` reports as an
 * invalid `options.sha256Hex`.
 *
 * @example
 * ```ts
 * import { modPow, sha256Hex } from "@warrant/cognito/adapters/bun";
 *
 * const fast = createWarrant({
 *   userPoolId: Bun.env.COGNITO_USER_POOL_ID!,
 *   clientId: Bun.env.COGNITO_CLIENT_ID!,
 *   secret: Bun.env.WARRANT_SECRET!,
 *   modPow,
 *   sha256Hex,
 * });
 * ```
 */
export function sha256Hex(text: string): string {
  const bun = (globalThis as { Bun?: BunHasher }).Bun;
  if (!bun) throw new TypeError("adapters/bun: sha256Hex needs Bun");
  return bun.SHA256.hash(text, "hex");
}
