/**
 * @module
 * Logging in against Cognito with a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH), reading
 * the user, refreshing and revoking tokens. SRP lives in `srp.ts`; challenge answers in `challenges.ts`.
 */
import type {
  AuthenticationResultType,
  InitiateAuthResponse,
} from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import type { Cognito } from "./client.ts";
import { classify, toWarrantError } from "./errors.ts";
import { unverifiedClaims } from "./jwt.ts";
import {
  AdminInitiateAuthCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";

/** The three Cognito tokens and when the access token expires (ms since the epoch). */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /**
   * The Cognito device key these tokens were issued to (device tracking): sent with every refresh, which
   * Cognito refuses without it ("Invalid Refresh Token"). Absent when the pool does not track devices.
   */
  deviceKey?: string;
}

/**
 * A device this browser remembers (device tracking): its key, its group's key and the random device
 * password whose SRP verifier Cognito holds. What answers DEVICE_SRP_AUTH; kept sealed server-side.
 */
export interface RememberedDevice {
  key: string;
  groupKey: string;
  password: string;
}

/** A device Cognito registered at this login (`NewDeviceMetadata`): confirm it with ConfirmDevice. */
export interface NewDevice {
  deviceKey: string;
  deviceGroupKey: string;
}

/** A challenge Cognito asked for before it hands out tokens. */
export interface Challenge {
  /** e.g. `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `SELECT_MFA_TYPE`. */
  name: string;
  /** Cognito's challenge parameters (never secret: no session, no token). */
  parameters: Record<string, string>;
  /** The username Cognito uses for this login (for SECRET_HASH and the answer). */
  username: string;
  /** `SELECT_CHALLENGE` (USER_AUTH): the first factors Cognito offers this person, e.g. `["WEB_AUTHN", "EMAIL_OTP"]`. */
  availableChallenges?: string[];
}

/** A challenge with the Cognito `Session` that answers it: kept server-side only. */
export interface PendingChallenge extends Challenge {
  session: string;
}

/** Why a login failed, when it is the person's doing rather than an outage. */
export type LoginFailure = "invalid_credentials" | "user_not_confirmed" | "password_reset_required";

/** What Cognito said to a login step. */
export type LoginStep =
  | { kind: "tokens"; tokens: Tokens; newDevice?: NewDevice }
  | { kind: "challenge"; challenge: PendingChallenge }
  | { kind: "failed"; reason: LoginFailure };

/**
 * Tokens from an AuthenticationResult; `refreshToken` falls back to the one the caller holds, and
 * `deviceKey` (the device the login or refresh named) to a new device's key.
 */
export function tokensOf(
  result: AuthenticationResultType,
  now: number,
  refreshToken?: string,
  deviceKey?: string,
): Tokens {
  const refresh = result.RefreshToken ?? refreshToken;
  if (!result.AccessToken || !result.IdToken || !refresh) {
    throw new WarrantError("cognito_rejected", "Cognito answered without tokens");
  }
  const device = deviceKey ?? result.NewDeviceMetadata?.DeviceKey;
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: refresh,
    expiresAt: now + lifetime(result) * 1000,
    ...(device ? { deviceKey: device } : {}),
  };
}

/**
 * The access token's lifetime in seconds: ExpiresIn when Cognito sends it, else the token's own
 * `exp - iat` (cognito-local omits ExpiresIn on refresh). Measured from the library's clock, so tests
 * that move the clock see tokens age.
 */
function lifetime(result: AuthenticationResultType): number {
  if (typeof result.ExpiresIn === "number" && result.ExpiresIn > 0) return result.ExpiresIn;
  const { exp, iat } = unverifiedClaims(result.AccessToken ?? "");
  return typeof exp === "number" && typeof iat === "number" && exp > iat ? exp - iat : 3600;
}

/** Turns a Cognito answer (tokens or a challenge) into a {@link LoginStep}. */
export function stepOf(
  response: Pick<
    InitiateAuthResponse,
    "AuthenticationResult" | "ChallengeName" | "ChallengeParameters" | "Session"
  > & { AvailableChallenges?: string[] | undefined },
  username: string,
  now: number,
  deviceKey?: string,
): LoginStep {
  const result = response.AuthenticationResult;
  if (result) {
    const { DeviceKey, DeviceGroupKey } = result.NewDeviceMetadata ?? {};
    // A new device replaces the one the login named (Cognito no longer knew it).
    const tokens = tokensOf(result, now, undefined, DeviceKey ?? deviceKey);
    return DeviceKey && DeviceGroupKey
      ? { kind: "tokens", tokens, newDevice: { deviceKey: DeviceKey, deviceGroupKey: DeviceGroupKey } }
      : { kind: "tokens", tokens };
  }
  if (response.ChallengeName) {
    const parameters = { ...(response.ChallengeParameters ?? {}) };
    return {
      kind: "challenge",
      challenge: {
        name: response.ChallengeName,
        parameters,
        // Cognito names the user it means in the challenge; answers must use that name.
        username: parameters.USER_ID_FOR_SRP ?? parameters.USERNAME ?? username,
        session: response.Session ?? "",
        ...(response.AvailableChallenges
          ? { availableChallenges: response.AvailableChallenges.filter((c) => typeof c === "string") }
          : {}),
      },
    };
  }
  throw new WarrantError("cognito_rejected", "Cognito answered with neither tokens nor a challenge");
}

/** Maps a login error to a failure result, or throws it as a `WarrantError`. */
export function loginFailure(error: unknown): LoginStep {
  switch (classify(error)) {
    case "credentials":
      return { kind: "failed", reason: "invalid_credentials" };
    case "not_confirmed":
      return { kind: "failed", reason: "user_not_confirmed" };
    case "reset_required":
      return { kind: "failed", reason: "password_reset_required" };
    default:
      throw toWarrantError(error, "the login");
  }
}

/** First step of a password login (USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH). */
export async function passwordLogin(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
  password: string,
  deviceKey?: string,
): Promise<LoginStep> {
  const AuthParameters = withSecretHash(config, username, {
    USERNAME: username,
    PASSWORD: password,
    ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}),
  });
  try {
    const response =
      config.authFlow === "ADMIN_USER_PASSWORD_AUTH"
        ? await cognito.send<InitiateAuthResponse>(
            new AdminInitiateAuthCommand({
              AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
              UserPoolId: config.userPoolId,
              ClientId: config.clientId,
              AuthParameters,
            }),
            { during: "the login", raw: true },
          )
        : await cognito.send<InitiateAuthResponse>(
            new InitiateAuthCommand({
              AuthFlow: "USER_PASSWORD_AUTH",
              ClientId: config.clientId,
              AuthParameters,
            }),
            { during: "the login", raw: true },
          );
    return stepOf(response, username, config.now(), deviceKey);
  } catch (error) {
    return loginFailure(error);
  }
}

/** GetUser with an access token: the Cognito username and attributes. */
export async function getUser(
  cognito: Cognito,
  accessToken: string,
): Promise<{ username: string; attributes: { Name?: string; Value?: string }[] }> {
  const out = await cognito.send<{ Username?: string; UserAttributes?: { Name?: string; Value?: string }[] }>(
    new GetUserCommand({ AccessToken: accessToken }),
    { during: "reading the user", retry: true },
  );
  if (!out.Username)
    throw new WarrantError("cognito_rejected", "Cognito answered GetUser without a username");
  return { username: out.Username, attributes: out.UserAttributes ?? [] };
}

/** What a refresh got: new tokens, or Cognito's refusal of the refresh token (the session is over). */
export type RefreshResult = { ok: true; tokens: Tokens } | { ok: false; reason: "refused" };

/**
 * New tokens from a refresh token, with the device key the tokens were issued to (device tracking:
 * Cognito refuses a refresh without it). A refresh token Cognito refuses is a result (the session ends);
 * an outage or a throttle throws `WarrantError` (the session stays).
 */
export async function refreshTokens(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
  refreshToken: string,
  deviceKey?: string,
): Promise<RefreshResult> {
  try {
    if (config.refreshTokenRotation) {
      const out = await cognito.send<{ AuthenticationResult?: AuthenticationResultType }>(
        new GetTokensFromRefreshTokenCommand({
          ClientId: config.clientId,
          RefreshToken: refreshToken,
          ...(config.clientSecret ? { ClientSecret: config.clientSecret } : {}),
          ...(deviceKey ? { DeviceKey: deviceKey } : {}),
        }),
        { during: "the token refresh", retry: true, raw: true },
      );
      const tokens = tokensOf(out.AuthenticationResult ?? {}, config.now(), refreshToken, deviceKey);
      return { ok: true, tokens };
    }
    const out = await cognito.send<InitiateAuthResponse>(
      new InitiateAuthCommand({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: config.clientId,
        // With a secret, Cognito checks SECRET_HASH against the Cognito username (the sub in pools that
        // sign in by email), not against what the person typed.
        AuthParameters: withSecretHash(config, username, {
          REFRESH_TOKEN: refreshToken,
          ...(deviceKey ? { DEVICE_KEY: deviceKey } : {}),
        }),
      }),
      { during: "the token refresh", retry: true, raw: true },
    );
    const tokens = tokensOf(out.AuthenticationResult ?? {}, config.now(), refreshToken, deviceKey);
    return { ok: true, tokens };
  } catch (error) {
    if (classify(error) === "credentials") return { ok: false, reason: "refused" };
    throw toWarrantError(error, "the token refresh");
  }
}

/** Revokes a refresh token (and the tokens minted from it) at Cognito. */
export async function revokeToken(
  cognito: Cognito,
  config: WarrantConfig,
  refreshToken: string,
): Promise<void> {
  await cognito.send(
    new RevokeTokenCommand({
      Token: refreshToken,
      ClientId: config.clientId,
      ...(config.clientSecret ? { ClientSecret: config.clientSecret } : {}),
    }),
    { during: "revoking the token", retry: true },
  );
}
