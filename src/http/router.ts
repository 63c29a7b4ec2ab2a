/**
 * @module
 * The router: a table of paths (with `:param` segments) to methods, under `basePath`. Paths are
 * normalised first (repeated slashes collapsed, a trailing slash dropped), so `//login` and `/login/`
 * are one route and one rate-limit key; HEAD is served as GET; a known path with another method is a
 * 405 with `Allow`; anything else is a plain 404, so an app can fall through to its own routes. One
 * error boundary turns whatever a route throws into an answer: a guard's Refusal as it is, a body error
 * as 400/413/415, an outage as 503 (a throttle as 429) with Retry-After, anything else as a generic 500.
 */
import { WarrantError } from "../errors.ts";
import { BodyError } from "./body.ts";
import { type Ctx, createContext, fail, type GuardDeps, type RouteDeps } from "./context.ts";
import { Refusal } from "./guards.ts";

/** A route handler. */
export type Route = (ctx: Ctx) => Promise<Response>;

/** The methods of one path. */
export type Methods = Partial<Record<"GET" | "POST", Route>>;

/** A route group: paths under `basePath` (e.g. `/login`, `/admin/users/:username`) to their methods. */
export type Routes = Record<string, Methods>;

/** True when `pathname` is `basePath` or under it. */
export function underBase(pathname: string, basePath: string): boolean {
  return basePath === "" || pathname === basePath || pathname.startsWith(`${basePath}/`);
}

/** Collapses repeated slashes, so `//login` and `/login` are one path. */
export function normalisePath(pathname: string): string {
  return pathname.replace(/\/{2,}/g, "/");
}

interface Pattern {
  regex: RegExp;
  names: string[];
  methods: Methods;
}

const plainNotFound = () =>
  new Response("Not Found", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });

/** Turns whatever a route threw into a response. */
export function errorBoundary(ctx: Ctx, deps: GuardDeps, error: unknown): Response {
  if (error instanceof Refusal) return error.response;
  if (error instanceof BodyError) {
    return fail(
      ctx,
      deps,
      error.status,
      error.status === 413 ? deps.text["error.tooLarge"] : deps.text["error.badRequest"],
    );
  }
  deps.onError(error, ctx.requestId);
  if (error instanceof WarrantError && (error.status === 503 || error.status === 429)) {
    return fail(ctx, deps, error.status, deps.text["error.unavailable"], { headers: { "retry-after": "5" } });
  }
  return fail(ctx, deps, 500, deps.text["error.title"]);
}

/** Builds the `(Request) => Promise<Response>` over a route table. */
export function createRouter(deps: RouteDeps, routes: Routes): (request: Request) => Promise<Response> {
  const base = deps.config.basePath;
  const exact = new Map<string, Methods>();
  const patterns: Pattern[] = [];
  for (const [path, methods] of Object.entries(routes)) {
    if (!path.includes("/:")) {
      exact.set(path, methods);
      continue;
    }
    const names: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(segment.slice(1));
        return "([^/]+)";
      })
      .join("/");
    patterns.push({ regex: new RegExp(`^${source}$`), names, methods });
  }

  const match = (path: string): { methods: Methods; params: Record<string, string> } | undefined => {
    const methods = exact.get(path);
    if (methods) return { methods, params: {} };
    for (const pattern of patterns) {
      const found = pattern.regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      try {
        pattern.names.forEach((name, i) => {
          params[name] = decodeURIComponent(found[i + 1]!);
        });
      } catch {
        return undefined;
      }
      return { methods: pattern.methods, params };
    }
    return undefined;
  };

  return async (request) => {
    const url = new URL(request.url);
    const pathname = normalisePath(url.pathname);
    if (!underBase(pathname, base)) return plainNotFound();
    const path = pathname.slice(base.length).replace(/\/$/, "") || "/";
    const found = match(path);
    if (!found) return plainNotFound();
    const ctx = createContext(request, deps, found.params, url);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const run = found.methods[method as "GET" | "POST"];
    if (!run) {
      return fail(ctx, deps, 405, deps.text["error.methodNotAllowed"], {
        headers: { allow: Object.keys(found.methods).join(", ") },
      });
    }
    try {
      return await run(ctx);
    } catch (error) {
      return errorBoundary(ctx, deps, error);
    }
  };
}
