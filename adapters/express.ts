/**
 * @module
 * Express (4 and 5) and Connect: a middleware that claims only the warrant's `basePath` (the account
 * pages and the JSON API, answered there, 404 included) and, for every other request, sets
 * `req.warrant` to `{ session, user }` (null when nobody is signed in) and calls `next()` with the body
 * unread. `requireUser` guards a route as `warrant.protect` does.
 *
 * Mount order: `app.use(warrantMiddleware(warrant))` at the top, before `express.json()` /
 * `express.urlencoded()` (a body parser that runs first drains the warrant's POST bodies), and without a
 * path: `app.use("/accounts", …)` makes Express strip the prefix from `req.url` and run the middleware
 * only there, so no other route would get `req.warrant`.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { requireUser, warrantMiddleware } from "@warrant/cognito/adapters/express";
 *
 * const app = express();
 * app.use(warrantMiddleware(warrant)); // first: before express.json()
 * app.use(express.json());
 * app.get("/me", requireUser(warrant), (req, res) => res.json({ username: req.warrant?.user?.username }));
 * app.listen(3000);
 * ```
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { WarrantError } from "../src/errors.ts";
import { toNodeListener, toRequest, writeResponse } from "./node.ts";

/** What the Express helpers need of a warrant: any value `createWarrant` returns fits. */
export interface ExpressWarrant {
  readonly config: { readonly basePath: string };
  readonly handler: (request: Request) => Promise<Response>;
  getSession(request: Request): Promise<{ readonly user: unknown } | null>;
  protect(
    handler: (request: Request, context: any) => Response | Promise<Response>,
  ): (request: Request) => Promise<Response>;
}

/**
 * What the middleware puts on `req.warrant`, typed from the warrant:
 * `declare global { namespace Express { interface Request { warrant?: WarrantState<typeof warrant> } } }`.
 */
export interface WarrantState<W extends ExpressWarrant = ExpressWarrant> {
  session: NonNullable<Awaited<ReturnType<W["getSession"]>>> | null;
  user: NonNullable<Awaited<ReturnType<W["getSession"]>>>["user"] | null;
}

/** A Connect/Express middleware. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const underBase = (pathname: string, basePath: string) =>
  basePath === "" || pathname === basePath || pathname.startsWith(`${basePath}/`);

/** The path Express was asked for, before any `app.use(path, …)` stripped a prefix from `req.url`. */
const fullUrl = (req: IncomingMessage) => (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";

/** The Web request for `req`, with the full path (so `next` on a login redirect is the page asked for). */
function requestOf(req: IncomingMessage): Request {
  const stripped = req.url;
  req.url = fullUrl(req);
  const request = toRequest(req);
  void request.url; // built now, from the full path; Express gets its own req.url back
  req.url = stripped;
  return request;
}

const pathOf = (url: string) => {
  const end = url.search(/[?#]/);
  return (end < 0 ? url : url.slice(0, end)).replace(/\/{2,}/g, "/");
};

function unavailable(res: ServerResponse): void {
  res.writeHead(503, {
    "content-type": "text/plain; charset=utf-8",
    "retry-after": "5",
    "cache-control": "no-store",
  });
  res.end("Service Unavailable");
}

const isOutage = (error: unknown) =>
  error instanceof WarrantError && (error.status === 503 || error.status === 429);

/**
 * The warrant as Express middleware; see the module doc for where to mount it. A store or Cognito
 * outage while reading the session answers 503 with Retry-After.
 *
 * @example
 * ```ts
 * app.use(warrantMiddleware(warrant));
 * app.get("/", (req, res) => res.send(req.warrant?.user ? `Hello ${req.warrant.user.username}` : "Hello stranger"));
 * ```
 */
export function warrantMiddleware(warrant: ExpressWarrant): Middleware {
  const base = warrant.config.basePath;
  const own = toNodeListener(warrant.handler);
  return (req, res, next) => {
    const url = fullUrl(req);
    if (underBase(pathOf(url), base)) {
      // The handler sees the path the browser asked for, even under app.use("/x", …).
      req.url = url;
      void own(req, res);
      return;
    }
    warrant.getSession(requestOf(req)).then(
      (session) => {
        (req as { warrant?: WarrantState }).warrant = {
          session: session as WarrantState["session"],
          user: session?.user ?? null,
        };
        next();
      },
      (error) => (isOutage(error) ? unavailable(res) : next(error)),
    );
  };
}

/**
 * Route middleware for signed-in users only: anonymous HTML requests get a 303 to the login page with
 * `next`, JSON requests a 401 with `WWW-Authenticate`, as `warrant.protect` answers. After it,
 * `req.warrant.user` is set.
 *
 * @example
 * ```ts
 * app.get("/orders", requireUser(warrant), (req, res) => res.json({ for: req.warrant?.user?.username }));
 * ```
 */
export function requireUser(warrant: ExpressWarrant): Middleware {
  return (req, res, next) => {
    const state = (req as { warrant?: WarrantState }).warrant;
    if (state?.session) return next();
    let passed = false;
    warrant
      .protect((_request, context: { user: unknown; session: WarrantState["session"] }) => {
        passed = true;
        (req as { warrant?: WarrantState }).warrant = { session: context.session, user: context.user };
        return new Response(null, { status: 204 });
      })(requestOf(req))
      .then(
        async (response) => {
          if (passed) {
            await response.body?.cancel();
            return next();
          }
          await writeResponse(response, res);
        },
        (error) => (isOutage(error) ? unavailable(res) : next(error)),
      );
  };
}
