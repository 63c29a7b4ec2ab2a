/**
 * @module
 * Cognito's choice-based sign-in, `USER_AUTH`: InitiateAuth with the username and, when there is one, the
 * preferred first factor (`PREFERRED_CHALLENGE`), or the `Session` of a confirmed sign-up. Cognito answers
 * with the preferred challenge (WEB_AUTHN with its request options, EMAIL_OTP / SMS_OTP after sending the
 * code), with SELECT_CHALLENGE and its `AvailableChallenges`, or, for a password given up front, with
 * tokens. Answers to those challenges go through `challenges.ts`, as every challenge does.
 */
import type { InitiateAuthResponse } from "@aws-sdk/client-cognito-identity-provider";
import type { FirstFactor, WarrantConfig } from "../options.ts";
import { type LoginStep, loginFailure, stepOf } from "./auth.ts";
import type { Cognito } from "./client.ts";
import { InitiateAuthCommand } from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";
import { srpExchange } from "./srp-login.ts";

/** What a USER_AUTH sign-in starts from. */
export interface UserAuthStart {
  username: string;
  /** The factor to ask for first; with PASSWORD or PASSWORD_SRP and a `password`, the sign-in ends in this call. */
  preferred?: FirstFactor | undefined;
  password?: string | undefined;
  /** The `Session` ConfirmSignUp returned: Cognito counts the confirmation code as the first factor. */
  session?: string | undefined;
  deviceKey?: string | undefined;
}

/**
 * InitiateAuth `USER_AUTH`, sent once (E5), with SECRET_HASH when the client has a secret. A password
 * goes as PASSWORD_SRP (the password never leaves the server; Cognito gets SRP_A and the proof) unless
 * PASSWORD is preferred.
 *
 * @example
 * ```ts
 * const step = await userAuthLogin(cognito, config, { username: "alice@example.com" });
 * if (step.kind === "challenge") console.log(step.challenge.availableChallenges); // ["WEB_AUTHN", "EMAIL_OTP"]
 * ```
 */
export async function userAuthLogin(
  cognito: Cognito,
  config: WarrantConfig,
  input: UserAuthStart,
): Promise<LoginStep> {
  const { username, password } = input;
  const preferred =
    password && input.preferred !== "PASSWORD" ? "PASSWORD_SRP" : password ? "PASSWORD" : input.preferred;
  const initiate = (extra: Record<string, string>) =>
    cognito.send<InitiateAuthResponse>(
      new InitiateAuthCommand({
        AuthFlow: "USER_AUTH",
        ClientId: config.clientId,
        AuthParameters: withSecretHash(config, username, {
          USERNAME: username,
          ...(preferred ? { PREFERRED_CHALLENGE: preferred } : {}),
          ...(input.deviceKey ? { DEVICE_KEY: input.deviceKey } : {}),
          ...extra,
        }),
        ...(input.session ? { Session: input.session } : {}),
      }),
      { during: "the login", raw: true },
    );
  if (password && preferred === "PASSWORD_SRP") {
    return srpExchange(cognito, config, password, (srpA) => initiate({ SRP_A: srpA }), {
      otherwise: true,
      username,
      ...(input.deviceKey ? { deviceKey: input.deviceKey } : {}),
    });
  }
  try {
    return stepOf(
      await initiate(password ? { PASSWORD: password } : {}),
      username,
      config.now(),
      input.deviceKey,
    );
  } catch (error) {
    return loginFailure(error);
  }
}
