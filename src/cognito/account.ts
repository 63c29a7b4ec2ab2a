/**
 * @module
 * The self-service Cognito calls behind the account pages: a user's attributes and their update,
 * verifying an email or phone number with a code, password change, forgot and reset, sign-up and its
 * confirmation. Each returns a result union of the
 * refusals a page can explain; an outage, a throttle or a wrong client secret throws `WarrantError`
 * (503, 429, 500), so a caller never mistakes one for the other.
 */

import type { WarrantConfig } from "../options.ts";
import type { Attribute } from "../users/mapping.ts";
import type { Cognito } from "./client.ts";
import { classify, cognitoName, refusalName, toWarrantError, wrongCurrentPassword } from "./errors.ts";
import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from "./sdk.ts";
import { secretHashField } from "./secret-hash.ts";
import type { VerifiableAttribute } from "./verifiable.ts";

export type { VerifiableAttribute } from "./verifiable.ts";

/** Cognito no longer accepts the access token (revoked, signed out everywhere): the session is over. */
export type TokenRefused = { ok: false; reason: "token_refused" };

/** The signed-in user's Cognito attributes (GetUser, retried on outages: it is safe to repeat). */
export async function getAttributes(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; username: string; attributes: Attribute[] } | TokenRefused> {
  try {
    const out = await cognito.send<{ Username?: string; UserAttributes?: Attribute[] }>(
      new GetUserCommand({ AccessToken: accessToken }),
      { during: "reading the user", retry: true, raw: true },
    );
    return { ok: true, username: out.Username ?? "", attributes: out.UserAttributes ?? [] };
  } catch (error) {
    if (classify(error) === "credentials") return { ok: false, reason: "token_refused" };
    throw toWarrantError(error, "reading the user");
  }
}

/**
 * GlobalSignOut with the user's own access token: every refresh token Cognito issued to the user stops
 * working (and so does the access token). Not retried: it changes state. `token_refused` when the token
 * is no longer accepted (the user is signed out already).
 */
export async function globalSignOut(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true } | TokenRefused> {
  try {
    await cognito.send(new GlobalSignOutCommand({ AccessToken: accessToken }), {
      during: "signing out everywhere",
      raw: true,
    });
    return { ok: true };
  } catch (error) {
    if (classify(error) === "credentials") return { ok: false, reason: "token_refused" };
    throw toWarrantError(error, "signing out everywhere");
  }
}

/** UpdateUserAttributes: `rejected` when Cognito refuses the values (format, an alias already taken). */
export async function updateAttributes(
  cognito: Cognito,
  accessToken: string,
  attributes: { Name: string; Value: string }[],
): Promise<{ ok: true } | { ok: false; reason: "rejected" }> {
  try {
    await cognito.send(
      new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: attributes }),
      {
        during: "updating the profile",
        raw: true,
      },
    );
    return { ok: true };
  } catch (error) {
    if (classify(error) === "rejected") return { ok: false, reason: "rejected" };
    throw toWarrantError(error, "updating the profile");
  }
}

/**
 * GetUserAttributeVerificationCode: Cognito sends a code to the email address or phone number. Sent once
 * (a retry would send a second message). `refused` covers an attribute the user does not have and a
 * message Cognito could not deliver; Cognito's limit on codes per user is a throttle (429).
 */
export async function sendAttributeCode(
  cognito: Cognito,
  accessToken: string,
  attribute: VerifiableAttribute,
): Promise<{ ok: true; destination?: string } | TokenRefused | { ok: false; reason: "refused" }> {
  const during = "sending a verification code";
  try {
    const out = await cognito.send<{ CodeDeliveryDetails?: { Destination?: string } }>(
      new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: attribute }),
      { during, raw: true },
    );
    // Cognito masks the destination (a***@e***.com); cognito-local sends none.
    const destination = out.CodeDeliveryDetails?.Destination;
    return destination ? { ok: true, destination } : { ok: true };
  } catch (error) {
    return attributeRefusal(error, during);
  }
}

/**
 * VerifyUserAttribute: the code Cognito sent. A wrong or expired code is `bad_code`; `refused` is
 * anything else about the value (e.g. another account already uses that address).
 */
export async function verifyAttribute(
  cognito: Cognito,
  accessToken: string,
  attribute: VerifiableAttribute,
  code: string,
): Promise<{ ok: true } | TokenRefused | { ok: false; reason: "bad_code" | "refused" }> {
  const during = "verifying an attribute";
  try {
    await cognito.send(
      new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: attribute, Code: code }),
      { during, raw: true },
    );
    return { ok: true };
  } catch (error) {
    const name = cognitoName(error);
    if (name === "CodeMismatchException" || name === "ExpiredCodeException")
      return { ok: false, reason: "bad_code" };
    return attributeRefusal(error, during);
  }
}

/** The refusals of the verification calls; an outage or a throttle throws. */
function attributeRefusal(error: unknown, during: string): TokenRefused | { ok: false; reason: "refused" } {
  const kind = classify(error);
  if (kind === "credentials") return { ok: false, reason: "token_refused" };
  if (kind === "rejected" || kind === "not_confirmed" || kind === "reset_required")
    return { ok: false, reason: "refused" };
  throw toWarrantError(error, during);
}

/** ChangePassword: a wrong current password and a new one the pool's policy refuses are results. */
export async function changePassword(
  cognito: Cognito,
  accessToken: string,
  previous: string,
  proposed: string,
): Promise<{ ok: true } | { ok: false; reason: "wrong_password" | "weak_password" }> {
  try {
    await cognito.send(
      new ChangePasswordCommand({
        AccessToken: accessToken,
        PreviousPassword: previous,
        ProposedPassword: proposed,
      }),
      { during: "changing the password", raw: true },
    );
    return { ok: true };
  } catch (error) {
    const name = refusalName(error, "changing the password");
    if (wrongCurrentPassword(error)) return { ok: false, reason: "wrong_password" };
    if (name === "InvalidPasswordException" || name === "InvalidParameterException")
      return { ok: false, reason: "weak_password" };
    throw toWarrantError(error, "changing the password");
  }
}

/**
 * ForgotPassword: sends a reset code. `refused` covers an unknown user, one without a verified
 * contact and the like, which a page answers like success (SECURITY.md R7).
 */
export async function forgotPassword(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<{ ok: true } | { ok: false; reason: "refused" }> {
  try {
    await cognito.send(
      new ForgotPasswordCommand({
        ClientId: config.clientId,
        Username: username,
        ...secretHashField(config, username),
      }),
      { during: "sending a password code", raw: true },
    );
    return { ok: true };
  } catch (error) {
    refusalName(error, "sending a password code");
    return { ok: false, reason: "refused" };
  }
}

/**
 * ConfirmForgotPassword: the code and the new password. A wrong or expired code and an unknown user are
 * one refusal, `bad_code` (R7); a password the policy refuses is `weak_password`.
 */
export async function confirmForgotPassword(
  cognito: Cognito,
  config: WarrantConfig,
  input: { username: string; code: string; password: string },
): Promise<{ ok: true } | { ok: false; reason: "bad_code" | "weak_password" }> {
  try {
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: config.clientId,
        Username: input.username,
        ConfirmationCode: input.code,
        Password: input.password,
        ...secretHashField(config, input.username),
      }),
      { during: "resetting the password", raw: true },
    );
    return { ok: true };
  } catch (error) {
    const name = refusalName(error, "resetting the password");
    return { ok: false, reason: name === "InvalidPasswordException" ? "weak_password" : "bad_code" };
  }
}

/** What a pool taught about sign-up names; one per client, so it is learnt once. */
export interface SignUpNaming {
  /**
   * The pool signs in by an email alias (AliasAttributes), so a username may not look like an email:
   * sign-ups get a generated username.
   */
  generated: boolean;
}

/**
 * SignUp, under the Cognito username the pool wants: the email itself in pools that sign in by email
 * (UsernameAttributes) and in plain ones; a generated one in pools that sign in by an email alias, which
 * refuse an email-shaped username with InvalidParameterException. Such a refusal is answered by one more
 * SignUp under a generated name (nothing was created by the first); when that one passes, the pool is
 * known to use an alias and later sign-ups go straight to a generated name. The result carries the
 * Cognito username, which confirmation needs, and the `session` Cognito returns (pools with choice-based
 * sign-in), which lets ConfirmSignUp sign the person in.
 *
 * `exists` (UsernameExistsException) is for the page to answer like a new account (R7); `weak_password`
 * is the pool's password policy; `refused` is anything else about the account.
 */
export async function signUp(
  cognito: Cognito,
  config: WarrantConfig,
  naming: SignUpNaming,
  input: { email: string; password: string; attributes: { Name: string; Value: string }[] },
): Promise<
  | { ok: true; username: string; session?: string }
  | { ok: false; reason: "exists" | "weak_password" | "refused" }
> {
  const attempt = async (username: string): Promise<{ session?: string } | string> => {
    try {
      const out = await cognito.send<{ Session?: string }>(
        new SignUpCommand({
          ClientId: config.clientId,
          Username: username,
          Password: input.password,
          UserAttributes: input.attributes,
          ...secretHashField(config, username),
        }),
        { during: "signing up", raw: true },
      );
      return out?.Session ? { session: out.Session } : {};
    } catch (error) {
      return refusalName(error, "signing up") ?? "unknown";
    }
  };
  let refused: string | undefined;
  if (!naming.generated) {
    const first = await attempt(input.email);
    if (typeof first !== "string") return { ok: true, username: input.email, ...first };
    refused = first;
  }
  if (naming.generated || refused === "InvalidParameterException") {
    const username = crypto.randomUUID();
    const second = await attempt(username);
    if (typeof second !== "string") {
      naming.generated = true;
      return { ok: true, username, ...second };
    }
    refused = second;
  }
  if (refused === "InvalidPasswordException") return { ok: false, reason: "weak_password" };
  if (refused === "UsernameExistsException") return { ok: false, reason: "exists" };
  return { ok: false, reason: "refused" };
}

/**
 * ConfirmSignUp with the code Cognito sent: any refusal is `bad_code` (R7). With the `session` SignUp
 * returned, Cognito answers with a new one that signs the person in (InitiateAuth USER_AUTH).
 */
export async function confirmSignUp(
  cognito: Cognito,
  config: WarrantConfig,
  input: { username: string; code: string; session?: string | undefined },
): Promise<{ ok: true; session?: string } | { ok: false; reason: "bad_code" }> {
  try {
    const out = await cognito.send<{ Session?: string }>(
      new ConfirmSignUpCommand({
        ClientId: config.clientId,
        Username: input.username,
        ConfirmationCode: input.code,
        ...secretHashField(config, input.username),
        ...(input.session ? { Session: input.session } : {}),
      }),
      { during: "confirming the sign-up", raw: true },
    );
    return out?.Session ? { ok: true, session: out.Session } : { ok: true };
  } catch (error) {
    refusalName(error, "confirming the sign-up");
    return { ok: false, reason: "bad_code" };
  }
}
