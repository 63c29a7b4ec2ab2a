/**
 * @module
 * Registration: `GET/POST /signup` (SignUp with the mapped attributes a person may write, under the
 * username the pool wants) and `GET/POST /signup/confirm` (the code Cognito sent, and the password chosen
 * at sign-up, then signed in). An existing name is answered like a new one (R7); every input is checked
 * before Cognito is called.
 *
 * Confirmation proves that the confirming person chose the password (SECURITY.md C10): otherwise whoever
 * signs up a victim's address first, with a password of their own, gets an account the victim confirms
 * with the code from their inbox, and the attacker signs in to it. Cognito checks a password before it
 * says "not confirmed", so a login that answers `user_not_confirmed` is that proof; only then is the code
 * sent.
 */
import { emit } from "../../events.ts";
import type { AuthResult } from "../../login/authenticate.ts";
import type { FormField } from "../../pages/pages.ts";
import { randomToken } from "../../sessions/cookie.ts";
import { reverseMap } from "../../users/mapping.ts";
import { validateFields } from "../../users/store.ts";
import {
  type Ctx,
  type FieldErrors,
  fieldErrors,
  html,
  json,
  pageContext,
  type RouteDeps,
  redirect,
} from "../context.ts";
import {
  codeField,
  editable,
  emailPattern,
  field,
  passwordField,
  profileFields,
  readOnly,
} from "../forms.ts";
import { anonymousPost, rateLimit } from "../guards.ts";
import type { Routes } from "../router.ts";
import { finishLogin, toChallenge } from "./login.ts";
import { codeOf, codePattern } from "./password.ts";

/**
 * The sign-in after a confirmation, with the Session ConfirmSignUp returned. The account is confirmed
 * whatever happens here, so a refusal (an app client without USER_AUTH) or an outage leaves the person
 * at "confirmed, sign in", and the outage goes to `onError`.
 */
/**
 * The sign-in after a confirmation, which must not turn a done confirmation into a 5xx: an outage here
 * is logged and the person is told to sign in.
 */
async function signInAfterConfirm(
  ctx: Ctx,
  deps: RouteDeps,
  signIn: () => Promise<AuthResult>,
): Promise<AuthResult | null> {
  try {
    return await signIn();
  } catch (error) {
    deps.onError(error, ctx.requestId);
    return null;
  }
}

/** `/signup` and `/signup/confirm`. */
export function signupRoutes(deps: RouteDeps): Routes {
  const { config, text, pages } = deps;
  const base = config.basePath;
  const mailField = config.attributeMapping.email;

  const signupFields = (values: Record<string, string> = {}, errors: FieldErrors = {}): FormField[] => [
    field("email", text["signup.email"], {
      value: values.email ?? "",
      type: "email",
      autocomplete: "email",
      error: errors.email,
    }),
    passwordField("password", text["signup.password"], "new-password", errors.password),
    passwordField("confirmPassword", text["signup.confirmPassword"], "new-password", errors.confirmPassword),
    // The mapped attributes a person may set (names, …), except the email that is already asked for.
    ...profileFields(config, text, values, new Set(Object.keys(errors))).filter((f) => f.name !== mailField),
  ];
  const confirmFields = (username = "", errors: FieldErrors = {}) => [
    field("username", text["login.username"], {
      value: username,
      autocomplete: "username",
      error: errors.username,
    }),
    codeField("code", text["password.code"], errors.code),
    // Needed unless this browser holds the sign-up's Session (checked on the server either way).
    {
      ...passwordField("password", text["login.password"], "current-password", errors.password),
      required: false,
    },
  ];
  const signupPage = (
    ctx: Ctx,
    kind: "signup" | "confirm",
    fields: FormField[],
    status = 200,
    notes: { error?: string; message?: string } = {},
  ) => html(ctx, pages.signup({ ctx: pageContext(ctx, deps, null), kind, fields, ...notes }), status);

  return {
    "/signup": {
      async GET(ctx) {
        if (ctx.json)
          return json(ctx, { fields: ["email", "password", ...editable(config).map(([, f]) => f)] });
        return signupPage(ctx, "signup", signupFields());
      },
      async POST(ctx) {
        const { fields, json: isJson } = await anonymousPost(ctx, deps);
        const errors: FieldErrors = {};
        // A mapped attribute off the allowlist (a `custom:role`, say) is refused, never sent (C8).
        for (const name of readOnly(config))
          if (name !== mailField && fields[name] !== undefined) errors[name] = text["update.fieldInvalid"];
        // Lengths were checked by the body reader, so the pattern only ever sees a short value.
        const mail = (fields.email ?? "").trim();
        if (!emailPattern.test(mail)) errors.email = text["update.fieldInvalid"];
        const password = fields.password ?? "";
        if (password.length === 0) errors.password = text["password.weak"];
        else if (!isJson && fields.confirmPassword !== password)
          errors.confirmPassword = text["password.mismatch"];
        const attributes: Record<string, string> = {};
        for (const [, name] of editable(config)) {
          const value = fields[name];
          if (value === undefined || value === "" || name === mailField) continue;
          attributes[name] = value;
        }
        const checked = validateFields(config.userSchema, {
          ...attributes,
          ...(mailField ? { [mailField]: mail } : {}),
        });
        if (!checked.ok)
          for (const path of checked.paths)
            if (path in attributes) errors[path] = text["update.fieldInvalid"];
        const again = () =>
          fieldErrors(ctx, errors, () =>
            signupPage(ctx, "signup", signupFields({ ...attributes, email: mail }, errors), 400, {
              error: text["signup.invalid"],
            }),
          );
        if (Object.keys(errors).length) return again();
        // Each sign-up sends a message: it counts against the address and the name like a failed login,
        // reserved before Cognito is asked.
        await rateLimit(ctx, deps, mail);
        const result = await (await deps.cognito()).signUp({
          email: mail,
          password,
          attributes: [
            { Name: "email", Value: mail },
            ...reverseMap(attributes, config.attributeMapping).filter((a) => a.Name !== "email"),
          ],
        });
        if (!result.ok) {
          if (result.reason === "weak_password") {
            errors.password = text["password.weak"];
            return again();
          }
          // An existing name is answered like a new one (R7); anything else the pool refuses about the
          // account is "check the email", to say nothing about who is registered.
          if (result.reason !== "exists") {
            errors.email = text["update.fieldInvalid"];
            return again();
          }
        }
        const username = result.ok ? result.username : mail;
        if (result.ok) await emit(config, "signUp", { username, requestId: ctx.requestId });
        // Every sign-up gets a sign-up cookie alike (R7); it names the held Session when Cognito gave one.
        const held =
          result.ok && result.session ? await deps.login.holdSignUp(username, result.session) : null;
        const cookies = [deps.cookies.issue("signup", held ?? randomToken(), ctx.secure)];
        // A generated username (pools that sign in by an alias) is what confirmation needs; an email one
        // is not repeated, so an existing address and a new one answer byte for byte alike (R7).
        return ctx.json
          ? json(
              ctx,
              { ok: true, message: text["signup.sent"], ...(username !== mail ? { username } : {}) },
              200,
              {
                cookies,
              },
            )
          : redirect(ctx, `${base}/signup/confirm?sent=1&username=${encodeURIComponent(username)}`, {
              cookies,
            });
      },
    },

    "/signup/confirm": {
      async GET(ctx) {
        const query = ctx.url.searchParams;
        const username = (query.get("username") ?? "").slice(0, 128);
        if (ctx.json) return json(ctx, { fields: ["username", "code", "password"] });
        const message = query.get("sent") === "1" ? text["signup.sent"] : undefined;
        return signupPage(ctx, "confirm", confirmFields(username), 200, message ? { message } : {});
      },
      async POST(ctx) {
        const body = await anonymousPost(ctx, deps);
        const username = body.fields.username ?? "";
        const password = body.fields.password ?? "";
        const code = codeOf(body.fields.code);
        const errors: FieldErrors = {};
        if (username.length === 0) errors.username = text["password.badCode"];
        if (!codePattern.test(code)) errors.code = text["password.badCode"];
        const again = () =>
          fieldErrors(ctx, errors, () => signupPage(ctx, "confirm", confirmFields(username, errors), 400));
        if (Object.keys(errors).length) return again();
        const attempt = await rateLimit(ctx, deps, username);
        // C10: the confirming person must be the one who chose the password. The Session a successful
        // SignUp returned proves it for the browser that holds it (that SignUp set the password); a
        // sign-up answered like a new one for a taken address holds none. Anyone else proves it with the
        // password: right for an unconfirmed account means Cognito says "not confirmed", nothing else.
        const signup = deps.cookies.read(ctx.request, "signup", ctx.secure);
        const held = signup ? await deps.login.signUpSession(signup, username) : null;
        if (!held) {
          const proof = password ? await deps.login.authenticate(username, password) : null;
          if (proof?.ok) {
            await attempt.succeeded();
            return finishLogin(ctx, deps, proof, undefined);
          }
          if (proof?.reason === "challenge") {
            await attempt.release();
            return toChallenge(ctx, deps, proof.challenge);
          }
          if (proof?.reason !== "user_not_confirmed") {
            errors.code = text["signup.confirmFailed"];
            return again();
          }
        }
        const result = await (await deps.cognito()).confirmSignUp({
          username,
          code,
          ...(held ? { session: held } : {}),
        });
        if (!result.ok) {
          errors.code = text["signup.confirmFailed"];
          return again();
        }
        await attempt.succeeded();
        const cookies = signup ? [deps.cookies.expire("signup", ctx.secure)] : [];
        if (signup && held) await deps.login.dropSignUp(signup);
        // Confirmed by the person who chose the password: signed in straight away, with the Session
        // Cognito handed back when there is one, else with that password.
        const { session } = result;
        const signedIn = await signInAfterConfirm(ctx, deps, async () =>
          session
            ? deps.login.signInAfterSignUp(username, session)
            : password
              ? deps.login.authenticate(username, password)
              : { ok: false, reason: "invalid_credentials" },
        );
        if (signedIn?.ok)
          return finishLogin(ctx, deps, signedIn, undefined, {
            json: { ok: true, message: text["signup.signedIn"] },
            cookies,
            query: "signup=confirmed",
          });
        if (signedIn?.reason === "challenge") {
          const response = await toChallenge(ctx, deps, signedIn.challenge);
          for (const cookie of cookies) response.headers.append("set-cookie", cookie);
          return response;
        }
        return ctx.json
          ? json(ctx, { ok: true, message: text["signup.confirmed"] }, 200, { cookies })
          : redirect(ctx, `${base}/login?confirmed=1`, { cookies });
      },
    },
  };
}
