/**
 * @module
 * `warrant.handler` and `warrant.protect`: the account routes under `basePath`, safe by default
 * (origin check, CSRF, body limits, safe redirects, security headers, generic errors).
 */
import { GetUserCommand, UpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider";
import { classify, toWarrantError } from "../cognito/errors.ts";
import { WarrantError } from "../errors.ts";
import {
  builtinPages,
  type FormField,
  type PageContext,
  type Pages,
  type ProfileItem,
} from "../pages/pages.ts";
import { attributeLabel, defaultText, type Text } from "../pages/text.ts";
import { cookieName, isSecure, readToken } from "../sessions/cookie.ts";
import { type Session, SessionInvalid, sessionId } from "../sessions/store.ts";
import { mapAttributes, reverseMap } from "../users/mapping.ts";
import { upsertUser, validateFields } from "../users/store.ts";
import type { Warrant } from "../warrant.ts";
import { BodyError, readBody } from "./body.ts";
import { createCsrf } from "./csrf.ts";
import { safeNext } from "./next.ts";
import { allowedOrigins, sameOriginRequest } from "./origin.ts";
import { type Extra, html, json, redirect, wantsJson } from "./respond.ts";

/** What a protected handler receives besides the request. */
export interface ProtectContext {
  user: Session["user"];
  session: Session;
}

/** Attributes Cognito does not let a user change. */
const immutable = new Set(["sub", "email_verified", "phone_number_verified", "identities", "updated_at"]);
/** What the profile page shows when present, after the mapped attributes (as django-warrant's did). */
const profileAttributes = [
  "name",
  "given_name",
  "family_name",
  "email",
  "phone_number",
  "gender",
  "address",
  "preferred_username",
  "custom:api_key",
  "custom:api_key_id",
];
const inputTypes: Record<string, FormField["type"]> = {
  email: "email",
  phone_number: "tel",
  website: "url",
  birthdate: "date",
};
const autocompletes: Record<string, string> = {
  email: "email",
  given_name: "given-name",
  family_name: "family-name",
  name: "name",
  phone_number: "tel",
  preferred_username: "nickname",
  address: "street-address",
  birthdate: "bday",
};
/** Cap on one submitted attribute value (Cognito's own limit is 2048). */
const maxValue = 2048;
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** What {@link createHandler} builds. */
export interface HttpParts {
  handler: (request: Request) => Promise<Response>;
  protect: (
    inner: (request: Request, context: ProtectContext) => Response | Promise<Response>,
  ) => (request: Request) => Promise<Response>;
  pages: Pages;
  text: Text;
}

/** Builds the handler and `protect` for a warrant. */
export function createHandler(
  warrant: Warrant,
  overrides: {
    pages?: Partial<Pages>;
    text?: Partial<Text>;
    onError?: (error: unknown, requestId: string) => void;
  },
): HttpParts {
  const { config } = warrant;
  const { sessions, cognito, store } = warrant.internals;
  const csrf = createCsrf(config.secrets);
  const text = { ...defaultText, ...(overrides.text ?? {}) } as Text;
  const pages: Pages = { ...builtinPages, ...(overrides.pages ?? {}) };
  const base = config.basePath;
  const onError =
    overrides.onError ??
    ((error: unknown, requestId: string) => {
      // Only the code and our own message: never a cause, which may hold Cognito's text.
      const what =
        error instanceof WarrantError
          ? `${error.code}: ${error.message}`
          : ((error as Error)?.name ?? "Error");
      console.error(`warrant: request ${requestId} failed (${what})`);
    });

  /** Per-request state. */
  interface Ctx {
    request: Request;
    requestId: string;
    json: boolean;
    secure: boolean;
    cookies: string[];
    /** The value forms are bound to when nobody is signed in. */
    preSession?: string;
  }

  const names = (secure: boolean) => ({
    session: cookieName(config.session.cookieName, secure),
    csrf: cookieName(`${config.session.cookieName}_csrf`, secure),
    challenge: cookieName(`${config.session.cookieName}_challenge`, secure),
  });
  const cookieAttrs = (secure: boolean, maxAge?: number) =>
    `; Path=/${maxAge === undefined ? "" : `; Max-Age=${maxAge}`}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

  const extra = (ctx: Ctx, more: Omit<Extra, "requestId"> = {}): Extra => ({
    requestId: ctx.requestId,
    cookies: [...ctx.cookies, ...(more.cookies ?? [])],
    ...(more.headers ? { headers: more.headers } : {}),
  });

  /** The binding of an anonymous visitor's forms: a random cookie, set on first sight. */
  const preSession = (ctx: Ctx): string => {
    if (ctx.preSession) return ctx.preSession;
    const name = names(ctx.secure).csrf;
    const existing = cookieValue(ctx.request, name);
    if (existing && tokenPattern.test(existing)) ctx.preSession = existing;
    else {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      ctx.preSession = btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
      ctx.cookies.push(`${name}=${ctx.preSession}${cookieAttrs(ctx.secure)}`);
    }
    return ctx.preSession;
  };

  const pageContext = (ctx: Ctx, session: Session | null): PageContext => ({
    text,
    basePath: base,
    csrf: csrf.token(session ? session.id : preSession(ctx)),
  });

  const failure = (
    ctx: Ctx,
    status: number,
    message: string,
    more: Omit<Extra, "requestId"> = {},
  ): Response =>
    ctx.json
      ? json({ error: statusCode(status), message, requestId: ctx.requestId }, status, extra(ctx, more))
      : html(
          pages.error({ ctx: { text, basePath: base, csrf: "" }, status, message, requestId: ctx.requestId }),
          status,
          extra(ctx, more),
        );

  const statusCode = (status: number) =>
    ({
      400: "bad_request",
      401: "unauthorized",
      403: "forbidden",
      404: "not_found",
      405: "method_not_allowed",
      413: "payload_too_large",
      415: "unsupported_media_type",
      429: "too_many_requests",
      503: "unavailable",
    })[status] ?? "error";

  const errorResponse = (ctx: Ctx, error: unknown): Response => {
    if (error instanceof BodyError) {
      const message = error.status === 413 ? text["error.tooLarge"] : text["error.badRequest"];
      return failure(ctx, error.status, message);
    }
    onError(error, ctx.requestId);
    if (error instanceof WarrantError && (error.status === 503 || error.status === 429)) {
      return failure(ctx, error.status, text["error.unavailable"], { headers: { "retry-after": "5" } });
    }
    return failure(ctx, 500, text["error.title"]);
  };

  /** The session, or null; a session whose tokens no longer open is ended and counts as none. */
  const currentSession = (ctx: Ctx) => warrant.getSession(ctx.request);

  const toLogin = (ctx: Ctx) => {
    const url = new URL(ctx.request.url);
    return `${base}/login?next=${encodeURIComponent(url.pathname + url.search)}`;
  };

  const unauthenticated = (ctx: Ctx): Response =>
    ctx.json
      ? json(
          { error: "unauthorized", message: "Sign in first." },
          401,
          extra(ctx, { headers: { "www-authenticate": 'Bearer realm="warrant"' } }),
        )
      : redirect(toLogin(ctx), extra(ctx));

  /** Checks origin, parses the body and, for forms, the CSRF token bound to `binding`. */
  const guardedBody = async (ctx: Ctx, binding: () => string): Promise<Record<string, string> | Response> => {
    if (!sameOriginRequest(ctx.request, allowedOrigins(ctx.request, config.origins))) {
      return failure(ctx, 403, text["error.forbidden"]);
    }
    const body = await readBody(ctx.request);
    if (!body.json && !csrf.verify(binding(), body.fields.csrf))
      return failure(ctx, 403, text["error.forbidden"]);
    return body.fields;
  };

  /** Cognito attributes of the signed-in user; ends the session when Cognito no longer accepts its token. */
  const cognitoUser = async (_ctx: Ctx, session: Session) => {
    try {
      const tokens = await session.tokens();
      const out = await cognito.send<{ UserAttributes?: { Name?: string; Value?: string }[] }>(
        new GetUserCommand({ AccessToken: tokens.accessToken }),
        { during: "reading the user", retry: true, raw: true },
      );
      return { tokens, attributes: out.UserAttributes ?? [] };
    } catch (error) {
      if (error instanceof SessionInvalid || classify(error) === "credentials") {
        await sessions.destroy(session.id, session.user.username);
        return null;
      }
      throw toWarrantError(error, "reading the user");
    }
  };

  const editable = () =>
    Object.entries(config.attributeMapping).filter(
      ([attr]) => !immutable.has(attr) && !attr.startsWith("cognito:"),
    );

  const formFields = (values: Record<string, string>, errors: Set<string> = new Set()): FormField[] =>
    editable().map(([attr, field]) => ({
      name: field,
      label: attributeLabel(text, attr),
      value: values[field] ?? "",
      type: inputTypes[attr] ?? "text",
      autocomplete: autocompletes[attr] ?? "on",
      ...(errors.has(field) ? { error: text["update.fieldInvalid"] } : {}),
    }));

  // ---- routes -------------------------------------------------------------------------------

  const loginPage = async (ctx: Ctx, status = 200, error?: string, next?: string): Promise<Response> =>
    html(
      pages.login({ ctx: pageContext(ctx, null), ...(error ? { error } : {}), ...(next ? { next } : {}) }),
      status,
      extra(ctx),
    );

  const getLogin = async (ctx: Ctx) => {
    const next = safeNext(new URL(ctx.request.url).searchParams.get("next"));
    if (ctx.json) {
      const session = await currentSession(ctx);
      return session ? json({ user: session.user }, 200, extra(ctx)) : json({ user: null }, 200, extra(ctx));
    }
    return loginPage(ctx, 200, undefined, next);
  };

  const postLogin = async (ctx: Ctx) => {
    const fields = await guardedBody(ctx, () => preSession(ctx));
    if (fields instanceof Response) return fields;
    const next = safeNext(fields.next);
    const result = await warrant.authenticate(fields.username ?? "", fields.password ?? "");
    const n = names(ctx.secure);
    if (result.ok) {
      // A new session id at every login; the one the browser had before is deleted (S5).
      const previous = readToken(ctx.request, n.session);
      if (previous) {
        const id = sessionId(previous);
        const old = await sessions.read(id);
        if (old) await sessions.destroy(id, old.username);
      }
      const created = await warrant.createSession(result, ctx.request);
      const cookies = [created.cookie, `${n.challenge}=${cookieAttrs(ctx.secure, 0)}`];
      return ctx.json
        ? json({ user: result.user, expiresAt: created.session.expiresAt }, 200, extra(ctx, { cookies }))
        : redirect(next ?? config.loginRedirect, extra(ctx, { cookies }));
    }
    if (result.reason === "challenge") {
      const cookies = [`${n.challenge}=${result.challenge.id}${cookieAttrs(ctx.secure, 180)}`];
      const { id: _id, ...visible } = result.challenge;
      return ctx.json
        ? json(
            { challenge: { name: visible.name, parameters: visible.parameters } },
            200,
            extra(ctx, { cookies }),
          )
        : redirect(
            `${base}/login/challenge${next ? `?next=${encodeURIComponent(next)}` : ""}`,
            extra(ctx, { cookies }),
          );
    }
    // One answer for every credential failure: wrong password, unknown, unconfirmed, refused (R7).
    return ctx.json
      ? json({ error: "invalid_credentials", message: text["login.failed"] }, 401, extra(ctx))
      : loginPage(ctx, 401, text["login.failed"], next);
  };

  const challengePage = async (ctx: Ctx) => {
    if (ctx.json)
      return json(
        { error: "challenge_unsupported", message: text["challenge.unsupported"] },
        400,
        extra(ctx),
      );
    return html(
      pages.challenge({ ctx: pageContext(ctx, null), message: text["challenge.unsupported"] }),
      400,
      extra(ctx),
    );
  };

  const postLogout = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    const fields = await guardedBody(ctx, () => (session ? session.id : preSession(ctx)));
    if (fields instanceof Response) return fields;
    const { cookie } = await warrant.logout(ctx.request);
    return ctx.json
      ? json({ ok: true }, 200, extra(ctx, { cookies: [cookie] }))
      : redirect(`${base}/login`, extra(ctx, { cookies: [cookie] }));
  };

  const getLogout = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    const headers = { allow: "POST" };
    if (ctx.json)
      return json(
        { error: "method_not_allowed", message: text["error.methodNotAllowed"] },
        405,
        extra(ctx, { headers }),
      );
    return html(pages.logout({ ctx: pageContext(ctx, session) }), 405, extra(ctx, { headers }));
  };

  const getSessionRoute = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    if (!session) return json({ error: "unauthorized", message: "Sign in first." }, 401, extra(ctx));
    return json({ user: session.user, expiresAt: session.expiresAt }, 200, extra(ctx));
  };

  const getProfile = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    if (!session) return unauthenticated(ctx);
    const found = await cognitoUser(ctx, session);
    if (!found) return unauthenticated(ctx);
    const values = Object.fromEntries(found.attributes.map((a) => [a.Name ?? "", a.Value ?? ""]));
    const shown = [...new Set([...Object.keys(config.attributeMapping), ...profileAttributes])].filter(
      (attr) => attr in config.attributeMapping || values[attr] !== undefined,
    );
    const items: ProfileItem[] = shown.map((attribute) => ({
      attribute,
      label: attributeLabel(text, attribute),
      value: values[attribute],
    }));
    if (ctx.json) {
      return json(
        {
          user: { ...session.user, ...mapAttributes(found.attributes, config.attributeMapping) },
          attributes: Object.fromEntries(shown.map((a) => [a, values[a] ?? null])),
        },
        200,
        extra(ctx),
      );
    }
    const updated = new URL(ctx.request.url).searchParams.get("updated") === "1";
    return html(pages.profile({ ctx: pageContext(ctx, session), items, updated }), 200, extra(ctx));
  };

  const getProfileUpdate = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    if (!session) return unauthenticated(ctx);
    const found = await cognitoUser(ctx, session);
    if (!found) return unauthenticated(ctx);
    const values = mapAttributes(found.attributes, config.attributeMapping);
    if (ctx.json)
      return json(
        { fields: Object.fromEntries(editable().map(([, f]) => [f, values[f] ?? ""])) },
        200,
        extra(ctx),
      );
    return html(
      pages.profileUpdate({ ctx: pageContext(ctx, session), fields: formFields(values) }),
      200,
      extra(ctx),
    );
  };

  const postProfileUpdate = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    if (!session) {
      // Still refuse a cross-origin or malformed post before saying "sign in".
      if (!sameOriginRequest(ctx.request, allowedOrigins(ctx.request, config.origins)))
        return failure(ctx, 403, text["error.forbidden"]);
      return unauthenticated(ctx);
    }
    const fields = await guardedBody(ctx, () => session.id);
    if (fields instanceof Response) return fields;
    const submitted: Record<string, string> = {};
    const errors = new Set<string>();
    for (const [attr, field] of editable()) {
      const value = fields[field];
      if (value === undefined) continue;
      if (value.length > maxValue) errors.add(field);
      // An empty field means "leave as is": Cognito removes attributes only through DeleteUserAttributes.
      else if (value !== "") submitted[field] = attr === "email" ? value.trim() : value;
    }
    const found = await cognitoUser(ctx, session);
    if (!found) return unauthenticated(ctx);
    const current = mapAttributes(found.attributes, config.attributeMapping);
    const merged = { ...current, ...submitted };
    const checked = validateFields(config.userSchema, merged);
    if (!checked.ok) for (const path of checked.paths) if (path in submitted) errors.add(path);
    if (submitted.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(submitted.email))
      errors.add("email");
    if (errors.size || !checked.ok) {
      if (!errors.size && !checked.ok) for (const p of checked.paths) errors.add(p);
      if (ctx.json)
        return json(
          { error: "invalid", message: text["update.invalid"], fields: [...errors] },
          400,
          extra(ctx),
        );
      return html(
        pages.profileUpdate({
          ctx: pageContext(ctx, session),
          fields: formFields(merged, errors),
          error: text["update.invalid"],
        }),
        400,
        extra(ctx),
      );
    }
    const changed = Object.fromEntries(Object.entries(submitted).filter(([k, v]) => current[k] !== v));
    const attributes = reverseMap(changed, config.attributeMapping);
    if (attributes.length) {
      try {
        await cognito.send(
          new UpdateUserAttributesCommand({
            AccessToken: found.tokens.accessToken,
            UserAttributes: attributes,
          }),
          {
            during: "updating the profile",
            raw: true,
          },
        );
      } catch (error) {
        const kind = classify(error);
        if (kind === "rejected") {
          // Cognito refused the values (format, alias taken): a generic "check the fields", never its text.
          if (ctx.json)
            return json(
              { error: "invalid", message: text["update.invalid"], fields: Object.keys(changed) },
              400,
              extra(ctx),
            );
          return html(
            pages.profileUpdate({
              ctx: pageContext(ctx, session),
              fields: formFields(merged, new Set(Object.keys(changed))),
              error: text["update.invalid"],
            }),
            400,
            extra(ctx),
          );
        }
        throw toWarrantError(error, "updating the profile");
      }
    }
    const stored = checked.ok ? checked.stored : {};
    const record = await upsertUser(store, {
      username: session.user.username,
      sub: session.user.sub,
      stored,
      create: true,
      now: config.now(),
      login: false,
    });
    const user = {
      ...session.user,
      ...(checked.ok ? checked.extra : {}),
      ...(record ?? {}),
      groups: session.user.groups,
    };
    await sessions.updateUser(session.id, user);
    return ctx.json ? json({ user }, 200, extra(ctx)) : redirect(`${base}/profile?updated=1`, extra(ctx));
  };

  type Route = (ctx: Ctx) => Promise<Response>;
  const routes: Record<string, Partial<Record<"GET" | "POST", Route>>> = {
    "/login": { GET: getLogin, POST: postLogin },
    "/login/challenge": { GET: challengePage, POST: challengePage },
    "/logout": { GET: getLogout, POST: postLogout },
    "/session": { GET: getSessionRoute },
    "/profile": { GET: getProfile },
    "/profile/update": { GET: getProfileUpdate, POST: postProfileUpdate },
  };

  const notFound = () =>
    new Response("Not Found", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });

  /**
   * The account routes. Anything it does not own answers 404, so an app can fall through to its own routes.
   */
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    // Collapse repeated slashes so `//login` and `/login` are one route (and one rate-limit key).
    const pathname = url.pathname.replace(/\/{2,}/g, "/");
    if (!(pathname === base || pathname.startsWith(`${base}/`))) return notFound();
    const path = pathname.slice(base.length).replace(/\/$/, "") || "/";
    const route = routes[path];
    if (!route) return notFound();
    const ctx: Ctx = {
      request,
      requestId: randomId(),
      json: wantsJson(request),
      secure: isSecure(request, config.origins),
      cookies: [],
    };
    const method = request.method === "HEAD" ? "GET" : request.method;
    const run = route[method as "GET" | "POST"];
    if (!run)
      return failure(ctx, 405, text["error.methodNotAllowed"], {
        headers: { allow: Object.keys(route).join(", ") },
      });
    try {
      return await run(ctx);
    } catch (error) {
      return errorResponse(ctx, error);
    }
  };

  /**
   * Wraps an application handler so it runs only for a signed-in user.
   */
  const protect =
    (inner: (request: Request, context: ProtectContext) => Response | Promise<Response>) =>
    async (request: Request): Promise<Response> => {
      const ctx: Ctx = {
        request,
        requestId: randomId(),
        json: wantsJson(request),
        secure: isSecure(request, config.origins),
        cookies: [],
      };
      let session: Session | null;
      try {
        session = await warrant.getSession(request);
      } catch (error) {
        return errorResponse(ctx, error);
      }
      if (!session) return unauthenticated(ctx);
      return inner(request, { user: session.user, session });
    };

  return { handler, protect, pages, text };
}
