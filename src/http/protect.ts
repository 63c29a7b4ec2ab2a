/**
 * @module
 * `warrant.protect(handler)`: the application's own routes, for signed-in users only. Anonymous HTML
 * requests get a 303 to the login page with `next`; JSON/API requests get 401 with `WWW-Authenticate`;
 * a store or Cognito outage is a 503 with Retry-After, and the cookie is kept.
 */
import type { Session, SessionUser } from "../sessions/store.ts";
import { createContext, currentSession, type GuardDeps, unauthenticated } from "./context.ts";
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
    const ctx = createContext(request, deps);
    let session: Session | null;
    try {
      session = await currentSession(ctx, deps);
    } catch (error) {
      return errorBoundary(ctx, deps, error);
    }
    if (!session) return unauthenticated(ctx, deps);
    return inner(request, { user: session.user, session });
  };
}
