/**
 * @module
 * `GET/POST /login/challenge`: the form of the pending challenge (new password, a code, the MFA
 * choice, TOTP enrolment), its answer, and what comes next: a session, the next challenge, the form
 * again with errors, or "sign in again". The challenge's id travels only in the challenge cookie.
 */
import { type ChallengeAnswer, mfaChoices, requiredAttributes } from "../../login/answers.ts";
import type { PublicChallenge, RespondResult } from "../../login/authenticate.ts";
import type { ChallengeChoice, FormField } from "../../pages/pages.ts";
import { fill, type Text } from "../../pages/text.ts";
import type { Body } from "../body.ts";
import {
  type Ctx,
  type FieldErrors,
  html,
  json,
  type More,
  pageContext,
  type RouteDeps,
} from "../context.ts";
import { type ChallengeStep, type ChallengeStepContext, extensionsOf } from "../extensions.ts";
import { attributeField, codeField, passwordField } from "../forms.ts";
import { anonymousPost, rateLimit } from "../guards.ts";
import { safeNext } from "../next.ts";
import type { Routes } from "../router.ts";
import { challengeView, finishLogin, loginFailed, toChallenge } from "./login.ts";

/** Codes as people type them ("123 456"): the spaces go; anything else is for validation to refuse. */
const codeOf = (value: string | undefined) => (value ?? "").replace(/\s+/g, "");

/** The form of a pending challenge, with what the person typed (never a password or a code) and errors. */
const challengeForm = (
  ctx: Ctx,
  deps: RouteDeps,
  challenge: PublicChallenge,
  options: { status?: number; errors?: FieldErrors; values?: Record<string, string>; next?: string },
  more: More = {},
): Response => {
  const { text, pages } = deps;
  const errors = options.errors ?? {};
  const name = challenge.name;
  let fields: FormField[] = [];
  let choices: ChallengeChoice[] = [];
  let factors: ChallengeChoice[] = [];
  let hidden: Record<string, string> | undefined;
  let submit: string | undefined;
  let message = text[`challenge.intro.${name}`] ?? text["challenge.title"];
  const page = pageContext(ctx, deps, null);
  const action = `${deps.config.basePath}/login/challenge${options.next ? `?next=${encodeURIComponent(options.next)}` : ""}`;
  const step = extensionStep(deps, challenge, { action, csrf: page.csrf, text });
  const available = challenge.availableChallenges ?? [];
  if (name === "SELECT_CHALLENGE") {
    // The password has a form of its own; SRP when Cognito offers it, so the password never reaches Cognito.
    const password = ["PASSWORD_SRP", "PASSWORD"].find((c) => available.includes(c));
    if (password) {
      fields = [passwordField("password", text["login.password"], "current-password", errors.password)];
      hidden = { choice: password };
      submit = text["challenge.factor.PASSWORD"];
    }
    factors = available
      .filter((c) => c === "EMAIL_OTP" || c === "SMS_OTP")
      .map((value) => ({ value, label: text[`challenge.factor.${value}`] ?? value }));
  } else if (name === "WEB_AUTHN") {
    if (!step) message = text["challenge.passkeyUnavailable"];
  } else if (name === "NEW_PASSWORD_REQUIRED") {
    fields = [
      passwordField("newPassword", text["challenge.newPassword"], "new-password", errors.newPassword),
      passwordField(
        "confirmPassword",
        text["challenge.confirmPassword"],
        "new-password",
        errors.confirmPassword,
      ),
      ...requiredAttributes(challenge).map((attribute) => {
        const field = `attributes.${attribute}`;
        return attributeField(text, attribute, field, options.values?.[field] ?? "", {
          required: true,
          error: errors[field],
        });
      }),
    ];
  } else if (name === "SELECT_MFA_TYPE") {
    choices = mfaChoices(challenge).map((value) => ({
      value,
      label: text[`challenge.method.${value}`] ?? value,
    }));
  } else {
    fields = [codeField("code", text["challenge.code"], errors.code)];
    if (name === "SMS_MFA" || name === "EMAIL_OTP" || name === "SMS_OTP") {
      message = fill(message, {
        destination: challenge.parameters.CODE_DELIVERY_DESTINATION || text["challenge.destination"],
      });
    }
  }
  const whole = errors.choice ?? errors.credential;
  return html(
    ctx,
    pages.challenge({
      ctx: page,
      name,
      message,
      fields,
      choices,
      factors,
      ...(whole ? { error: whole } : {}),
      ...(hidden ? { hidden } : {}),
      ...(submit ? { submit } : {}),
      ...(step ? { step: step.html } : {}),
      ...(step?.field ? { inForm: step.field } : {}),
      // Another way only helps when there is one: a pool with a single factor has nothing else to offer.
      ...(challenge.firstFactor && name !== "SELECT_CHALLENGE" && available.length !== 1
        ? { anotherWay: true }
        : {}),
      ...(errors.mfaType ? { choiceError: errors.mfaType } : {}),
      ...(challenge.totp ? { totp: challenge.totp } : {}),
      ...(options.next ? { next: options.next } : {}),
    }),
    options.status ?? 200,
    { ...more, ...(step?.scripts?.length ? { scripts: step.scripts } : {}) },
  );
};

/** The part of the page an extension adds for this challenge (a passkey step), if one does. */
const extensionStep = (
  deps: RouteDeps,
  challenge: PublicChallenge,
  context: ChallengeStepContext,
): ChallengeStep | undefined => {
  for (const extension of extensionsOf(deps.config)) {
    const step = extension.challengeStep?.(challenge, context);
    if (step) return step;
  }
  return undefined;
};

/** Sign-in has to start again (expired, used, too many attempts): a clear page, the cookie expired. */
const restart = (ctx: Ctx, deps: RouteDeps, reason: "challenge_expired" | "too_many_attempts"): Response => {
  const { text, pages } = deps;
  const message =
    reason === "too_many_attempts" ? text["challenge.tooManyAttempts"] : text["challenge.expired"];
  const more = deps.cookies.has(ctx.request, "challenge", ctx.secure)
    ? { cookies: [deps.cookies.expire("challenge", ctx.secure)] }
    : {};
  if (ctx.json) return json(ctx, { error: reason, message }, 400, more);
  return html(ctx, pages.challenge({ ctx: pageContext(ctx, deps, null), message }), 400, more);
};

/** The pending challenge of this browser, with its id, or null. */
const pendingOf = async (ctx: Ctx, deps: RouteDeps) => {
  const id = deps.cookies.read(ctx.request, "challenge", ctx.secure);
  const challenge = id ? await deps.login.pendingChallenge(id) : null;
  return id && challenge ? { id, challenge } : null;
};

/**
 * The answer a form or JSON body gives to `challenge`, or the errors found before anything is sent.
 * The password confirmation is checked here; the shape of every answer is checked by `respond`.
 */
const answerOf = (
  text: Text,
  challenge: PublicChallenge,
  body: Body,
): { answer: ChallengeAnswer } | { errors: FieldErrors } => {
  const { fields } = body;
  if (fields.anotherWay !== undefined) return { answer: { anotherWay: true } };
  switch (challenge.name) {
    case "SELECT_CHALLENGE":
      return {
        answer: {
          choice: fields.choice ?? "",
          ...(fields.password !== undefined ? { password: fields.password } : {}),
        },
      };
    case "WEB_AUTHN":
      return { answer: { credential: fields.credential ?? "" } };
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
const errorsOf = (text: Text, challenge: PublicChallenge, issues: string[]): FieldErrors => {
  if (challenge.name === "SELECT_MFA_TYPE") return { mfaType: text["challenge.methodRequired"] };
  if (challenge.name === "SELECT_CHALLENGE")
    return issues.some((i) => i.startsWith("password"))
      ? { password: text["challenge.fieldRequired"] }
      : { choice: text["challenge.methodRequired"] };
  if (challenge.name === "WEB_AUTHN") return { credential: text["challenge.passkeyRejected"] };
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
  deps: RouteDeps,
  challenge: PublicChallenge,
  error: "invalid_answer" | "invalid_code" | "password_rejected" | "passkey_rejected",
  errors: FieldErrors,
  form: { values: Record<string, string>; next?: string; cookies?: string[]; attemptsLeft?: number },
): Response => {
  const { text } = deps;
  const more = { cookies: form.cookies ?? [] };
  if (ctx.json) {
    // Field names and our own words only: never what was sent, never Cognito's message.
    return json(
      ctx,
      {
        error,
        message: Object.values(errors)[0] ?? text["challenge.codeInvalid"],
        fields: Object.keys(errors),
        ...(form.attemptsLeft !== undefined ? { attemptsLeft: form.attemptsLeft } : {}),
        challenge: challengeView(challenge),
      },
      400,
      more,
    );
  }
  return challengeForm(
    ctx,
    deps,
    challenge,
    { status: 400, errors, values: form.values, ...(form.next ? { next: form.next } : {}) },
    more,
  );
};

/** What the page answers to `respond`'s result other than success. */
const afterAnswer = async (
  ctx: Ctx,
  deps: RouteDeps,
  result: Exclude<RespondResult, { ok: true }>,
  form: { values: Record<string, string>; next?: string },
): Promise<Response> => {
  const { text } = deps;
  const next = form.next;
  switch (result.reason) {
    case "challenge":
      return toChallenge(ctx, deps, result.challenge, next);
    case "invalid_answer":
      return answerRefused(
        ctx,
        deps,
        result.challenge,
        "invalid_answer",
        errorsOf(deps.text, result.challenge, result.issues),
        form,
      );
    case "invalid_code":
    case "password_rejected":
    case "passkey_rejected": {
      const what = {
        invalid_code: text["challenge.codeInvalid"],
        password_rejected: text["challenge.passwordRejected"],
        passkey_rejected: text["challenge.passkeyRejected"],
      }[result.reason];
      const left = fill(text["challenge.attemptsLeft"], { count: String(result.attemptsLeft) });
      const fieldOf: Record<string, string> = {
        NEW_PASSWORD_REQUIRED: "newPassword",
        SELECT_MFA_TYPE: "mfaType",
        WEB_AUTHN: "credential",
      };
      const field = fieldOf[result.challenge.name] ?? "code";
      return answerRefused(
        ctx,
        deps,
        result.challenge,
        result.reason,
        { [field]: `${what} ${left}` },
        {
          ...form,
          // The old id is spent: the retry goes with the new one.
          cookies: [deps.cookies.issue("challenge", result.challenge.id, ctx.secure)],
          attemptsLeft: result.attemptsLeft,
        },
      );
    }
    case "challenge_expired":
    case "too_many_attempts":
      return restart(ctx, deps, result.reason);
    default:
      // A credential failure at the last step (e.g. a user this site refuses): the login's one answer (R7).
      return loginFailed(ctx, deps, next, [deps.cookies.expire("challenge", ctx.secure)]);
  }
};

/** `/login/challenge`. */
export function challengeRoutes(deps: RouteDeps): Routes {
  return {
    "/login/challenge": {
      async GET(ctx) {
        const next = safeNext(ctx.url.searchParams.get("next"));
        const pending = await pendingOf(ctx, deps);
        if (!pending) return restart(ctx, deps, "challenge_expired");
        if (ctx.json) return json(ctx, { challenge: challengeView(pending.challenge) });
        return challengeForm(ctx, deps, pending.challenge, next ? { next } : {});
      },
      async POST(ctx) {
        const next = safeNext(ctx.url.searchParams.get("next"));
        const body = await anonymousPost(ctx, deps, { objects: ["attributes"] });
        const pending = await pendingOf(ctx, deps);
        if (!pending) return restart(ctx, deps, "challenge_expired");
        const { id, challenge } = pending;
        // Attribute values the person typed are shown again on an error; passwords and codes never are.
        const values = Object.fromEntries(
          Object.entries(body.fields).filter(([k]) => k.startsWith("attributes.")),
        );
        const form = { values, ...(next ? { next } : {}) };
        const built = answerOf(deps.text, challenge, body);
        if ("errors" in built)
          return answerRefused(ctx, deps, challenge, "invalid_answer", built.errors, form);
        const attempt = await rateLimit(ctx, deps, challenge.username);
        const result = await deps.login.respond(id, built.answer);
        if (result.ok) {
          await attempt.succeeded();
          const remember = ["on", "true", "1"].includes(body.fields.remember ?? "");
          return finishLogin(ctx, deps, result, next, { remember });
        }
        // Wrong guesses count against the account: codes, passkey assertions, a password chosen at
        // SELECT_CHALLENGE. Anything else (a next challenge, a policy refusal) gives the attempt back.
        if (
          result.reason !== "invalid_code" &&
          result.reason !== "passkey_rejected" &&
          result.reason !== "invalid_credentials" &&
          result.reason !== "too_many_attempts"
        ) {
          await attempt.release();
        }
        return afterAnswer(ctx, deps, result, form);
      },
    },
  };
}
