/**
 * @module
 * Cognito's device tracking and session lists, the calls of the devices extension (only it imports this
 * module, so an app without it carries none of these commands):
 * - after a login that registered a device: ConfirmDevice with a device-SRP verifier, UpdateDeviceStatus;
 * - at a later login: DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER, answered with the device password;
 * - for the person: ListDevices, ForgetDevice, ListUserSessions, RevokeUserSession (their access token);
 * - for staff: AdminListDevices, AdminForgetDevice, AdminListUserSessions, AdminRevokeUserSession.
 * A refused access token is `token_refused`; an outage throws `WarrantError`.
 */
import type { RespondToAuthChallengeResponse } from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import type { TokenRefused } from "./account.ts";
import {
  type LoginStep,
  type NewDevice,
  type PendingChallenge,
  type RememberedDevice,
  stepOf,
} from "./auth.ts";
import type { Cognito } from "./client.ts";
import { classify, toWarrantError } from "./errors.ts";
import {
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  AdminListUserSessionsCommand,
  AdminRevokeUserSessionCommand,
  ConfirmDeviceCommand,
  ForgetDeviceCommand,
  ListDevicesCommand,
  ListUserSessionsCommand,
  RespondToAuthChallengeCommand,
  RevokeUserSessionCommand,
  UpdateDeviceStatusCommand,
} from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";
import { createSrpClient, deviceSecret, SrpError } from "./srp.ts";

/** A device Cognito tracks for a user, as ListDevices returns it. */
export interface TrackedDevice {
  key: string;
  /** The DeviceName given at ConfirmDevice (this library: a coarse user agent). */
  name: string;
  /** True when the person chose to remember it (it then skips MFA). */
  remembered: boolean;
  createdAt?: number;
  lastAuthenticatedAt?: number;
  lastIp?: string;
}

/** A session in Cognito's own list (pools on the Essentials or Plus tier). */
export interface CognitoSession {
  id: string;
  clientId?: string;
  createdAt?: number;
  lastActiveAt?: number;
  deviceType?: string;
  lastIp?: string;
  current: boolean;
}

/** The call failed because the pool has no such API (a tier without session lists, or no device tracking). */
export type NotAvailable = { ok: false; reason: "not_available" };

const deviceNameLimit = 64;

/** One call, with a refused token as `token_refused` and an API the pool lacks as `not_available`. */
async function call<T>(
  cognito: Cognito,
  command: { readonly input: unknown },
  during: string,
  retry = false,
): Promise<T | TokenRefused | NotAvailable> {
  try {
    return await cognito.send<T>(command, { during, raw: true, ...(retry ? { retry: true } : {}) });
  } catch (error) {
    const kind = classify(error);
    if (kind === "credentials") return { ok: false, reason: "token_refused" };
    // InvalidParameter (device tracking off), a feature the tier lacks, an unknown device.
    if (kind === "rejected") return { ok: false, reason: "not_available" };
    throw toWarrantError(error, during);
  }
}

const failed = (out: unknown): out is { ok: false; reason: "token_refused" | "not_available" } =>
  typeof out === "object" && out !== null && (out as { ok?: unknown }).ok === false;

/**
 * ConfirmDevice for a device the login registered: a fresh device password and its verifier (the device
 * password never leaves the server). Returns the secret to keep, sealed.
 *
 * @example
 * ```ts
 * const confirmed = await confirmDevice(cognito, tokens.accessToken, result.newDevice, "Firefox on Linux");
 * if (confirmed.ok) await keep(confirmed.device);
 * ```
 */
export async function confirmDevice(
  cognito: Cognito,
  accessToken: string,
  device: NewDevice,
  name: string,
  modPow?: WarrantConfig["modPow"],
): Promise<{ ok: true; device: RememberedDevice } | TokenRefused | NotAvailable> {
  const secret = deviceSecret(device.deviceGroupKey, device.deviceKey, modPow ? { modPow } : {});
  const out = await call(
    cognito,
    new ConfirmDeviceCommand({
      AccessToken: accessToken,
      DeviceKey: device.deviceKey,
      DeviceSecretVerifierConfig: secret.verifier,
      DeviceName: name.slice(0, deviceNameLimit),
    }),
    "confirming the device",
  );
  if (failed(out)) return out;
  return {
    ok: true,
    device: { key: device.deviceKey, groupKey: device.deviceGroupKey, password: secret.password },
  };
}

/** UpdateDeviceStatus: remembered (skips MFA from now on) or not. */
export async function setDeviceRemembered(
  cognito: Cognito,
  accessToken: string,
  deviceKey: string,
  remembered: boolean,
): Promise<{ ok: true } | TokenRefused | NotAvailable> {
  const out = await call(
    cognito,
    new UpdateDeviceStatusCommand({
      AccessToken: accessToken,
      DeviceKey: deviceKey,
      DeviceRememberedStatus: remembered ? "remembered" : "not_remembered",
    }),
    "remembering the device",
  );
  return failed(out) ? out : { ok: true };
}

/**
 * Answers DEVICE_SRP_AUTH with a remembered device: SRP_A, then the DEVICE_PASSWORD_VERIFIER proof made
 * with the device password (the pool name's place taken by the device group key, the username's by the
 * device key). The next step (tokens) or `null` when Cognito refused the device. Never retried (E5).
 */
export async function answerDeviceChallenge(
  cognito: Cognito,
  config: WarrantConfig,
  challenge: PendingChallenge,
  device: RememberedDevice,
): Promise<LoginStep | null> {
  const username = challenge.username;
  const respond = (
    name: "DEVICE_SRP_AUTH" | "DEVICE_PASSWORD_VERIFIER",
    session: string,
    values: Record<string, string>,
  ) =>
    cognito.send<RespondToAuthChallengeResponse>(
      new RespondToAuthChallengeCommand({
        ChallengeName: name,
        ClientId: config.clientId,
        ...(session ? { Session: session } : {}),
        ChallengeResponses: withSecretHash(config, username, {
          USERNAME: username,
          DEVICE_KEY: device.key,
          ...values,
        }),
      }),
      { during: "the device login", raw: true },
    );
  try {
    const srp = createSrpClient(config.modPow ? { modPow: config.modPow } : {});
    const first = await respond("DEVICE_SRP_AUTH", challenge.session, { SRP_A: srp.srpA });
    const p = first.ChallengeParameters ?? {};
    if (first.ChallengeName !== "DEVICE_PASSWORD_VERIFIER" || !p.SRP_B || !p.SALT || !p.SECRET_BLOCK)
      throw new WarrantError(
        "srp_failed",
        "Cognito did not answer DEVICE_SRP_AUTH with its verifier challenge",
      );
    const proof = await srp.respond({
      poolName: device.groupKey,
      userIdForSrp: device.key,
      password: device.password,
      srpB: p.SRP_B,
      salt: p.SALT,
      secretBlock: p.SECRET_BLOCK,
      now: new Date(),
      device: true,
    });
    const second = await respond("DEVICE_PASSWORD_VERIFIER", first.Session ?? "", { ...proof });
    return stepOf(second, username, config.now(), device.key);
  } catch (error) {
    if (error instanceof SrpError)
      throw new WarrantError(
        "srp_failed",
        `the device login stopped: a safety check failed (${error.code})`,
        {
          cause: error,
        },
      );
    if (error instanceof WarrantError) throw error;
    // A device Cognito does not know, or a proof it refuses: the device is of no use any more.
    const kind = classify(error);
    if (kind === "credentials" || kind === "rejected") return null;
    throw toWarrantError(error, "the device login");
  }
}

interface RawDevice {
  DeviceKey?: string;
  DeviceAttributes?: { Name?: string; Value?: string }[];
  DeviceCreateDate?: Date;
  DeviceLastAuthenticatedDate?: Date;
}

const ms = (d: Date | number | undefined) =>
  d instanceof Date ? d.getTime() : typeof d === "number" ? d * 1000 : undefined;

function deviceOf(raw: RawDevice): TrackedDevice | null {
  if (!raw.DeviceKey) return null;
  const attribute = (name: string) => raw.DeviceAttributes?.find((a) => a.Name === name)?.Value;
  const created = ms(raw.DeviceCreateDate);
  const last = ms(raw.DeviceLastAuthenticatedDate);
  const ip = attribute("last_ip_used");
  return {
    key: raw.DeviceKey,
    name: attribute("device_name") ?? "",
    remembered: attribute("device_remembered_status") === "remembered",
    ...(created ? { createdAt: created } : {}),
    ...(last ? { lastAuthenticatedAt: last } : {}),
    ...(ip ? { lastIp: ip } : {}),
  };
}

const devicesOf = (raw: RawDevice[] | undefined): TrackedDevice[] =>
  (raw ?? []).map(deviceOf).filter((d): d is TrackedDevice => d !== null);

/** ListDevices of the signed-in person (up to 60). */
export async function listDevices(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; devices: TrackedDevice[] } | TokenRefused | NotAvailable> {
  const out = await call<{ Devices?: RawDevice[] }>(
    cognito,
    new ListDevicesCommand({ AccessToken: accessToken, Limit: 60 }),
    "listing devices",
    true,
  );
  return failed(out) ? out : { ok: true, devices: devicesOf(out.Devices) };
}

/** ForgetDevice: the device no longer skips MFA, and its key no longer logs in. */
export async function forgetDevice(
  cognito: Cognito,
  accessToken: string,
  deviceKey: string,
): Promise<{ ok: true } | TokenRefused | NotAvailable> {
  const out = await call(
    cognito,
    new ForgetDeviceCommand({ AccessToken: accessToken, DeviceKey: deviceKey }),
    "forgetting a device",
  );
  return failed(out) ? out : { ok: true };
}

/** AdminListDevices (staff, with the configured credentials). */
export async function adminListDevices(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<{ ok: true; devices: TrackedDevice[] } | NotAvailable> {
  const out = await call<{ Devices?: RawDevice[] }>(
    cognito,
    new AdminListDevicesCommand({ UserPoolId: config.userPoolId, Username: username, Limit: 60 }),
    "listing a user's devices",
    true,
  );
  return failed(out) ? { ok: false, reason: "not_available" } : { ok: true, devices: devicesOf(out.Devices) };
}

/** AdminForgetDevice (staff). */
export async function adminForgetDevice(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
  deviceKey: string,
): Promise<{ ok: true } | NotAvailable> {
  const out = await call(
    cognito,
    new AdminForgetDeviceCommand({ UserPoolId: config.userPoolId, Username: username, DeviceKey: deviceKey }),
    "forgetting a user's device",
  );
  return failed(out) ? { ok: false, reason: "not_available" } : { ok: true };
}

interface RawSession {
  SessionId?: string;
  ClientId?: string;
  CreateDate?: Date;
  LastActiveDate?: Date;
  DeviceType?: string;
  LastIPAddress?: string;
  IsCurrentSession?: boolean;
}

function sessionsOf(raw: RawSession[] | undefined): CognitoSession[] {
  return (raw ?? []).flatMap((s) => {
    if (!s.SessionId) return [];
    const created = ms(s.CreateDate);
    const active = ms(s.LastActiveDate);
    return [
      {
        id: s.SessionId,
        current: s.IsCurrentSession === true,
        ...(s.ClientId ? { clientId: s.ClientId } : {}),
        ...(created ? { createdAt: created } : {}),
        ...(active ? { lastActiveAt: active } : {}),
        ...(s.DeviceType ? { deviceType: s.DeviceType } : {}),
        ...(s.LastIPAddress ? { lastIp: s.LastIPAddress } : {}),
      },
    ];
  });
}

/** ListUserSessions: Cognito's own list of the person's sessions (Essentials/Plus pools). */
export async function listCognitoSessions(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; sessions: CognitoSession[] } | TokenRefused | NotAvailable> {
  const out = await call<{ Sessions?: RawSession[] }>(
    cognito,
    new ListUserSessionsCommand({ AccessToken: accessToken }),
    "listing Cognito sessions",
    true,
  );
  return failed(out) ? out : { ok: true, sessions: sessionsOf(out.Sessions) };
}

/** RevokeUserSession: ends one of the person's Cognito sessions (its refresh token stops working). */
export async function revokeCognitoSession(
  cognito: Cognito,
  accessToken: string,
  sessionId: string,
): Promise<{ ok: true } | TokenRefused | NotAvailable> {
  const out = await call(
    cognito,
    new RevokeUserSessionCommand({ AccessToken: accessToken, SessionId: sessionId }),
    "ending a Cognito session",
  );
  return failed(out) ? out : { ok: true };
}

/** AdminListUserSessions (staff). */
export async function adminListCognitoSessions(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<{ ok: true; sessions: CognitoSession[] } | NotAvailable> {
  const out = await call<{ Sessions?: RawSession[] }>(
    cognito,
    new AdminListUserSessionsCommand({ UserPoolId: config.userPoolId, Username: username }),
    "listing a user's Cognito sessions",
    true,
  );
  return failed(out)
    ? { ok: false, reason: "not_available" }
    : { ok: true, sessions: sessionsOf(out.Sessions) };
}

/** AdminRevokeUserSession (staff). */
export async function adminRevokeCognitoSession(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
  sessionId: string,
): Promise<{ ok: true } | NotAvailable> {
  const out = await call(
    cognito,
    new AdminRevokeUserSessionCommand({
      UserPoolId: config.userPoolId,
      Username: username,
      SessionId: sessionId,
    }),
    "ending a user's Cognito session",
  );
  return failed(out) ? { ok: false, reason: "not_available" } : { ok: true };
}
