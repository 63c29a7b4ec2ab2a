/**
 * @module
 * Where a request came from, for the per-address rate limit. Only what the client cannot choose: the
 * address the server saw (an adapter hands it over with {@link setClientAddress}), a header the
 * platform sets whole (`CF-Connecting-IP`), or the entry a trusted proxy appended to `X-Forwarded-For`
 * (`trustProxy: { hops }`). Never the first `X-Forwarded-For` entry: that one the client wrote itself.
 */
import type { RateLimitOptions } from "../options.ts";

const seen = new WeakMap<Request, string>();

/**
 * An adapter's own `Request` class may answer the peer's address itself, under this key, instead of
 * {@link setClientAddress}: asked only when the rate limit needs it, so a request that never meets the
 * limit costs nothing (adapters/node.ts's lazy request does).
 */
export const peerAddress: unique symbol = Symbol.for("warrant.peerAddress");

/**
 * Tells the warrant the address the server saw this request come from (the TCP peer). The adapters
 * do it (`adapters/node`, `bun`'s and `deno`'s `route`, `cloudflare`'s `CF-Connecting-IP`); a server
 * of your own may call it before `warrant.handler(request)`. Returns the request.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (request, server) => warrant.handler(setClientAddress(request, server.requestIP(request)?.address)) });
 * ```
 */
export function setClientAddress(request: Request, address: string | null | undefined): Request {
  if (typeof address === "string" && address.length > 0 && address.length <= 64) seen.set(request, address);
  return request;
}

/** The address an adapter handed over for this request, if any. */
export function remoteAddress(request: Request): string | undefined {
  const known = seen.get(request);
  if (known !== undefined) return known;
  const address = (request as { [peerAddress]?: () => string | undefined })[peerAddress]?.();
  return typeof address === "string" && address.length > 0 && address.length <= 64 ? address : undefined;
}

const entries = (value: string | null): string[] =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The client's address under the rate-limit options, or undefined when nothing trustworthy names one. */
export function clientAddress(
  request: Request,
  options: Pick<RateLimitOptions, "clientAddressHeader" | "trustProxy">,
): string | undefined {
  let address: string | undefined;
  if (options.clientAddressHeader) {
    // A platform's header holds one address; a list keeps only what the nearest proxy appended.
    address = entries(request.headers.get(options.clientAddressHeader)).at(-1);
  } else if (options.trustProxy) {
    const list = entries(request.headers.get(options.trustProxy.header ?? "x-forwarded-for"));
    // The nearest proxy appended the last entry, the one before it the one before that: `hops` from
    // the right is the address the outermost of your proxies saw. A shorter list was written by your
    // proxies alone (the client sent none), so its first entry is theirs too.
    address = list.length ? list[Math.max(0, list.length - options.trustProxy.hops)] : remoteAddress(request);
  } else address = remoteAddress(request);
  return address && address.length <= 64 ? address.toLowerCase() : undefined;
}
