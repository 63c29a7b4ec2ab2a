/**
 * @module
 * Password upkeep: `GET/POST /password/change` (signed in: ChangePassword, then a new session id and
 * every other session of the user ended, S5 and S12), `/password/forgot` (a code by ForgotPassword, one
 * answer for known and unknown names, R7) and `/password/reset` (code + new password, then signed in).
 */
import type { Tokens } from "../../cognito/auth.ts";
import { emit } from "../../events.ts";
import { limits } from "../../limits.ts";
import type { FormField } from "../../pages/pages.ts";
import { type Session, SessionInvalid } from "../../sessions/store.ts";
import {
  type Ctx,
  type FieldErrors,
  fieldErrors,
  html,
  json,
  pageContext,
  type RouteDeps,
  redirect,
  unauthenticated,
} from "../context.ts";
import { codeField, field, passwordField } from "../forms.ts";
import { anonymousPost, rateLimit, signedIn, signedInPost } from "../guards.ts";
import type { Routes } from "../router.ts";
import { finishLogin, toChallenge } from "./login.ts";

/** Confirmation codes as Cognito sends them: 6 to 8 digits, spaces as people type them dropped. */
export const codePattern: RegExp = /^\d{6,8}$/;
export const codeOf = (value: string | undefined): string => (value ?? "").replace(/\s+/g, "");

/** `/password/change`, `/password/forgot` and `/password/reset`. */
export function passwordRoutes(deps: RouteDeps): Routes {
  const { config, text, pages } = deps;
  const base = config.basePath;

  const usernameField = (value = "", error?: string) =>
    field("username", text["login.username"], { value, autocomplete: "username", error });
  const changeFields = (errors: FieldErrors = {}) => [
    passwordField("currentPassword", text["password.current"], "current-password", errors.currentPassword),
    passwordField("newPassword", text["password.new"], "new-password", errors.newPassword),
    passwordField("confirmPassword", text["password.confirm"], "new-password", errors.confirmPassword),
  ];
  const resetFields = (username = "", errors: FieldErrors = {}) => [
    usernameField(username, errors.username),
    codeField("code", text["password.code"], errors.code),
    passwordField("newPassword", text["password.new"], "new-password", errors.newPassword),
    passwordField("confirmPassword", text["password.confirm"], "new-password", errors.confirmPassword),
  ];
  const passwordPage = (
    ctx: Ctx,
    session: Session | null,
    kind: "change" | "forgot" | "reset",
    fields: FormField[],
    status = 200,
    notes: { error?: string; message?: string; intro?: string } = {},
  ) => html(ctx, pages.password({ ctx: pageContext(ctx, deps, session), kind, fields, ...notes }), status);

  /** New passwords go to Cognito untouched (R4); only emptiness, length and the confirmation are checked here. */
  const checkNewPassword = (fields: Record<string, string>, errors: FieldErrors, isJson: boolean) => {
    const proposed = fields.newPassword ?? "";
    if (proposed.length === 0 || proposed.length > limits.password)
      errors.newPassword = text["password.weak"];
    // JSON callers confirm on their side; a form has the second field.
    else if (!isJson && fields.confirmPassword !== proposed)
      errors.confirmPassword = text["password.mismatch"];
  };

  return {
    "/password/change": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        if (ctx.json) return json(ctx, { fields: ["currentPassword", "newPassword"] });
        return passwordPage(ctx, session, "change", changeFields());
      },
      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps);
        const fields = body.fields;
        const errors: FieldErrors = {};
        const current = fields.currentPassword ?? "";
        if (current.length === 0 || current.length > limits.password)
          errors.currentPassword = text["password.wrongCurrent"];
        checkNewPassword(fields, errors, body.json);
        const again = () =>
          fieldErrors(ctx, errors, () => passwordPage(ctx, session, "change", changeFields(errors), 400));
        if (Object.keys(errors).length) return again();
        const attempt = await rateLimit(ctx, deps, session.user.username);
        let tokens: Tokens;
        try {
          tokens = await session.tokens();
        } catch (error) {
          await attempt.release();
          if (error instanceof SessionInvalid) return unauthenticated(ctx, deps);
          throw error;
        }
        const result = await (await deps.cognito()).changePassword(
          tokens.accessToken,
          current,
          fields.newPassword!,
        );
        if (!result.ok) {
          if (result.reason === "wrong_password") errors.currentPassword = text["password.wrongCurrent"];
          else {
            await attempt.release();
            errors.newPassword = text["password.weak"];
          }
          return again();
        }
        await attempt.succeeded();
        // Every session of this user ends, here and at Cognito (S12, C1). The global sign-out spends this
        // browser's tokens too, so it signs in again with the new password: a new session id (S5).
        const username = session.user.username;
        await deps.sessions.endAll(username, {
          accessToken: tokens.accessToken,
          reason: "password_change",
          request: ctx.request,
        });
        await emit(deps.config, "passwordChange", { username, reason: "change", requestId: ctx.requestId });
        const done = `${base}/profile?password=changed`;
        const fresh = await deps.login.authenticate(username, fields.newPassword!);
        if (fresh.ok) {
          const cookies = [(await deps.sessions.start(fresh, ctx.request)).cookie];
          return ctx.json
            ? json(ctx, { ok: true, message: text["password.changed"] }, 200, { cookies })
            : redirect(ctx, done, { cookies });
        }
        if (fresh.reason === "challenge") return toChallenge(ctx, deps, fresh.challenge, done);
        const cookies = [deps.cookies.expire("session", ctx.secure)];
        return ctx.json
          ? json(ctx, { ok: true, message: text["password.changedSignIn"] }, 200, { cookies })
          : redirect(ctx, `${base}/login?changed=1`, { cookies });
      },
    },

    "/password/forgot": {
      async GET(ctx) {
        if (ctx.json) return json(ctx, { fields: ["username"] });
        return passwordPage(ctx, null, "forgot", [usernameField()], 200, {
          intro: text["password.forgot.intro"],
        });
      },
      async POST(ctx) {
        const body = await anonymousPost(ctx, deps);
        const username = body.fields.username ?? "";
        if (username.length === 0 || username.length > limits.username) {
          const errors = { username: text["login.failed"] };
          return fieldErrors(ctx, errors, () =>
            passwordPage(ctx, null, "forgot", [usernameField(username, errors.username)], 400, {
              intro: text["password.forgot.intro"],
            }),
          );
        }
        // Every request counts, reserved before Cognito is asked: it sends a message, so it is limited
        // like a failed login, and a burst cannot send more than the limit.
        await rateLimit(ctx, deps, username);
        // Unknown user, no verified contact, …: answered like success, so the form tells nobody who exists (R7).
        await (await deps.cognito()).forgotPassword(username);
        return ctx.json
          ? json(ctx, { ok: true, message: text["password.reset.sent"] })
          : redirect(ctx, `${base}/password/reset?sent=1&username=${encodeURIComponent(username)}`);
      },
    },

    "/password/reset": {
      async GET(ctx) {
        const query = ctx.url.searchParams;
        const username = (query.get("username") ?? "").slice(0, limits.username);
        if (ctx.json) return json(ctx, { fields: ["username", "code", "newPassword"] });
        const message = query.get("sent") === "1" ? text["password.reset.sent"] : undefined;
        return passwordPage(ctx, null, "reset", resetFields(username), 200, message ? { message } : {});
      },
      async POST(ctx) {
        const body = await anonymousPost(ctx, deps);
        const fields = body.fields;
        const username = fields.username ?? "";
        const code = codeOf(fields.code);
        const errors: FieldErrors = {};
        if (username.length === 0 || username.length > limits.username)
          errors.username = text["password.badCode"];
        if (!codePattern.test(code)) errors.code = text["password.badCode"];
        checkNewPassword(fields, errors, body.json);
        const again = () =>
          fieldErrors(ctx, errors, () =>
            passwordPage(ctx, null, "reset", resetFields(username, errors), 400),
          );
        if (Object.keys(errors).length) return again();
        const attempt = await rateLimit(ctx, deps, username);
        const cognito = await deps.cognito();
        const reset = await cognito.confirmForgotPassword({ username, code, password: fields.newPassword! });
        if (!reset.ok) {
          // A wrong or expired code and an unknown user look the same (R7): the reservation stays.
          if (reset.reason === "weak_password") {
            await attempt.release();
            errors.newPassword = text["password.weak"];
          } else errors.code = text["password.badCode"];
          return again();
        }
        await attempt.succeeded();
        await emit(deps.config, "passwordChange", { username, reason: "reset", requestId: ctx.requestId });
        // Signed in with the new password: every older session of the user ends, here and at Cognito,
        // and this one is new (S5, S12). The global sign-out spends the tokens of the first login, so the
        // session comes from a second one.
        let result = await deps.login.authenticate(username, fields.newPassword!);
        if (result.ok) {
          await deps.sessions.endAll(result.user.username, {
            accessToken: result.tokens.accessToken,
            reason: "password_reset",
            request: ctx.request,
          });
          result = await deps.login.authenticate(username, fields.newPassword!);
        } else if (result.reason === "challenge" && config.credentials) {
          // The name typed may be an alias: the sessions are under the Cognito username.
          const user = await cognito.getPoolUser(username);
          if (user)
            await deps.sessions.endAll(user.username, { reason: "password_reset", request: ctx.request });
        }
        // The next page says what happened: the profile reads `password=reset` (JSON: the message).
        if (result.ok)
          return finishLogin(ctx, deps, result, undefined, {
            json: { ok: true, message: text["password.resetDone"] },
            query: "password=reset",
          });
        if (result.reason === "challenge") return toChallenge(ctx, deps, result.challenge);
        return ctx.json
          ? json(ctx, { ok: true, message: text["password.resetSignIn"] })
          : redirect(ctx, `${base}/login?reset=1`);
      },
    },
  };
}
