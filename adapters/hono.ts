/**
 * @module
 * Hono: a middleware that answers everything under the warrant's `basePath` (the account pages and
 * the JSON API) and puts the request's `user` and `session` on `c.var` for every other route, and
 * `requireUser` for routes that need someone signed in. `user` and `session` are typed from the
 * warrant you pass, so a typed warrant gives typed users here too.
 *
 * Mount it before anything that reads a request body (a validator, `c.req.json()`): the warrant reads
 * the body of its own POSTs.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createWarrant } from "@warrant/cognito";
 * import { requireUser, warrantMiddleware } from "@warrant/cognito/adapters/hono";
 *
 * const warrant = createWarrant({ userPoolId, clientId, secret });
 * const app = new Hono()
 *   .use(warrantMiddleware(warrant))
 *   .get("/", (c) => c.text(c.var.user ? `Hello ${c.var.user.username}` : "Hello stranger"))
 *   .get("/me", requireUser(warrant), (c) => c.json({ username: c.var.user.username }));
 * export default app;
 * ```
 */
import type { MiddlewareHandler } from "hono";
import { WarrantError } from "../src/errors.ts";

/**
 * What the Hono helpers need of a warrant: any value `createWarrant` returns fits, whatever its user
 * type, and the helpers' types follow from it.
 */
export interface HonoWarrant {
  readonly config: { readonly basePath: string };
  readonly handler: (request: Request) => Promise<Response>;
  getSession(request: Request): Promise<{ readonly user: unknown } | null>;
  protect(
    handler: (request: Request, context: any) => Response | Promise<Response>,
  ): (request: Request) => Promise<Response>;
}

/** The session `warrant.getSession` returns (not null). */
export type SessionOf<W extends HonoWarrant> = NonNullable<Awaited<ReturnType<W["getSession"]>>>;
/** The user a session of `warrant` carries. */
export type UserOf<W extends HonoWarrant> = SessionOf<W>["user"];

/**
 * The Hono `Env` that {@link warrantMiddleware} sets: `c.var.user` and `c.var.session`, or null for
 * nobody signed in. Use it for an app built without chaining: `new Hono<WarrantEnv<typeof warrant>>()`.
 */
export interface WarrantEnv<W extends HonoWarrant> {
  Variables: { user: UserOf<W> | null; session: SessionOf<W> | null };
}

/** The `Env` after {@link requireUser}: someone is signed in. */
export interface SignedInEnv<W extends HonoWarrant> {
  Variables: { user: UserOf<W>; session: SessionOf<W> };
}

const underBase = (pathname: string, basePath: string) =>
  basePath === "" || pathname === basePath || pathname.startsWith(`${basePath}/`);

/** 503 with Retry-After for an outage of the store or Cognito (as `protect` answers); else rethrown. */
function outage(error: unknown): Response {
  if (error instanceof WarrantError && (error.status === 503 || error.status === 429)) {
    return new Response("Service Unavailable", {
      status: 503,
      headers: {
        "retry-after": "5",
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  }
  throw error;
}

/**
 * The warrant as Hono middleware: requests under `basePath` go to `warrant.handler` (its answer, 404
 * included, is final); every other request gets `c.var.user` / `c.var.session` (null when nobody is
 * signed in) and goes on. A store or Cognito outage answers 503 with Retry-After.
 *
 * @example
 * ```ts
 * const app = new Hono().use(warrantMiddleware(warrant)).get("/", (c) => c.text(c.var.user?.username ?? "stranger"));
 * ```
 */
export function warrantMiddleware<W extends HonoWarrant>(warrant: W): MiddlewareHandler<WarrantEnv<W>> {
  const base = warrant.config.basePath;
  return async (c, next) => {
    if (underBase(new URL(c.req.url).pathname.replace(/\/{2,}/g, "/"), base)) {
      return warrant.handler(c.req.raw);
    }
    let session: SessionOf<W> | null;
    try {
      session = (await warrant.getSession(c.req.raw)) as SessionOf<W> | null;
    } catch (error) {
      return outage(error);
    }
    c.set("session", session);
    c.set("user", (session?.user ?? null) as UserOf<W> | null);
    await next();
  };
}

/**
 * Route middleware for signed-in users only: anonymous HTML requests get a 303 to the login page with
 * `next`, JSON requests a 401 with `WWW-Authenticate` (as `warrant.protect`). After it, `c.var.user`
 * and `c.var.session` are not null. It reuses what {@link warrantMiddleware} found, or looks the session
 * up itself when used alone.
 *
 * @example
 * ```ts
 * app.get("/me", requireUser(warrant), (c) => c.json({ username: c.var.user.username }));
 * ```
 */
export function requireUser<W extends HonoWarrant>(warrant: W): MiddlewareHandler<SignedInEnv<W>> {
  return async (c, next) => {
    if (c.var.session) {
      await next();
      return;
    }
    // Nobody signed in (or no warrantMiddleware before): protect looks again and answers as it does.
    return warrant.protect(async (_request, context: { user: UserOf<W>; session: SessionOf<W> }) => {
      c.set("session", context.session);
      c.set("user", context.user);
      await next();
      return c.res;
    })(c.req.raw);
  };
}
