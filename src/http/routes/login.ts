/**
 * @module
 * Signing in and out: `GET/POST /login`, `GET/POST /logout`, `GET /session`, and the two ways a login
 * step ends, shared with the challenge and password routes: {@link finishLogin} (a new session) and
 * {@link toChallenge} (the next challenge, its id in the challenge cookie).
 */

import type { NewDevice } from "../../cognito/auth.ts";
import { emit } from "../../events.ts";
import type { PublicChallenge } from "../../login/authenticate.ts";
import { escapeHtml, layout } from "../../pages/html.ts";
import type { Login } from "../../sessions/session.ts";
import {
  apiError,
  type Ctx,
  currentSession,
  html,
  json,
  loginProps,
  pageContext,
  preSession,
  type RouteDeps,
  redirect,
  withQuery,
} from "../context.ts";
import { extensionsOf, type WarrantExtension } from "../extensions.ts";
import { anonymousPost, formBody, rateLimit } from "../guards.ts";
import { safeNext } from "../next.ts";
import type { Routes } from "../router.ts";

/** What a caller may see of a challenge: never its id (that is the cookie) and never its Cognito session. */
export const challengeView = (challenge: PublicChallenge): Record<string, unknown> => ({
  name: challenge.name,
  parameters: challenge.parameters,
  ...(challenge.totp ? { totp: challenge.totp } : {}),
  ...(challenge.availableChallenges ? { availableChallenges: challenge.availableChallenges } : {}),
  ...(challenge.firstFactor ? { firstFactor: true } : {}),
});

/** The login page, with an error and the safe `next` to carry. */
export function loginPage(
  ctx: Ctx,
  deps: RouteDeps,
  status = 200,
  error?: string,
  next?: string,
  more: { username?: string; notice?: string } = {},
): Response {
  return html(ctx, deps.pages.login(loginProps(ctx, deps, error, next, more)), status);
}

/**
 * The one answer to every credential failure: wrong password, unknown, unconfirmed, refused (R7). The
 * form keeps the username that was typed, so the answer depends on nothing but what was sent.
 */
export function loginFailed(
  ctx: Ctx,
  deps: RouteDeps,
  next?: string,
  cookies: string[] = [],
  username?: string,
): Response {
  const message = deps.text["login.failed"];
  if (ctx.json) return apiError(ctx, "invalid_credentials", message, {}, { cookies });
  const props = loginProps(ctx, deps, message, next, username ? { username } : {});
  return html(ctx, deps.pages.login(props), 401, { cookies });
}

/** What the login page says after a redirect (`?confirmed=1` after a sign-up, `?reset=1` / `?changed=1`). */
const loginNotices = {
  confirmed: "signup.confirmed",
  reset: "password.resetSignIn",
  changed: "password.changedSignIn",
} as const;

/**
 * A finished login: a new session id (the one the browser had before is deleted, S5), the pending
 * challenge cookie expired, then 303 to `next` or `loginRedirect` (JSON: 200 `{ user, expiresAt }`).
 */
export async function finishLogin(
  ctx: Ctx,
  deps: RouteDeps,
  login: Login & { newDevice?: NewDevice },
  next?: string,
  more: {
    json?: Record<string, unknown>;
    cookies?: string[];
    query?: string;
    remember?: boolean;
  } = {},
): Promise<Response> {
  const { newDevice, ...started } = login;
  const created = await deps.sessions.replace(ctx.request, started);
  await emit(deps.config, "login", {
    username: login.user.username,
    user: login.user,
    requestId: ctx.requestId,
    ...(login.via ? { via: login.via } : {}),
  });
  const extra: string[] = [];
  const finished = { ...started, ...(newDevice ? { newDevice } : {}), session: created.session };
  for (const extension of extensionsOf(deps.config))
    extra.push(
      ...((await extension.afterLogin?.(ctx, deps, { ...finished, remember: !!more.remember })) ?? []),
    );
  const cookies = [
    created.cookie,
    deps.cookies.expire("challenge", ctx.secure),
    ...(more.cookies ?? []),
    ...extra,
  ];
  const location = next ?? deps.config.loginRedirect;
  return ctx.json
    ? json(ctx, { ...more.json, user: login.user, expiresAt: created.session.expiresAt }, 200, { cookies })
    : redirect(ctx, more.query ? withQuery(location, more.query) : location, { cookies });
}

/** The next step is a challenge: its id into the challenge cookie, then its page (JSON: the challenge). */
export async function toChallenge(
  ctx: Ctx,
  deps: RouteDeps,
  challenge: PublicChallenge,
  next?: string,
): Promise<Response> {
  await emit(deps.config, "challenge", {
    username: challenge.username,
    challenge: challenge.name,
    requestId: ctx.requestId,
  });
  const cookies = [deps.cookies.issue("challenge", challenge.id, ctx.secure)];
  if (ctx.json) return json(ctx, { challenge: challengeView(challenge) }, 200, { cookies });
  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  return redirect(ctx, `${deps.config.basePath}/login/challenge${query}`, { cookies });
}

/**
 * After a form post, a page that sends the browser on to another site. Not a 303: the pages' CSP says
 * `form-action 'self'`, and browsers apply that to the redirects that follow a form post. A `Refresh` is a
 * navigation of its own; the link is there for a browser that ignores it.
 */
function leave(ctx: Ctx, deps: RouteDeps, location: string, cookie: string): Response {
  const t = deps.text;
  const body = layout(
    t["logout.title"],
    `<h1>${escapeHtml(t["logout.title"])}</h1>
<p>${escapeHtml(t["logout.leaving"])}</p>
<p><a class="button" href="${escapeHtml(location)}">${escapeHtml(t["logout.continue"])}</a></p>`,
  );
  return html(ctx, body, 200, { cookies: [cookie], headers: { refresh: `0; url=${location}` } });
}

/** `/login`, `/logout` and `/session`. */
export function loginRoutes(deps: RouteDeps): Routes {
  return {
    "/login": {
      async GET(ctx) {
        const next = safeNext(ctx.url.searchParams.get("next"));
        if (ctx.json) {
          const session = await currentSession(ctx, deps);
          return json(ctx, { user: session ? session.user : null });
        }
        const said = Object.entries(loginNotices).find(([key]) => ctx.url.searchParams.get(key) === "1");
        return loginPage(ctx, deps, 200, undefined, next, said ? { notice: deps.text[said[1]] } : {});
      },
      async POST(ctx) {
        const { fields } = await anonymousPost(ctx, deps);
        const next = safeNext(fields.next);
        const account = fields.username ?? "";
        // Reserved before Cognito sees the password: a burst cannot get more guesses than the limit.
        const attempt = await rateLimit(ctx, deps, account, next);
        let device: Awaited<ReturnType<NonNullable<WarrantExtension["loginDevice"]>>>;
        for (const extension of extensionsOf(deps.config))
          device ??= await extension.loginDevice?.(ctx, deps, account);
        const result = await deps.login.authenticate(
          account,
          fields.password ?? "",
          device ? { device } : {},
        );
        if (result.ok) {
          await attempt.succeeded();
          await deps.limiter.learn(account, result.user.username);
          return finishLogin(ctx, deps, result, next);
        }
        if (result.reason === "challenge") {
          // The password was right; what follows is counted per login lineage (and per answer).
          await attempt.release();
          await deps.limiter.learn(account, result.challenge.username);
          return toChallenge(ctx, deps, result.challenge, next);
        }
        return loginFailed(ctx, deps, next, [], account);
      },
    },

    "/logout": {
      async GET(ctx) {
        const session = await currentSession(ctx, deps);
        const headers = { allow: "POST" };
        if (ctx.json)
          return apiError(ctx, "method_not_allowed", deps.text["error.methodNotAllowed"], {}, { headers });
        return html(ctx, deps.pages.logout({ ctx: pageContext(ctx, deps, session) }), 405, { headers });
      },
      async POST(ctx) {
        const session = await currentSession(ctx, deps);
        await formBody(ctx, deps, () => (session ? session.id : preSession(ctx, deps)));
        const { cookie } = await deps.sessions.end(ctx.request);
        // A session an extension started may end somewhere else too (managed login: Cognito's /logout).
        const away = session?.via ? deps.afterLogout(session.via, ctx) : undefined;
        if (ctx.json)
          return json(ctx, { ok: true, ...(away ? { redirect: away } : {}) }, 200, { cookies: [cookie] });
        return away
          ? leave(ctx, deps, away, cookie)
          : redirect(ctx, `${deps.config.basePath}/login`, { cookies: [cookie] });
      },
    },

    "/session": {
      async GET(ctx) {
        const session = await currentSession(ctx, deps);
        if (!session) return json(ctx, { error: "unauthorized", message: "Sign in first." }, 401);
        return json(ctx, { user: session.user, expiresAt: session.expiresAt });
      },
    },
  };
}
