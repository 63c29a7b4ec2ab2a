/**
 * @module
 * The cross-origin check on every state-changing request (SECURITY.md R1), in the manner of Go's
 * `http.CrossOriginProtection`: `Sec-Fetch-Site` decides when a browser sends it; else `Origin` must be
 * allowed; a request with neither is not from a browser (browsers send one of them on every
 * cross-origin POST) and passes.
 */

/** The origins a request may come from: the configured ones, else the request URL's own. */
export function allowedOrigins(
  request: Request,
  configured: readonly string[] | undefined,
): readonly string[] {
  return configured ?? [new URL(request.url).origin];
}

/**
 * True when a state-changing request may proceed.
 *
 * @example
 * ```ts
 * if (!sameOriginRequest(request, ["https://app.example.com"])) return new Response(null, { status: 403 });
 * ```
 */
export function sameOriginRequest(request: Request, allowed: readonly string[]): boolean {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site !== null) {
    if (site === "same-origin" || site === "none") return true;
    return origin !== null && allowed.includes(origin);
  }
  if (origin === null) return true;
  return allowed.includes(origin);
}

/** True for an origin on this machine only: `localhost`, `127.0.0.0/8`, `[::1]`. */
export function isLoopback(origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return false;
  }
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Warns once (SECURITY.md E6) when the in-memory store serves an origin other than this machine: its
 * sessions live in one process, end at every restart and are not shared by a second instance. Call it
 * with each origin seen (the configured ones, then each request's).
 */
export function memoryStoreWarning(warn: (message: string) => void): (origin: string) => void {
  let warned = false;
  return (origin) => {
    if (warned || isLoopback(origin)) return;
    warned = true;
    warn(
      `warrant: the in-memory store is serving ${origin}: sessions live in this process only, end at every restart and are not shared between instances; pass options.storage (Redis, Cloudflare KV, …)`,
    );
  };
}
