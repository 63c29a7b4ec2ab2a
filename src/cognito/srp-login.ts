/**
 * @module
 * The `USER_SRP_AUTH` login: InitiateAuth with SRP_A, then the PASSWORD_VERIFIER challenge answered
 * with the proof from `srp.ts`. The password never leaves the server; Cognito sees only A and the proof.
 */
import type {
  InitiateAuthResponse,
  RespondToAuthChallengeResponse,
} from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import { type LoginStep, loginFailure, stepOf } from "./auth.ts";
import type { Cognito } from "./client.ts";
import { cognitoName } from "./errors.ts";
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";
import { createSrpClient, type SrpClientOptions, SrpError } from "./srp.ts";

/** Extra inputs of an SRP login. */
export interface SrpLoginOptions {
  /**
   * A device key Cognito issued to this browser earlier (device tracking): sent as DEVICE_KEY with the
   * login and the password proof. Omitted when absent.
   */
  deviceKey?: string;
  /** Randomness for the private value a; tests pass a fixed source. @default crypto.getRandomValues */
  random?: SrpClientOptions["random"];
}

/**
 * Logs in with `USER_SRP_AUTH` and returns what Cognito said after the password proof: tokens, a
 * further challenge (MFA, NEW_PASSWORD_REQUIRED, ...) or a failure. Neither call is retried (E5).
 * A malformed challenge from Cognito (a B that fails SRP's safety checks, a missing parameter) throws
 * `WarrantError("srp_failed")`: the login stops rather than sending a proof computed from bad values.
 *
 * @example
 * ```ts
 * const step = await srpLogin(cognito, config, "alice@example.com", "correct horse");
 * if (step.kind === "tokens") console.log(step.tokens.expiresAt);
 * ```
 */
export function srpLogin(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
  password: string,
  options: SrpLoginOptions = {},
): Promise<LoginStep> {
  const device: Record<string, string> = options.deviceKey ? { DEVICE_KEY: options.deviceKey } : {};
  return srpExchange(
    cognito,
    config,
    password,
    (srpA) =>
      cognito.send<InitiateAuthResponse>(
        new InitiateAuthCommand({
          AuthFlow: "USER_SRP_AUTH",
          ClientId: config.clientId,
          AuthParameters: withSecretHash(config, username, { USERNAME: username, SRP_A: srpA, ...device }),
        }),
        { during: "the login", raw: true },
      ),
    options,
  );
}

/** What opens an SRP exchange: a call that sends SRP_A and answers with PASSWORD_VERIFIER. */
export type SrpStart = (srpA: string) => Promise<InitiateAuthResponse>;

/**
 * The SRP exchange after its opening call (`start` sends SRP_A: InitiateAuth USER_SRP_AUTH, or USER_AUTH
 * with PASSWORD_SRP, or the SELECT_CHALLENGE answer PASSWORD_SRP): the PASSWORD_VERIFIER challenge
 * answered with the proof. With `otherwise`, an opening answered with another challenge (USER_AUTH
 * offering other factors) is that step rather than a failure.
 */
export async function srpExchange(
  cognito: Cognito,
  config: WarrantConfig,
  password: string,
  start: SrpStart,
  options: SrpLoginOptions & { otherwise?: boolean; username?: string } = {},
): Promise<LoginStep> {
  let srp: ReturnType<typeof createSrpClient>;
  try {
    srp = createSrpClient({
      ...(options.random ? { random: options.random } : {}),
      ...(config.modPow ? { modPow: config.modPow } : {}),
    });
  } catch (error) {
    throw srpFailed(error);
  }
  const device: Record<string, string> = options.deviceKey ? { DEVICE_KEY: options.deviceKey } : {};
  let first: InitiateAuthResponse;
  try {
    first = await start(srp.srpA);
  } catch (error) {
    return loginFailure(error);
  }
  if (first.ChallengeName !== "PASSWORD_VERIFIER") {
    if (options.otherwise && (first.ChallengeName || first.AuthenticationResult))
      return stepOf(first, options.username ?? "", config.now(), options.deviceKey);
    throw new WarrantError("srp_failed", "Cognito did not answer with PASSWORD_VERIFIER");
  }
  const p = first.ChallengeParameters ?? {};
  const userIdForSrp = p.USER_ID_FOR_SRP;
  if (!userIdForSrp || !p.SRP_B || !p.SALT || !p.SECRET_BLOCK) {
    throw new WarrantError("srp_failed", "Cognito's PASSWORD_VERIFIER challenge lacks a parameter");
  }
  let proof: Awaited<ReturnType<typeof srp.respond>>;
  try {
    proof = await srp.respond({
      poolName: config.poolName,
      userIdForSrp,
      password,
      srpB: p.SRP_B,
      salt: p.SALT,
      secretBlock: p.SECRET_BLOCK,
      // TIMESTAMP is checked against Cognito's clock, so it comes from the real one, not `config.now`.
      now: new Date(),
    });
  } catch (error) {
    throw srpFailed(error);
  }
  const answer = (withDevice: boolean) =>
    cognito.send<RespondToAuthChallengeResponse>(
      new RespondToAuthChallengeCommand({
        ChallengeName: "PASSWORD_VERIFIER",
        ClientId: config.clientId,
        ...(first.Session ? { Session: first.Session } : {}),
        // From here on Cognito names the user by USER_ID_FOR_SRP, and SECRET_HASH must use that name too.
        ChallengeResponses: withSecretHash(config, userIdForSrp, {
          USERNAME: userIdForSrp,
          ...proof,
          ...(withDevice ? device : {}),
        }),
      }),
      { during: "the login", raw: true },
    );
  let deviceKey = options.deviceKey;
  try {
    let second: RespondToAuthChallengeResponse;
    try {
      second = await answer(true);
    } catch (error) {
      // A device Cognito no longer knows (forgotten elsewhere): the same proof again without it, as AWS's
      // own client does; the login then goes on as on a new browser.
      if (!deviceKey || cognitoName(error) !== "ResourceNotFoundException") throw error;
      deviceKey = undefined;
      second = await answer(false);
    }
    return stepOf(second, userIdForSrp, config.now(), deviceKey);
  } catch (error) {
    if (error instanceof WarrantError) throw error;
    return loginFailure(error);
  }
}

/** An SRP safety failure as a `WarrantError`; `SrpError` messages name the check, never a value. */
function srpFailed(error: unknown): WarrantError {
  const check = error instanceof SrpError ? error.code : "srp_error";
  return new WarrantError("srp_failed", `the SRP login stopped: a safety check failed (${check})`, {
    cause: error,
  });
}
