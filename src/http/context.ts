/**
 * @module
 * What every route works with: the request context (built once per request), the services a route may
 * use (`RouteDeps`), the replies (JSON, HTML, redirect, failure), the page context with its CSRF token,
 * and the table of every `error` code the JSON API answers with.
 */
import type { LoadCognito } from "../cognito/load.ts";
import type { Verifier } from "../cognito/verify.ts";
import { WarrantError } from "../errors.ts";
import { requestIdFor } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { LoginCore } from "../login/authenticate.ts";
import type { SessionConfig, WarrantConfig } from "../options.ts";
import type { LoginButton, PageContext, PageProps, Pages } from "../pages/pages.ts";
import type { Text } from "../pages/text.ts";
import { type Cookies, isSecure, randomToken } from "../sessions/cookie.ts";
import type { Keyring } from "../sessions/crypto.ts";
import type { SessionCore } from "../sessions/session.ts";
import type { Session } from "../sessions/store.ts";
import type { Store } from "../storage.ts";
import type { Csrf } from "./csrf.ts";
import type { RateLimiter } from "./rate-limit.ts";
import {
  type Extra,
  html as htmlResponse,
  json as jsonResponse,
  redirect as redirectResponse,
  wantsJson,
} from "./respond.ts";

/**
 * Every `error` code of the JSON API, with the HTTP status it comes with. Error bodies are
 * `{ error, message, requestId? , fields?, ... }`; `message` is generic text from the text table.
 */
export const apiErrorCodes = {
  /** The body or query is malformed (not UTF-8, not JSON, a duplicate field). */
  bad_request: 400,
  /** Form fields did not pass validation; `fields` names them. */
  invalid: 400,
  /** Wrong username or password, or an account that cannot sign in here: one answer for all (R7). */
  invalid_credentials: 401,
  /** Not signed in (or the session ended). */
  unauthorized: 401,
  /** Refused: a cross-site request, a missing or wrong CSRF token, or not staff. */
  forbidden: 403,
  /** No such resource (e.g. an admin page for an unknown user). */
  not_found: 404,
  /** The route exists but not for this method; `Allow` lists the methods. */
  method_not_allowed: 405,
  /** The body is larger than the cap (16 KiB). */
  payload_too_large: 413,
  /** The body is neither a form nor JSON. */
  unsupported_media_type: 415,
  /** Too many failed attempts; `Retry-After` says when to try again. */
  too_many_requests: 429,
  /** The pending challenge is unknown, used or expired: sign in again. */
  challenge_expired: 400,
  /** The last allowed wrong answer to a challenge: sign in again. */
  too_many_attempts: 400,
  /** The answer does not fit the challenge (nothing was sent to Cognito); `fields` names what to fix. */
  invalid_answer: 400,
  /** Cognito refused the code, or it cannot be one; for a login challenge `attemptsLeft` says how many tries remain. */
  invalid_code: 400,
  /** Cognito's password policy refused the new password; `attemptsLeft` says how many tries remain. */
  password_rejected: 400,
  /** Cognito refused the passkey's assertion (wrong or replayed); `attemptsLeft` says how many tries remain. */
  passkey_rejected: 400,
  /** Cognito, API Gateway or the session store is unavailable; `Retry-After` says when to try again. */
  unavailable: 503,
  /** Something failed on the server; the `requestId` is in the log. */
  error: 500,
} as const;

/** One of {@link apiErrorCodes}. */
export type ApiErrorCode = keyof typeof apiErrorCodes;

const codeOfStatus: Record<number, ApiErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
  503: "unavailable",
};

/** The per-request state every route and guard gets. */
export interface Ctx {
  readonly request: Request;
  readonly url: URL;
  readonly requestId: string;
  /** The caller wants JSON (Accept, or a JSON body). */
  readonly json: boolean;
  /** The site is on https: `__Host-` cookies with Secure. */
  readonly secure: boolean;
  /** Set-Cookie values every response of this request carries (a new pre-session cookie). */
  readonly cookies: string[];
  /** The route's `:param` values, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The value anonymous forms are bound to, once known. */
  preSession?: string;
  /** The request's session, looked up once. */
  session?: Promise<Session | null>;
}

/** The services a route may use. */
export interface RouteDeps {
  readonly config: WarrantConfig;
  readonly pages: Pages;
  readonly text: Text;
  readonly csrf: Csrf;
  readonly limiter: RateLimiter;
  readonly cookies: Cookies;
  readonly sessions: SessionCore;
  readonly login: LoginCore;
  readonly cognito: LoadCognito;
  readonly store: Store;
  /** Seals what is kept in storage for a while (tokens, challenges, authorization requests). */
  readonly keyring: Keyring;
  /** Verifies Cognito tokens of this pool and app client (the one `verifyToken` uses). */
  readonly verifier: Verifier;
  /** What the extensions add to the login page, for a login that returns to `next`. */
  readonly loginAdditions: (next?: string) => { buttons: LoginButton[]; passwordForm: boolean };
  /** Where the browser goes after signing out of a session the extension `via` started; else undefined. */
  readonly afterLogout: (via: string, ctx: Ctx) => string | undefined;
  /** Reports a failed request (never with a secret); the default logs one line. */
  readonly onError: (error: unknown, requestId: string) => void;
}

/** What {@link fail} needs: the error page, the text and the config. */
export interface FailDeps {
  readonly config: SessionConfig;
  readonly pages: Pick<Pages, "error">;
  readonly text: Text;
}

/** What the error boundary and `protect` need besides {@link FailDeps}. */
export interface GuardDeps extends FailDeps {
  readonly sessions: SessionCore;
  readonly onError: (error: unknown, requestId: string) => void;
}

/**
 * The default `onError`: one line at the logger's error level with the code and our own message, never
 * a cause (it may hold Cognito's text).
 */
export function logError(logger: Logger): (error: unknown, requestId: string) => void {
  return (error, requestId) => {
    const what =
      error instanceof WarrantError
        ? `${error.code}: ${error.message.replace(/^warrant: /, "")}`
        : ((error as Error)?.name ?? "Error");
    logger.error(`request ${requestId} failed (${what})`, {
      requestId,
      ...(error instanceof WarrantError && error.cognitoCode ? { cognitoCode: error.cognitoCode } : {}),
    });
  };
}

/** The context of a request. */
export function createContext(
  request: Request,
  deps: { readonly config: SessionConfig },
  params: Record<string, string> = {},
  url: URL = new URL(request.url),
): Ctx {
  const requestId = requestIdFor(request);
  return {
    request,
    url,
    requestId,
    json: wantsJson(request),
    secure: isSecure(request, deps.config.origins),
    cookies: [],
    params,
  };
}

/** What a reply adds besides its body: cookies and headers. */
export type More = Omit<Extra, "requestId">;

const extra = (ctx: Ctx, more: More = {}): Extra => ({
  requestId: ctx.requestId,
  cookies: [...ctx.cookies, ...(more.cookies ?? [])],
  ...(more.headers ? { headers: more.headers } : {}),
  ...(more.scripts ? { scripts: more.scripts } : {}),
});

/** A JSON reply with the request's cookies and the security headers. */
export const json = (ctx: Ctx, data: unknown, status = 200, more?: More): Response =>
  jsonResponse(data, status, extra(ctx, more));

/** An HTML reply with the request's cookies and the security headers. */
export const html = (ctx: Ctx, body: string, status = 200, more?: More): Response =>
  htmlResponse(body, status, extra(ctx, more));

/** A 303 to `location` with the request's cookies. */
export const redirect = (ctx: Ctx, location: string, more?: More): Response =>
  redirectResponse(location, extra(ctx, more));

/**
 * `location` with `query` (`name=value`, already encoded) added, before any `#fragment`: how a redirect
 * tells the next page what just happened.
 *
 * @example
 * ```ts
 * withQuery("/accounts/profile", "signup=confirmed") // "/accounts/profile?signup=confirmed"
 * ```
 */
export function withQuery(location: string, query: string): string {
  const hash = location.indexOf("#");
  const [path, fragment] = hash < 0 ? [location, ""] : [location.slice(0, hash), location.slice(hash)];
  return `${path}${path.includes("?") ? "&" : "?"}${query}${fragment}`;
}

/** JSON for a JSON caller, else the HTML (or redirect) `html` builds. */
export const negotiate = (
  ctx: Ctx,
  reply: { json: () => unknown; html: () => Response },
  more?: More,
): Response => (ctx.json ? json(ctx, reply.json(), 200, more) : reply.html());

/** A JSON error body with its code from {@link apiErrorCodes}. */
export const apiError = (
  ctx: Ctx,
  code: ApiErrorCode,
  message: string,
  fields: Record<string, unknown> = {},
  more?: More,
  status: number = apiErrorCodes[code],
): Response => json(ctx, { error: code, message, ...fields }, status, more);

/** A failure: JSON `{ error, message, requestId }`, or the error page. */
export function fail(ctx: Ctx, deps: FailDeps, status: number, message: string, more?: More): Response {
  if (ctx.json)
    return json(
      ctx,
      { error: codeOfStatus[status] ?? "error", message, requestId: ctx.requestId },
      status,
      more,
    );
  return html(
    ctx,
    deps.pages.error({
      ctx: { text: deps.text, basePath: deps.config.basePath, csrf: "" },
      status,
      message,
      requestId: ctx.requestId,
    }),
    status,
    more,
  );
}

/** The binding of an anonymous visitor's forms: a random cookie, set on first sight. */
export function preSession(ctx: Ctx, deps: Pick<RouteDeps, "cookies">): string {
  if (ctx.preSession) return ctx.preSession;
  const existing = deps.cookies.read(ctx.request, "csrf", ctx.secure);
  if (existing) ctx.preSession = existing;
  else {
    ctx.preSession = randomToken();
    ctx.cookies.push(deps.cookies.issue("csrf", ctx.preSession, ctx.secure));
  }
  return ctx.preSession;
}

/** What a page gets: the text, the base path and a CSRF token bound to the session or pre-session. */
export function pageContext(ctx: Ctx, deps: RouteDeps, session: Session | null): PageContext {
  return {
    text: deps.text,
    basePath: deps.config.basePath,
    csrf: deps.csrf.token(session ? session.id : preSession(ctx, deps)),
  };
}

/** The login page's props: its context, the extensions' buttons, an error and the safe `next` to carry. */
export function loginProps(
  ctx: Ctx,
  deps: RouteDeps,
  error?: string,
  next?: string,
  more: { username?: string; notice?: string } = {},
): PageProps["login"] {
  return {
    ctx: pageContext(ctx, deps, null),
    ...deps.loginAdditions(next),
    ...(error ? { error } : {}),
    ...(next ? { next } : {}),
    // What was typed is typed again by nobody: a failed try keeps the username (not the password).
    ...(more.username ? { username: more.username } : {}),
    ...(more.notice ? { notice: more.notice } : {}),
    // USER_AUTH asks for the username alone, unless a password is what it asks for first.
    ...(deps.config.authFlow === "USER_AUTH" &&
    deps.config.preferredChallenge !== "PASSWORD" &&
    deps.config.preferredChallenge !== "PASSWORD_SRP"
      ? { usernameOnly: true }
      : {}),
  };
}

/** The request's session (refreshed when due), looked up once per request. */
export function currentSession(ctx: Ctx, deps: Pick<RouteDeps, "sessions">): Promise<Session | null> {
  ctx.session ??= deps.sessions.get(ctx.request);
  return ctx.session;
}

/** Sign in first: 303 to the login page with `next` (HTML), or 401 with `WWW-Authenticate` (JSON). */
export function unauthenticated(ctx: Ctx, deps: { readonly config: SessionConfig }): Response {
  if (ctx.json) {
    return json(ctx, { error: "unauthorized", message: "Sign in first." }, 401, {
      headers: { "www-authenticate": 'Bearer realm="warrant"' },
    });
  }
  const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
  return redirect(ctx, `${deps.config.basePath}/login?next=${next}`);
}

/** Field errors by field name, with the generic text to show there. */
export type FieldErrors = Record<string, string>;

/** 400 `invalid` with the fields in error (JSON), or the form again (`render`). */
export const fieldErrors = (ctx: Ctx, errors: FieldErrors, render: () => Response, status = 400): Response =>
  ctx.json
    ? json(ctx, { error: "invalid", message: Object.values(errors)[0], fields: Object.keys(errors) }, status)
    : render();
