/**
 * @module
 * `warrant.protect(handler)`: the application's own routes, for signed-in users only. Anonymous HTML
 * requests get a 303 to the login page with `next`; JSON/API requests get 401 with `WWW-Authenticate`;
 * a store or Cognito outage is a 503 with Retry-After, and the cookie is kept.
 */

import { tagRequest } from "../events.ts";
import type { Session, SessionUser } from "../sessions/store.ts";
import { createContext, type GuardDeps, unauthenticated } from "./context.ts";
import { errorBoundary } from "./router.ts";

/** What a protected handler receives besides the request. */
export interface ProtectContext<U = SessionUser> {
  user: U;
  session: Session<U>;
}

/** A handler of the application's, as `protect` takes it. */
export type ProtectedHandler<U = SessionUser> = (
  request: Request,
  context: ProtectContext<U>,
) => Response | Promise<Response>;

/** Builds `protect` over the route services. */
export function createProtect(
  deps: GuardDeps,
): (inner: ProtectedHandler) => (request: Request) => Promise<Response> {
  return (inner) => async (request) => {
    // The signed-in path needs nothing of a context (URL, Accept, request id): it is built only for an
    // answer of the library's own. The request is tagged first, so an event of the session check (an
    // expiry, a refresh) and that answer share one request id.
    tagRequest(request);
    let session: Session | null;
    try {
      session = await deps.sessions.get(request);
    } catch (error) {
      return errorBoundary(createContext(request, deps), deps, error);
    }
    if (!session) return unauthenticated(createContext(request, deps), deps);
    return inner(request, { user: session.user, session });
  };
}
