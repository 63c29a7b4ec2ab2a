/**
 * @module
 * `warrant.handler` and `warrant.protect`: the account routes under `basePath`, safe by default
 * (origin check, CSRF, body limits, safe redirects, security headers, generic errors).
 */
import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Tokens } from "../cognito/auth.ts";
import { type ChallengeAnswer, challengeTtl, mfaChoices, requiredAttributes } from "../cognito/challenges.ts";
import { classify, cognitoName, toWarrantError } from "../cognito/errors.ts";
import { secretHash } from "../cognito/secret-hash.ts";
import { WarrantError } from "../errors.ts";
import { limits } from "../limits.ts";
import {
  builtinPages,
  type ChallengeChoice,
  type FormField,
  type PageContext,
  type Pages,
  type ProfileItem,
} from "../pages/pages.ts";
import { attributeLabel, defaultText, fill, type Text } from "../pages/text.ts";
import { cookieName, isSecure, readToken } from "../sessions/cookie.ts";
import { type Session, SessionInvalid, type SessionUser, sessionId } from "../sessions/store.ts";
import { mapAttributes, reverseMap } from "../users/mapping.ts";
import { upsertUser, validateFields } from "../users/store.ts";
import type { PublicChallenge, RespondResult, Warrant } from "../warrant.ts";
import { createAdminRoutes } from "./admin.ts";
import { type Body, BodyError, type BodyOptions, readBody } from "./body.ts";
import { createCsrf } from "./csrf.ts";
import { safeNext } from "./next.ts";
import { allowedOrigins, sameOriginRequest } from "./origin.ts";
import { createRateLimiter } from "./rate-limit.ts";
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
  const limiter = createRateLimiter(store, config.rateLimit, config.now);
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
  const guardedBody = async (
    ctx: Ctx,
    binding: () => string,
    options: BodyOptions = {},
  ): Promise<Body | Response> => {
    if (!sameOriginRequest(ctx.request, allowedOrigins(ctx.request, config.origins))) {
      return failure(ctx, 403, text["error.forbidden"]);
    }
    const body = await readBody(ctx.request, options);
    if (!body.json && !csrf.verify(binding(), body.fields.csrf))
      return failure(ctx, 403, text["error.forbidden"]);
    return body;
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

  /**
   * A finished login: a new session id (the one the browser had before is deleted, S5), the pending
   * challenge cookie expired, then 303 to `next` or `loginRedirect` (JSON: 200 `{ user, expiresAt }`).
   */
  const signIn = async (ctx: Ctx, login: { user: SessionUser; tokens: Tokens }, next?: string) => {
    const previous = readToken(ctx.request, names(ctx.secure).session);
    if (previous) {
      const id = sessionId(previous);
      const old = await sessions.read(id);
      if (old) await sessions.destroy(id, old.username);
    }
    const created = await warrant.createSession(login, ctx.request);
    const cookies = [created.cookie, clearChallengeCookie(ctx)];
    return ctx.json
      ? json({ user: login.user, expiresAt: created.session.expiresAt }, 200, extra(ctx, { cookies }))
      : redirect(next ?? config.loginRedirect, extra(ctx, { cookies }));
  };

  /** The pending challenge's id travels only in this cookie: never in a URL, a form or a JSON body. */
  const challengeCookie = (ctx: Ctx, id: string) =>
    `${names(ctx.secure).challenge}=${id}${cookieAttrs(ctx.secure, challengeTtl)}`;
  const clearChallengeCookie = (ctx: Ctx) => `${names(ctx.secure).challenge}=${cookieAttrs(ctx.secure, 0)}`;
  const pendingId = (ctx: Ctx): string | undefined => {
    const value = cookieValue(ctx.request, names(ctx.secure).challenge);
    return value && tokenPattern.test(value) ? value : undefined;
  };

  /** What a caller may see of a challenge: never its id (that is the cookie) and never its Cognito session. */
  const challengeView = (challenge: PublicChallenge) => ({
    name: challenge.name,
    parameters: challenge.parameters,
    ...(challenge.totp ? { totp: challenge.totp } : {}),
  });

  const challengePath = (next?: string) =>
    `${base}/login/challenge${next ? `?next=${encodeURIComponent(next)}` : ""}`;

  const postLogin = async (ctx: Ctx) => {
    const body = await guardedBody(ctx, () => preSession(ctx));
    if (body instanceof Response) return body;
    const { fields } = body;
    const next = safeNext(fields.next);
    const account = fields.username ?? "";
    const limited = await overLimit(ctx, account, next);
    if (limited) return limited;
    const result = await warrant.authenticate(account, fields.password ?? "");
    if (result.ok) {
      await limiter.succeed(account);
      return signIn(ctx, result, next);
    }
    if (result.reason === "challenge") {
      const cookies = [challengeCookie(ctx, result.challenge.id)];
      return ctx.json
        ? json({ challenge: challengeView(result.challenge) }, 200, extra(ctx, { cookies }))
        : redirect(challengePath(next), extra(ctx, { cookies }));
    }
    await limiter.fail(ctx.request, account);
    // One answer for every credential failure: wrong password, unknown, unconfirmed, refused (R7).
    return ctx.json
      ? json({ error: "invalid_credentials", message: text["login.failed"] }, 401, extra(ctx))
      : loginPage(ctx, 401, text["login.failed"], next);
  };

  /** The 429 to answer when this account or address is over its limit; undefined to go ahead (R8). */
  const overLimit = async (ctx: Ctx, account: string, next?: string): Promise<Response | undefined> => {
    const verdict = await limiter.check(ctx.request, account);
    return verdict.ok ? undefined : throttled(ctx, verdict.retryAfter, next);
  };

  /** 429 with Retry-After: too many failed attempts for this account or address (R8). */
  const throttled = (ctx: Ctx, retryAfter: number, next?: string): Promise<Response> | Response => {
    const more = { headers: { "retry-after": String(retryAfter) } };
    if (ctx.json)
      return json({ error: "too_many_requests", message: text["login.throttled"] }, 429, extra(ctx, more));
    return html(
      pages.login({ ctx: pageContext(ctx, null), error: text["login.throttled"], ...(next ? { next } : {}) }),
      429,
      extra(ctx, more),
    );
  };

  /** Field errors of a challenge form, by field name (`code`, `newPassword`, `mfaType`, `attributes.x`). */
  type FieldErrors = Record<string, string>;

  const codeField = (error?: string): FormField => ({
    name: "code",
    label: text["challenge.code"],
    value: "",
    type: "text",
    autocomplete: "one-time-code",
    inputmode: "numeric",
    required: true,
    ...(error ? { error } : {}),
  });

  /** The form of a pending challenge, with what the person typed (never a password or a code) and errors. */
  const challengeForm = (
    ctx: Ctx,
    challenge: PublicChallenge,
    options: { status?: number; errors?: FieldErrors; values?: Record<string, string>; next?: string },
    more: Omit<Extra, "requestId"> = {},
  ): Response => {
    const errors = options.errors ?? {};
    const name = challenge.name;
    let fields: FormField[] = [];
    let choices: ChallengeChoice[] = [];
    let message = text[`challenge.intro.${name}`] ?? text["challenge.title"];
    if (name === "NEW_PASSWORD_REQUIRED") {
      const password = (field: string, label: string): FormField => ({
        name: field,
        label,
        value: "",
        type: "password",
        autocomplete: "new-password",
        required: true,
        ...(errors[field] ? { error: errors[field] } : {}),
      });
      fields = [
        password("newPassword", text["challenge.newPassword"]),
        password("confirmPassword", text["challenge.confirmPassword"]),
        ...requiredAttributes(challenge).map((attribute): FormField => {
          const field = `attributes.${attribute}`;
          return {
            name: field,
            label: attributeLabel(text, attribute),
            value: options.values?.[field] ?? "",
            type: inputTypes[attribute] ?? "text",
            autocomplete: autocompletes[attribute] ?? "on",
            required: true,
            ...(errors[field] ? { error: errors[field] } : {}),
          };
        }),
      ];
    } else if (name === "SELECT_MFA_TYPE") {
      choices = mfaChoices(challenge).map((value) => ({
        value,
        label: text[`challenge.method.${value}`] ?? value,
      }));
    } else {
      fields = [codeField(errors.code)];
      if (name === "SMS_MFA" || name === "EMAIL_OTP") {
        message = fill(message, {
          destination: challenge.parameters.CODE_DELIVERY_DESTINATION || text["challenge.destination"],
        });
      }
    }
    return html(
      pages.challenge({
        ctx: pageContext(ctx, null),
        name,
        message,
        fields,
        choices,
        ...(errors.mfaType ? { choiceError: errors.mfaType } : {}),
        ...(challenge.totp ? { totp: challenge.totp } : {}),
        ...(options.next ? { next: options.next } : {}),
      }),
      options.status ?? 200,
      extra(ctx, more),
    );
  };

  /** Sign-in has to start again (expired, used, too many attempts): a clear page, the cookie expired. */
  const restart = (ctx: Ctx, reason: "challenge_expired" | "too_many_attempts"): Response => {
    const message =
      reason === "too_many_attempts" ? text["challenge.tooManyAttempts"] : text["challenge.expired"];
    const had = cookieValue(ctx.request, names(ctx.secure).challenge) !== undefined;
    const more = had ? { cookies: [clearChallengeCookie(ctx)] } : {};
    if (ctx.json) return json({ error: reason, message }, 400, extra(ctx, more));
    return html(pages.challenge({ ctx: pageContext(ctx, null), message }), 400, extra(ctx, more));
  };

  const getChallenge = async (ctx: Ctx) => {
    const next = safeNext(new URL(ctx.request.url).searchParams.get("next"));
    const id = pendingId(ctx);
    const challenge = id ? await warrant.pendingChallenge(id) : null;
    if (!challenge) return restart(ctx, "challenge_expired");
    if (ctx.json) return json({ challenge: challengeView(challenge) }, 200, extra(ctx));
    return challengeForm(ctx, challenge, next ? { next } : {});
  };

  /** Codes as people type them ("123 456"): the spaces go; anything else is for validation to refuse. */
  const codeOf = (value: string | undefined) => (value ?? "").replace(/\s+/g, "");

  /**
   * The answer a form or JSON body gives to `challenge`, or the errors found before anything is sent.
   * The password confirmation is checked here; the shape of every answer is checked by `respond`.
   */
  const answerOf = (
    challenge: PublicChallenge,
    body: Body,
  ): { answer: ChallengeAnswer } | { errors: FieldErrors } => {
    const { fields } = body;
    switch (challenge.name) {
      case "NEW_PASSWORD_REQUIRED": {
        const newPassword = fields.newPassword ?? "";
        // Forms always confirm; a JSON client confirms only if it sends the field.
        if (!body.json || fields.confirmPassword !== undefined) {
          if (newPassword === "") return { errors: { newPassword: text["challenge.fieldRequired"] } };
          if (fields.confirmPassword !== newPassword)
            return { errors: { confirmPassword: text["challenge.passwordMismatch"] } };
        }
        if (body.json) {
          const attributes = body.objects.attributes;
          return { answer: { newPassword, ...(attributes ? { attributes } : {}) } };
        }
        const required = requiredAttributes(challenge);
        if (!required.length) return { answer: { newPassword } };
        const attributes: Record<string, string> = {};
        const errors: FieldErrors = {};
        for (const attribute of required) {
          const value = fields[`attributes.${attribute}`] ?? "";
          if (value === "") errors[`attributes.${attribute}`] = text["challenge.fieldRequired"];
          else attributes[attribute] = value;
        }
        return Object.keys(errors).length ? { errors } : { answer: { newPassword, attributes } };
      }
      case "SELECT_MFA_TYPE":
        return { answer: { mfaType: fields.mfaType ?? "" } };
      default:
        return { answer: { code: codeOf(fields.code) } };
    }
  };

  /** Which fields an `invalid_answer` from `respond` is about, with the generic error to show there. */
  const errorsOf = (challenge: PublicChallenge, issues: string[]): FieldErrors => {
    if (challenge.name === "SELECT_MFA_TYPE") return { mfaType: text["challenge.methodRequired"] };
    if (challenge.name !== "NEW_PASSWORD_REQUIRED") return { code: text["challenge.codeInvalid"] };
    const errors: FieldErrors = {};
    for (const issue of issues) {
      // Issues name their field first ("attributes.given_name is required") and never quote input.
      const field = issue.split(" ")[0] ?? "";
      if (field.startsWith("attributes.")) errors[field] = text["challenge.fieldRequired"];
      else errors.newPassword = text["challenge.passwordRejected"];
    }
    return Object.keys(errors).length ? errors : { newPassword: text["challenge.passwordRejected"] };
  };

  /** A 400 for an answer that did not work, the form again with the errors on their fields. */
  const answerRefused = (
    ctx: Ctx,
    challenge: PublicChallenge,
    error: "invalid_answer" | "invalid_code" | "password_rejected",
    errors: FieldErrors,
    form: { values: Record<string, string>; next?: string; cookies?: string[]; attemptsLeft?: number },
  ): Response => {
    const more = { cookies: form.cookies ?? [] };
    if (ctx.json) {
      // Field names and our own words only: never what was sent, never Cognito's message.
      return json(
        {
          error,
          message: Object.values(errors)[0] ?? text["challenge.codeInvalid"],
          fields: Object.keys(errors),
          ...(form.attemptsLeft !== undefined ? { attemptsLeft: form.attemptsLeft } : {}),
          challenge: challengeView(challenge),
        },
        400,
        extra(ctx, more),
      );
    }
    return challengeForm(
      ctx,
      challenge,
      { status: 400, errors, values: form.values, ...(form.next ? { next: form.next } : {}) },
      more,
    );
  };

  const postChallenge = async (ctx: Ctx) => {
    const next = safeNext(new URL(ctx.request.url).searchParams.get("next"));
    const body = await guardedBody(ctx, () => preSession(ctx), { objects: ["attributes"] });
    if (body instanceof Response) return body;
    const id = pendingId(ctx);
    const challenge = id ? await warrant.pendingChallenge(id) : null;
    if (!id || !challenge) return restart(ctx, "challenge_expired");
    // Attribute values the person typed are shown again on an error; passwords and codes never are.
    const values = Object.fromEntries(
      Object.entries(body.fields).filter(([k]) => k.startsWith("attributes.")),
    );
    const form = { values, ...(next ? { next } : {}) };
    const built = answerOf(challenge, body);
    if ("errors" in built) return answerRefused(ctx, challenge, "invalid_answer", built.errors, form);
    const limited = await overLimit(ctx, challenge.username);
    if (limited) return limited;
    const result: RespondResult = await warrant.respond(id, built.answer);
    if (result.ok) {
      await limiter.succeed(challenge.username);
      return signIn(ctx, result, next);
    }
    if (result.reason === "invalid_code" || result.reason === "too_many_attempts") {
      await limiter.fail(ctx.request, challenge.username);
    }
    switch (result.reason) {
      case "challenge": {
        const cookies = [challengeCookie(ctx, result.challenge.id)];
        return ctx.json
          ? json({ challenge: challengeView(result.challenge) }, 200, extra(ctx, { cookies }))
          : redirect(challengePath(next), extra(ctx, { cookies }));
      }
      case "invalid_answer":
        return answerRefused(
          ctx,
          result.challenge,
          "invalid_answer",
          errorsOf(result.challenge, result.issues),
          form,
        );
      case "invalid_code":
      case "password_rejected": {
        const what =
          result.reason === "invalid_code"
            ? text["challenge.codeInvalid"]
            : text["challenge.passwordRejected"];
        const left = fill(text["challenge.attemptsLeft"], { count: String(result.attemptsLeft) });
        const field =
          result.challenge.name === "NEW_PASSWORD_REQUIRED"
            ? "newPassword"
            : result.challenge.name === "SELECT_MFA_TYPE"
              ? "mfaType"
              : "code";
        return answerRefused(
          ctx,
          result.challenge,
          result.reason,
          { [field]: `${what} ${left}` },
          {
            ...form,
            // The old id is spent: the retry goes with the new one.
            cookies: [challengeCookie(ctx, result.challenge.id)],
            attemptsLeft: result.attemptsLeft,
          },
        );
      }
      case "challenge_expired":
      case "too_many_attempts":
        return restart(ctx, result.reason);
      default: {
        // A credential failure at the last step (e.g. a user this site refuses): the login's one answer (R7).
        const cookies = [clearChallengeCookie(ctx)];
        return ctx.json
          ? json(
              { error: "invalid_credentials", message: text["login.failed"] },
              401,
              extra(ctx, { cookies }),
            )
          : html(
              pages.login({
                ctx: pageContext(ctx, null),
                error: text["login.failed"],
                ...(next ? { next } : {}),
              }),
              401,
              extra(ctx, { cookies }),
            );
      }
    }
  };

  const postLogout = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    const body = await guardedBody(ctx, () => (session ? session.id : preSession(ctx)));
    if (body instanceof Response) return body;
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
    const query = new URL(ctx.request.url).searchParams;
    const updated = query.get("updated") === "1";
    const notice = query.get("password") === "changed" ? text["password.changed"] : undefined;
    return html(
      pages.profile({ ctx: pageContext(ctx, session), items, updated, ...(notice ? { notice } : {}) }),
      200,
      extra(ctx),
    );
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

  /** A signed-in user's post: origin, body and CSRF (bound to the session) checked. */
  const signedInPost = async (ctx: Ctx): Promise<{ session: Session; body: Body } | Response> => {
    const session = await currentSession(ctx);
    if (!session) {
      // Still refuse a cross-origin post before saying "sign in".
      if (!sameOriginRequest(ctx.request, allowedOrigins(ctx.request, config.origins)))
        return failure(ctx, 403, text["error.forbidden"]);
      return unauthenticated(ctx);
    }
    const body = await guardedBody(ctx, () => session.id);
    return body instanceof Response ? body : { session, body };
  };

  const postProfileUpdate = async (ctx: Ctx) => {
    const post = await signedInPost(ctx);
    if (post instanceof Response) return post;
    const { session, body } = post;
    const { fields } = body;
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

  // ---- password upkeep ------------------------------------------------------------------------

  /** SECRET_HASH for the calls that name a user without a token (forgot, reset, sign-up, confirm). */
  const withHash = (username: string) =>
    config.clientSecret ? { SecretHash: secretHash(username, config.clientId, config.clientSecret) } : {};

  /**
   * Cognito's error name for a refusal the form can explain (a wrong code, a weak password); an outage,
   * a throttle or a wrong client secret is thrown instead, to become a 503/429/500 page.
   */
  const refusalOf = (error: unknown, during: string): string | undefined => {
    const kind = classify(error);
    if (kind === "unavailable" || kind === "throttled" || kind === "secret")
      throw toWarrantError(error, during);
    return cognitoName(error);
  };

  const passwordField = (name: string, label: string, autocomplete: string, error?: string): FormField => ({
    name,
    label,
    value: "",
    type: "password",
    autocomplete,
    required: true,
    ...(error ? { error } : {}),
  });
  const textField = (
    name: string,
    label: string,
    value: string,
    autocomplete: string,
    error?: string,
  ): FormField => ({
    name,
    label,
    value,
    type: "text",
    autocomplete,
    required: true,
    ...(autocomplete === "one-time-code" ? { inputmode: "numeric" as const } : {}),
    ...(error ? { error } : {}),
  });
  type Errors = Record<string, string>;
  const changeFields = (errors: Errors = {}) => [
    passwordField("currentPassword", text["password.current"], "current-password", errors.currentPassword),
    passwordField("newPassword", text["password.new"], "new-password", errors.newPassword),
    passwordField("confirmPassword", text["password.confirm"], "new-password", errors.confirmPassword),
  ];
  const forgotFields = (username = "", errors: Errors = {}) => [
    textField("username", text["login.username"], username, "username", errors.username),
  ];
  const resetFields = (username = "", errors: Errors = {}) => [
    textField("username", text["login.username"], username, "username", errors.username),
    textField("code", text["password.code"], "", "one-time-code", errors.code),
    passwordField("newPassword", text["password.new"], "new-password", errors.newPassword),
    passwordField("confirmPassword", text["password.confirm"], "new-password", errors.confirmPassword),
  ];
  const passwordPage = (
    ctx: Ctx,
    session: Session | null,
    kind: "change" | "forgot" | "reset",
    fields: FormField[],
    status = 200,
    notes: { error?: string; message?: string } = {},
  ) => html(pages.password({ ctx: pageContext(ctx, session), kind, fields, ...notes }), status, extra(ctx));
  const fieldErrors = (ctx: Ctx, errors: Errors, render: () => Response, status = 400) =>
    ctx.json
      ? json(
          { error: "invalid", message: Object.values(errors)[0], fields: Object.keys(errors) },
          status,
          extra(ctx),
        )
      : render();

  /** New passwords go to Cognito untouched (R4); only emptiness, length and the confirmation are checked here. */
  const checkNewPassword = (fields: Record<string, string>, errors: Errors, json: boolean) => {
    const proposed = fields.newPassword ?? "";
    if (proposed.length === 0 || proposed.length > limits.password)
      errors.newPassword = text["password.weak"];
    // JSON callers confirm on their side; a form has the second field.
    else if (!json && fields.confirmPassword !== proposed) errors.confirmPassword = text["password.mismatch"];
  };

  const getPasswordChange = async (ctx: Ctx) => {
    const session = await currentSession(ctx);
    if (!session) return unauthenticated(ctx);
    if (ctx.json) return json({ fields: ["currentPassword", "newPassword"] }, 200, extra(ctx));
    return passwordPage(ctx, session, "change", changeFields());
  };

  const postPasswordChange = async (ctx: Ctx) => {
    const post = await signedInPost(ctx);
    if (post instanceof Response) return post;
    const { session, body } = post;
    const fields = body.fields;
    const errors: Errors = {};
    const current = fields.currentPassword ?? "";
    if (current.length === 0 || current.length > limits.password)
      errors.currentPassword = text["password.wrongCurrent"];
    checkNewPassword(fields, errors, body.json);
    const again = (status = 400) =>
      fieldErrors(
        ctx,
        errors,
        () => passwordPage(ctx, session, "change", changeFields(errors), status),
        status,
      );
    if (Object.keys(errors).length) return again();
    const limited = await overLimit(ctx, session.user.username);
    if (limited) return limited;
    let tokens: Tokens;
    try {
      tokens = await session.tokens();
      await cognito.send(
        new ChangePasswordCommand({
          AccessToken: tokens.accessToken,
          PreviousPassword: current,
          ProposedPassword: fields.newPassword!,
        }),
        { during: "changing the password", raw: true },
      );
    } catch (error) {
      if (error instanceof SessionInvalid) return unauthenticated(ctx);
      const name = refusalOf(error, "changing the password");
      // A wrong current password: cognito-local says InvalidPasswordException where Cognito says NotAuthorized.
      if (
        name === "NotAuthorizedException" ||
        (name === "InvalidPasswordException" &&
          /incorrect|invalid password$/i.test(String((error as Error).message)))
      ) {
        await limiter.fail(ctx.request, session.user.username);
        errors.currentPassword = text["password.wrongCurrent"];
        return again();
      }
      if (name === "InvalidPasswordException" || name === "InvalidParameterException") {
        errors.newPassword = text["password.weak"];
        return again();
      }
      throw toWarrantError(error, "changing the password");
    }
    // Every other session of this user ends, and this browser gets a new session id (S5, S12).
    await sessions.destroyAll(session.user.username);
    const created = await warrant.createSession({ user: session.user, tokens }, ctx.request);
    const cookies = [created.cookie];
    return ctx.json
      ? json({ ok: true }, 200, extra(ctx, { cookies }))
      : redirect(`${base}/profile?password=changed`, extra(ctx, { cookies }));
  };

  const getPasswordForgot = async (ctx: Ctx) => {
    if (ctx.json) return json({ fields: ["username"] }, 200, extra(ctx));
    return passwordPage(ctx, null, "forgot", forgotFields(), 200, { message: text["password.forgot.intro"] });
  };

  const postPasswordForgot = async (ctx: Ctx) => {
    const body = await guardedBody(ctx, () => preSession(ctx));
    if (body instanceof Response) return body;
    const username = body.fields.username ?? "";
    const sent = () =>
      ctx.json
        ? json({ ok: true, message: text["password.reset.sent"] }, 200, extra(ctx))
        : redirect(`${base}/password/reset?sent=1&username=${encodeURIComponent(username)}`, extra(ctx));
    if (username.length === 0 || username.length > limits.username) {
      const errors = { username: text["login.failed"] };
      return fieldErrors(ctx, errors, () =>
        passwordPage(ctx, null, "forgot", forgotFields(username, errors), 400),
      );
    }
    const limited = await overLimit(ctx, username);
    if (limited) return limited;
    // Every request counts: it sends a message, so it is limited like a failed login.
    await limiter.fail(ctx.request, username);
    try {
      await cognito.send(
        new ForgotPasswordCommand({
          ClientId: config.clientId,
          Username: username,
          ...withHash(username),
        }),
        { during: "sending a password code", raw: true },
      );
    } catch (error) {
      refusalOf(error, "sending a password code");
      // Unknown user, no verified contact, …: answered like success, so the form tells nobody who exists (R7).
    }
    return sent();
  };

  const getPasswordReset = async (ctx: Ctx) => {
    const query = new URL(ctx.request.url).searchParams;
    const username = (query.get("username") ?? "").slice(0, limits.username);
    if (ctx.json) return json({ fields: ["username", "code", "newPassword"] }, 200, extra(ctx));
    const message = query.get("sent") === "1" ? text["password.reset.sent"] : undefined;
    return passwordPage(ctx, null, "reset", resetFields(username), 200, message ? { message } : {});
  };

  const postPasswordReset = async (ctx: Ctx) => {
    const body = await guardedBody(ctx, () => preSession(ctx));
    if (body instanceof Response) return body;
    const fields = body.fields;
    const username = fields.username ?? "";
    const code = (fields.code ?? "").replace(/\s+/g, "");
    const errors: Errors = {};
    if (username.length === 0 || username.length > limits.username)
      errors.username = text["password.badCode"];
    if (!/^\d{6,8}$/.test(code)) errors.code = text["password.badCode"];
    checkNewPassword(fields, errors, body.json);
    const again = (status = 400) =>
      fieldErrors(
        ctx,
        errors,
        () => passwordPage(ctx, null, "reset", resetFields(username, errors), status),
        status,
      );
    if (Object.keys(errors).length) return again();
    const limited = await overLimit(ctx, username);
    if (limited) return limited;
    try {
      await cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: config.clientId,
          Username: username,
          ConfirmationCode: code,
          Password: fields.newPassword!,
          ...withHash(username),
        }),
        { during: "resetting the password", raw: true },
      );
    } catch (error) {
      const name = refusalOf(error, "resetting the password");
      if (name === "InvalidPasswordException") {
        errors.newPassword = text["password.weak"];
        return again();
      }
      // A wrong or expired code and an unknown user look the same (R7).
      await limiter.fail(ctx.request, username);
      errors.code = text["password.badCode"];
      return again();
    }
    await limiter.succeed(username);
    // Signed in with the new password: every older session of the user ends, this one is new (S5, S12).
    const result = await warrant.authenticate(username, fields.newPassword!);
    if (result.ok) {
      await sessions.destroyAll(result.user.username);
      return signIn(ctx, result, undefined);
    }
    if (result.reason === "challenge") {
      const cookies = [challengeCookie(ctx, result.challenge.id)];
      return ctx.json
        ? json({ challenge: challengeView(result.challenge) }, 200, extra(ctx, { cookies }))
        : redirect(challengePath(), extra(ctx, { cookies }));
    }
    return ctx.json ? json({ ok: true }, 200, extra(ctx)) : redirect(`${base}/login`, extra(ctx));
  };

  // ---- sign-up --------------------------------------------------------------------------------

  const signupFields = (values: Record<string, string> = {}, errors: Errors = {}): FormField[] => [
    { ...textField("email", text["signup.email"], values.email ?? "", "email", errors.email), type: "email" },
    passwordField("password", text["login.password"], "new-password", errors.password),
    passwordField("confirmPassword", text["password.confirm"], "new-password", errors.confirmPassword),
    // The mapped attributes a person may set (names, …), except the email that is already asked for.
    ...formFields(values, new Set(Object.keys(errors))).filter(
      (f) => f.name !== config.attributeMapping.email,
    ),
  ];
  const confirmFields = (username = "", errors: Errors = {}) => [
    textField("username", text["login.username"], username, "username", errors.username),
    textField("code", text["password.code"], "", "one-time-code", errors.code),
  ];
  const signupPage = (
    ctx: Ctx,
    kind: "signup" | "confirm",
    fields: FormField[],
    status = 200,
    notes: { error?: string; message?: string } = {},
  ) => html(pages.signup({ ctx: pageContext(ctx, null), kind, fields, ...notes }), status, extra(ctx));

  const getSignup = async (ctx: Ctx) => {
    if (ctx.json)
      return json({ fields: ["email", "password", ...editable().map(([, f]) => f)] }, 200, extra(ctx));
    return signupPage(ctx, "signup", signupFields());
  };

  const postSignup = async (ctx: Ctx) => {
    const body = await guardedBody(ctx, () => preSession(ctx));
    if (body instanceof Response) return body;
    const fields = body.fields;
    const mail = (fields.email ?? "").trim();
    const errors: Errors = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail) || mail.length > limits.username)
      errors.email = text["update.fieldInvalid"];
    const password = fields.password ?? "";
    if (password.length === 0 || password.length > limits.password) errors.password = text["password.weak"];
    else if (!body.json && fields.confirmPassword !== password)
      errors.confirmPassword = text["password.mismatch"];
    const attributes: Record<string, string> = {};
    for (const [, field] of editable()) {
      const value = fields[field];
      if (value === undefined || value === "" || field === config.attributeMapping.email) continue;
      if (value.length > maxValue) errors[field] = text["update.fieldInvalid"];
      else attributes[field] = value;
    }
    const checked = validateFields(config.userSchema, {
      ...attributes,
      ...(config.attributeMapping.email ? { [config.attributeMapping.email]: mail } : {}),
    });
    if (!checked.ok)
      for (const path of checked.paths) if (path in attributes) errors[path] = text["update.fieldInvalid"];
    const again = (status = 400, error = text["signup.invalid"]) =>
      fieldErrors(
        ctx,
        errors,
        () =>
          signupPage(ctx, "signup", signupFields({ ...attributes, email: mail }, errors), status, { error }),
        status,
      );
    if (Object.keys(errors).length) return again();
    const limited = await overLimit(ctx, mail);
    if (limited) return limited;
    // Each sign-up sends a message: it counts against the address and the name like a failed login.
    await limiter.fail(ctx.request, mail);
    try {
      await cognito.send(
        new SignUpCommand({
          ClientId: config.clientId,
          Username: mail,
          Password: password,
          UserAttributes: [
            { Name: "email", Value: mail },
            ...reverseMap(attributes, config.attributeMapping).filter((a) => a.Name !== "email"),
          ],
          ...withHash(mail),
        }),
        { during: "signing up", raw: true },
      );
    } catch (error) {
      const name = refusalOf(error, "signing up");
      if (name === "InvalidPasswordException") {
        errors.password = text["password.weak"];
        return again();
      }
      // An existing name (UsernameExistsException) is answered like a new one (R7); so is anything the
      // pool refuses about the account, to say nothing about who is registered.
      if (name !== "UsernameExistsException") {
        errors.email = text["update.fieldInvalid"];
        return again();
      }
    }
    return ctx.json
      ? json({ ok: true, message: text["signup.sent"] }, 200, extra(ctx))
      : redirect(`${base}/signup/confirm?sent=1&username=${encodeURIComponent(mail)}`, extra(ctx));
  };

  const getSignupConfirm = async (ctx: Ctx) => {
    const query = new URL(ctx.request.url).searchParams;
    const username = (query.get("username") ?? "").slice(0, limits.username);
    if (ctx.json) return json({ fields: ["username", "code"] }, 200, extra(ctx));
    const message = query.get("sent") === "1" ? text["signup.sent"] : undefined;
    return signupPage(ctx, "confirm", confirmFields(username), 200, message ? { message } : {});
  };

  const postSignupConfirm = async (ctx: Ctx) => {
    const body = await guardedBody(ctx, () => preSession(ctx));
    if (body instanceof Response) return body;
    const username = body.fields.username ?? "";
    const code = (body.fields.code ?? "").replace(/\s+/g, "");
    const errors: Errors = {};
    if (username.length === 0 || username.length > limits.username)
      errors.username = text["password.badCode"];
    if (!/^\d{6,8}$/.test(code)) errors.code = text["password.badCode"];
    const again = () =>
      fieldErrors(ctx, errors, () => signupPage(ctx, "confirm", confirmFields(username, errors), 400));
    if (Object.keys(errors).length) return again();
    const limited = await overLimit(ctx, username);
    if (limited) return limited;
    try {
      await cognito.send(
        new ConfirmSignUpCommand({
          ClientId: config.clientId,
          Username: username,
          ConfirmationCode: code,
          ...withHash(username),
        }),
        {
          during: "confirming the sign-up",
          raw: true,
        },
      );
    } catch (error) {
      refusalOf(error, "confirming the sign-up");
      await limiter.fail(ctx.request, username);
      errors.code = text["password.badCode"];
      return again();
    }
    return ctx.json
      ? json({ ok: true, message: text["signup.confirmed"] }, 200, extra(ctx))
      : redirect(`${base}/login`, extra(ctx));
  };

  const admin = createAdminRoutes<Ctx>({
    config,
    cognito,
    sessions,
    pages,
    text,
    session: currentSession,
    unauthenticated,
    failure: (ctx, status, message) => failure(ctx, status, message),
    pageContext,
    form: async (ctx, session) => {
      const body = await guardedBody(ctx, () => session.id);
      return body instanceof Response ? body : body.fields;
    },
    html: (ctx, body, status = 200) => html(body, status, extra(ctx)),
    json: (ctx, data, status = 200) => json(data, status, extra(ctx)),
    redirect: (ctx, location) => redirect(location, extra(ctx)),
    wantsJson: (ctx) => ctx.json,
    url: (ctx) => new URL(ctx.request.url),
  });

  type Route = (ctx: Ctx) => Promise<Response>;
  const routes: Record<string, Partial<Record<"GET" | "POST", Route>>> = {
    "/login": { GET: getLogin, POST: postLogin },
    "/login/challenge": { GET: getChallenge, POST: postChallenge },
    "/logout": { GET: getLogout, POST: postLogout },
    "/session": { GET: getSessionRoute },
    "/profile": { GET: getProfile },
    "/profile/update": { GET: getProfileUpdate, POST: postProfileUpdate },
    "/password/change": { GET: getPasswordChange, POST: postPasswordChange },
    "/password/forgot": { GET: getPasswordForgot, POST: postPasswordForgot },
    "/password/reset": { GET: getPasswordReset, POST: postPasswordReset },
    "/signup": { GET: getSignup, POST: postSignup },
    "/signup/confirm": { GET: getSignupConfirm, POST: postSignupConfirm },
    "/admin/users": { GET: admin.list },
  };

  /** Routes with a parameter: `/admin/users/<username>`. */
  const paramRoute = (path: string): Partial<Record<"GET" | "POST", Route>> | undefined => {
    const match = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (!match) return undefined;
    let username: string;
    try {
      username = decodeURIComponent(match[1]!);
    } catch {
      return undefined;
    }
    return { GET: (ctx) => admin.show(ctx, username), POST: (ctx) => admin.act(ctx, username) };
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
    const route = routes[path] ?? paramRoute(path);
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
