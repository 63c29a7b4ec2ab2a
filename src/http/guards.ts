/**
 * @module
 * The guards routes call before they act. Each returns what it checked (a body, a session) or throws a
 * {@link Refusal} carrying the finished response (403, 401, 429), which the router's error boundary
 * sends. `Refusal` never leaves `http/`: the library's own API answers with results.
 */
import type { Session } from "../sessions/store.ts";
import { type Body, type BodyOptions, readBody } from "./body.ts";
import {
  type Ctx,
  currentSession,
  fail,
  html,
  json,
  loginProps,
  preSession,
  type RouteDeps,
  unauthenticated,
} from "./context.ts";
import { allowedOrigins, sameOriginRequest } from "./origin.ts";
import type { Attempt } from "./rate-limit.ts";

/** A request turned away, with the response that says so. */
export class Refusal extends Error {
  constructor(readonly response: Response) {
    super("refused");
  }
}

const forbidden = (ctx: Ctx, deps: RouteDeps) =>
  new Refusal(fail(ctx, deps, 403, deps.text["error.forbidden"]));

/** The cross-origin check of every state-changing request (R1). */
export function sameOrigin(ctx: Ctx, deps: RouteDeps): void {
  if (!sameOriginRequest(ctx.request, allowedOrigins(ctx.request, deps.config.origins)))
    throw forbidden(ctx, deps);
}

/**
 * A state-changing request's body: origin checked (R1), body read within its limits (R3), and for
 * forms the CSRF token bound to `binding` (R2; JSON cannot be sent cross-site without CORS, and an empty
 * body carries nothing to forge).
 */
export async function formBody(
  ctx: Ctx,
  deps: RouteDeps,
  binding: () => string,
  options: BodyOptions = {},
): Promise<Body> {
  sameOrigin(ctx, deps);
  const body = await readBody(ctx.request, options);
  // An empty post (a SPA's `fetch(url, { method: "POST" })`) submits nothing but the request itself, and
  // no page can make a browser send one cross-origin past the check above: it needs no token.
  if (!body.json && !body.empty && !deps.csrf.verify(binding(), body.fields.csrf)) throw forbidden(ctx, deps);
  return body;
}

/** An anonymous visitor's post (login, sign-up, forgot password): CSRF bound to the pre-session. */
export function anonymousPost(ctx: Ctx, deps: RouteDeps, options: BodyOptions = {}): Promise<Body> {
  return formBody(ctx, deps, () => preSession(ctx, deps), options);
}

/** The signed-in user's session, or a Refusal that asks them to sign in. */
export async function signedIn(ctx: Ctx, deps: RouteDeps): Promise<Session> {
  const session = await currentSession(ctx, deps);
  if (!session) throw new Refusal(unauthenticated(ctx, deps));
  return session;
}

/** A signed-in user's post: origin, body and CSRF bound to the session checked. */
export async function signedInPost(
  ctx: Ctx,
  deps: RouteDeps,
  options: BodyOptions = {},
): Promise<{ session: Session; body: Body }> {
  const session = await currentSession(ctx, deps);
  if (!session) {
    // Still refuse a cross-origin post before saying "sign in".
    sameOrigin(ctx, deps);
    throw new Refusal(unauthenticated(ctx, deps));
  }
  const body = await formBody(ctx, deps, () => session.id, options);
  return { session, body };
}

/**
 * The signed-in member of a staff group (`staffGroups`), or 401 / 403. The session's groups are only a
 * first sieve: membership is asked of Cognito on every admin request, so someone removed from the group
 * loses the admin pages at once, not at their next refresh.
 */
export async function staff(ctx: Ctx, deps: RouteDeps): Promise<Session> {
  const session = await signedIn(ctx, deps);
  const isStaff = (groups: readonly string[]) => deps.config.staffGroups.some((g) => groups.includes(g));
  // Its own words: reloading will not help someone who is simply not staff.
  const notStaff = () => new Refusal(fail(ctx, deps, 403, deps.text["error.notStaff"]));
  if (!isStaff(session.user.groups ?? [])) throw notStaff();
  const now = await (await deps.cognito()).groupsOf(session.user.username);
  if (!now || !isStaff(now)) throw notStaff();
  return session;
}

/**
 * Reserves an attempt for this account (and the request's trusted address) before Cognito is called
 * (R8, C3): the reservation, or a 429 with Retry-After (the login page with the message, for HTML).
 * A failure keeps the reservation; the route calls `succeeded()` or `release()` for anything else.
 */
export async function rateLimit(ctx: Ctx, deps: RouteDeps, account: string, next?: string): Promise<Attempt> {
  const verdict = await deps.limiter.reserve(ctx.request, account);
  if (verdict.ok) return verdict.attempt;
  const more = { headers: { "retry-after": String(verdict.retryAfter) } };
  const message = deps.text["login.throttled"];
  throw new Refusal(
    ctx.json
      ? json(ctx, { error: "too_many_requests", message }, 429, more)
      : html(ctx, deps.pages.login(loginProps(ctx, deps, message, next, { username: account })), 429, more),
  );
}
