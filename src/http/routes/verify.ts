/**
 * @module
 * `GET/POST /profile/verify`: proving an email address or phone number with the code Cognito sends to it
 * (GetUserAttributeVerificationCode, then VerifyUserAttribute). A post without `code` sends one; with
 * `code`, checks it. Both count against the account's rate limit, as a sent message or a guess. Once
 * verified, the local record and the session follow Cognito's attributes.
 */
import { type VerifiableAttribute, verifiableAttributes } from "../../cognito/verifiable.ts";
import { fill } from "../../pages/text.ts";
import type { Session } from "../../sessions/store.ts";
import {
  type Ctx,
  fail,
  html,
  json,
  pageContext,
  type RouteDeps,
  redirect,
  unauthenticated,
} from "../context.ts";
import { codeField } from "../forms.ts";
import { rateLimit, signedIn, signedInPost } from "../guards.ts";
import type { Routes } from "../router.ts";
import { codeOf, codePattern } from "./password.ts";
import { cognitoUser, mirrorAttributes } from "./profile.ts";

const isVerifiable = (value: string | null | undefined): value is VerifiableAttribute =>
  (verifiableAttributes as readonly (string | null | undefined)[]).includes(value);

/** `/profile/verify`. */
export function verifyRoutes(deps: RouteDeps): Routes {
  const { config, text, pages } = deps;
  const base = config.basePath;

  /** The attribute's current value and mark, from Cognito. */
  const current = async (ctx: Ctx, session: Session, attribute: VerifiableAttribute) => {
    const found = await cognitoUser(ctx, deps, session);
    const of = (name: string) => found.attributes.find((a) => a.Name === name)?.Value ?? "";
    return { ...found, value: of(attribute), verified: of(`${attribute}_verified`) === "true" };
  };

  const page = (
    ctx: Ctx,
    session: Session,
    attribute: VerifiableAttribute,
    state: { value: string; verified: boolean },
    notes: { error?: string; codeError?: string; message?: string } = {},
    status = 200,
  ) =>
    html(
      ctx,
      pages.verify({
        ctx: pageContext(ctx, deps, session),
        attribute,
        value: state.value,
        verified: state.verified,
        fields:
          state.value && !state.verified ? [codeField("code", text["verify.code"], notes.codeError)] : [],
        ...(notes.error ? { error: notes.error } : {}),
        ...(notes.message ? { message: notes.message } : {}),
      }),
      status,
    );

  /** 400: JSON `{ error, message, fields }`, or the page again with the message. */
  const refuse = (
    ctx: Ctx,
    session: Session,
    attribute: VerifiableAttribute,
    state: { value: string; verified: boolean },
    code: "invalid" | "invalid_code",
    message: string,
  ) =>
    ctx.json
      ? json(ctx, { error: code, message, fields: [code === "invalid" ? "attribute" : "code"] }, 400)
      : page(
          ctx,
          session,
          attribute,
          state,
          code === "invalid" ? { error: message } : { codeError: message },
          400,
        );

  /** The session's tokens stopped working between two calls: it is over. */
  const ended = async (ctx: Ctx, session: Session) => {
    await deps.sessions.discard(session.id, session.user.username);
    return unauthenticated(ctx, deps);
  };

  return {
    "/profile/verify": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const attribute = ctx.url.searchParams.get("attribute") ?? "email";
        if (!isVerifiable(attribute)) return fail(ctx, deps, 400, text["error.badRequest"]);
        const state = await current(ctx, session, attribute);
        if (ctx.json) return json(ctx, { attribute, value: state.value || null, verified: state.verified });
        const message = !state.value
          ? text["verify.missing"]
          : state.verified
            ? text[`verify.done.${attribute}`]
            : ctx.url.searchParams.get("sent") === "1"
              ? fill(text["verify.sent"], { destination: state.value })
              : text["verify.intro"];
        return page(ctx, session, attribute, state, { message });
      },

      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps);
        const attribute = body.fields.attribute ?? "email";
        if (!isVerifiable(attribute)) return fail(ctx, deps, 400, text["error.badRequest"]);
        const account = session.user.username;
        const sending = body.fields.code === undefined;
        // Checked before Cognito is called: a code that cannot be one is never sent.
        const code = codeOf(body.fields.code);
        if (!sending && !codePattern.test(code)) {
          const state = await current(ctx, session, attribute);
          return refuse(ctx, session, attribute, state, "invalid_code", text["verify.badCode"]);
        }
        const attempt = await rateLimit(ctx, deps, account);
        const state = await current(ctx, session, attribute);
        if (!state.value) await attempt.release();
        if (!state.value) return refuse(ctx, session, attribute, state, "invalid", text["verify.missing"]);
        const cognito = await deps.cognito();

        if (sending) {
          if (state.verified) {
            await attempt.release();
            return ctx.json
              ? json(ctx, { sent: false, verified: true })
              : redirect(ctx, `${base}/profile/verify?attribute=${attribute}`);
          }
          // Every code sent is a message to someone: limited like a failed attempt (the reservation stays).
          const sent = await cognito.sendAttributeCode(state.tokens.accessToken, attribute);
          if (!sent.ok) {
            if (sent.reason === "token_refused") return ended(ctx, session);
            return refuse(ctx, session, attribute, state, "invalid", text["verify.refused"]);
          }
          return ctx.json
            ? json(ctx, { sent: true, ...(sent.destination ? { destination: sent.destination } : {}) })
            : redirect(ctx, `${base}/profile/verify?attribute=${attribute}&sent=1`);
        }

        const checked = await cognito.verifyAttribute(state.tokens.accessToken, attribute, code);
        if (!checked.ok) {
          if (checked.reason === "token_refused") return ended(ctx, session);
          return checked.reason === "bad_code"
            ? refuse(ctx, session, attribute, state, "invalid_code", text["verify.badCode"])
            : refuse(ctx, session, attribute, state, "invalid", text["verify.refused"]);
        }
        await attempt.release();
        // Cognito now holds the verified value: the local record and the session take it.
        const user = await mirrorAttributes(
          deps,
          session,
          (await cognitoUser(ctx, deps, session)).attributes,
        );
        return ctx.json
          ? json(ctx, { verified: true, user })
          : redirect(ctx, `${base}/profile?verified=${attribute}`);
      },
    },
  };
}
