/**
 * @module
 * FAKE Cognito device tracking (and FAKE Cognito session lists), in front of cognito-local and the SRP
 * responder: no emulator has devices (EMULATORS.md). Written from the protocol as AWS's own client
 * (amazon-cognito-identity-js) speaks it, and proved with that client before the library is tested on it
 * (test/integration/devices-fake.test.ts).
 *
 * - Every login that ends in tokens without naming a device of the user gets `NewDeviceMetadata` (a device
 *   key `<region>_<uuid>` and a group key); its refresh token is bound to that key, and a refresh that does
 *   not send it as DEVICE_KEY is refused with "Invalid Refresh Token" (real Cognito's behaviour).
 * - ConfirmDevice keeps the salt and verifier; UpdateDeviceStatus remembers; ListDevices, ForgetDevice and
 *   their Admin forms work on that list. `tracking: "opt-in"` (the default) answers ConfirmDevice with
 *   UserConfirmationNecessary: true, as a pool with device tracking "user opt-in" does.
 * - A PASSWORD_VERIFIER answer with the DEVICE_KEY of a remembered device of the user is answered with
 *   DEVICE_SRP_AUTH; DEVICE_PASSWORD_VERIFIER is checked with the device's verifier (pool name → group
 *   key, username → device key). Then the login skips MFA: cognito-local knows nothing of devices and
 *   still asks its SOFTWARE_TOKEN_MFA, which this fake answers itself with the TOTP secret the test
 *   registered (`totpSecret`). A DEVICE_KEY Cognito does not know → ResourceNotFoundException
 *   "Device does not exist." before the proof is spent, as AWS's client expects.
 * - Choices where real Cognito is not observable here: a tracked but not remembered device gets MFA as
 *   usual and no new device; a forgotten device's refresh tokens keep working until they expire.
 * - Sessions (`sessionApis: true`, an Essentials/Plus pool): ListUserSessions lists the refresh tokens this
 *   fake saw issued; RevokeUserSession makes one refused at refresh. With `false`, both answer
 *   FeatureUnavailableInTierException, as a Lite pool does.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import type { CognitoFront, Interceptor } from "./cognito-front.ts";
import { parseCognitoTimestamp, srpExpectedSignature, srpServerB } from "./srp-responder.ts";

export interface FakeDevice {
  key: string;
  groupKey: string;
  username: string;
  confirmed: boolean;
  remembered: boolean;
  name?: string;
  salt?: string;
  v?: bigint;
  createdAt: number;
  lastAuthenticatedAt: number;
}

export interface FakeSession {
  id: string;
  username: string;
  clientId: string;
  refreshToken: string;
  createdAt: number;
  revoked: boolean;
}

export interface FakeDevices {
  /** Lets a remembered device skip cognito-local's TOTP MFA for this Cognito username. */
  totpSecret(username: string, secret: string): void;
  /** The devices of a Cognito username (confirmed or not). */
  devicesOf(username: string): FakeDevice[];
  sessionsOf(username: string): FakeSession[];
  readonly stats: {
    devicePassed: number;
    deviceFailed: number;
    refusedRefreshWithoutDevice: number;
    newDevices: number;
  };
  detach(): void;
}

const err = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(String(jwt).split(".")[1] ?? "", "base64url").toString("utf8") || "{}");
const b64hex = (b64: string) => Buffer.from(b64, "base64").toString("hex");
const seconds = (ms: number) => ms / 1000;

/** Attaches the FAKE device layer over whatever `front` answers now (attach the SRP responder first). */
export function attachFakeDevices(
  front: CognitoFront,
  options: { userPoolId: string; tracking?: "opt-in" | "always"; sessionApis?: boolean },
): FakeDevices {
  const region = options.userPoolId.split("_")[0] ?? "local";
  const tracking = options.tracking ?? "opt-in";
  const devices = new Map<string, FakeDevice>();
  const refreshBound = new Map<string, string>();
  const sessions = new Map<string, FakeSession>();
  const byRefresh = new Map<string, FakeSession>();
  const accessSession = new Map<string, string>();
  const totp = new Map<string, string>();
  const held = new Map<
    string,
    {
      answer: { status: number; body: any };
      username: string;
      device: FakeDevice;
      stage: string;
      b?: bigint;
      A?: bigint;
      B?: bigint;
      block?: string;
      clientId: string;
    }
  >();
  const stats = { devicePassed: 0, deviceFailed: 0, refusedRefreshWithoutDevice: 0, newDevices: 0 };
  const inner = {
    InitiateAuth: front.interceptor("InitiateAuth"),
    RespondToAuthChallenge: front.interceptor("RespondToAuthChallenge"),
  };
  const through = async (target: keyof typeof inner, body: any, forward: (b: any) => Promise<any>) =>
    (await inner[target]?.(body, forward)) ?? (await forward(body));
  const without = (values: Record<string, string> | undefined) => {
    const { DEVICE_KEY: _d, ...rest } = values ?? {};
    return rest;
  };

  /** The Cognito username of a real cognito-local access token, or undefined. */
  const userOf = async (accessToken: unknown): Promise<string | undefined> => {
    if (typeof accessToken !== "string") return undefined;
    const me = await front.forward("GetUser", { AccessToken: accessToken });
    return me.status === 200 && typeof me.body.Username === "string" ? me.body.Username : undefined;
  };

  /** Tokens leaving through the fake: bind to the named device, or to a new one (NewDeviceMetadata). */
  const withDevice = (
    answer: { status: number; body: any },
    deviceKey: string | undefined,
    clientId: string,
  ) => {
    const result = answer.body?.AuthenticationResult;
    if (answer.status !== 200 || !result?.AccessToken) return answer;
    const username = claims(result.AccessToken).username as string;
    let device = deviceKey ? devices.get(deviceKey) : undefined;
    if (device && device.username !== username) device = undefined;
    let metadata: Record<string, string> | undefined;
    if (!device) {
      device = {
        key: `${region}_${randomUUID()}`,
        groupKey: `-${randomBytes(7).toString("base64url")}`,
        username,
        confirmed: false,
        remembered: false,
        createdAt: Date.now(),
        lastAuthenticatedAt: Date.now(),
      };
      devices.set(device.key, device);
      stats.newDevices++;
      metadata = { DeviceKey: device.key, DeviceGroupKey: device.groupKey };
    }
    if (result.RefreshToken) {
      refreshBound.set(result.RefreshToken, device.key);
      const session: FakeSession = {
        id: `tkn${randomBytes(12).toString("hex")}`,
        username,
        clientId,
        refreshToken: result.RefreshToken,
        createdAt: Date.now(),
        revoked: false,
      };
      sessions.set(session.id, session);
      byRefresh.set(result.RefreshToken, session);
      accessSession.set(result.AccessToken, session.id);
    }
    return {
      status: 200,
      body: {
        ...answer.body,
        AuthenticationResult: { ...result, ...(metadata ? { NewDeviceMetadata: metadata } : {}) },
      },
    };
  };

  const initiate: Interceptor = async (body, forward) => {
    const deviceKey = body.AuthParameters?.DEVICE_KEY;
    const stripped = { ...body, AuthParameters: without(body.AuthParameters) };
    if (body.AuthFlow === "REFRESH_TOKEN_AUTH") {
      const token = body.AuthParameters?.REFRESH_TOKEN;
      const session = byRefresh.get(token);
      if (session?.revoked) return err("NotAuthorizedException", "Refresh Token has been revoked");
      const bound = refreshBound.get(token);
      if (bound && bound !== deviceKey) {
        stats.refusedRefreshWithoutDevice++;
        return err("NotAuthorizedException", "Invalid Refresh Token");
      }
      const answer = await forward(stripped);
      if (answer.status === 200 && session && answer.body.AuthenticationResult?.AccessToken)
        accessSession.set(answer.body.AuthenticationResult.AccessToken, session.id);
      return answer;
    }
    if (body.AuthFlow === "USER_SRP_AUTH") return through("InitiateAuth", stripped, forward);
    return withDevice(await through("InitiateAuth", stripped, forward), deviceKey, body.ClientId);
  };

  const respond: Interceptor = async (body, forward) => {
    const r = body.ChallengeResponses ?? {};
    const deviceKey: string | undefined = r.DEVICE_KEY;
    if (body.ChallengeName === "DEVICE_SRP_AUTH") {
      const state = held.get(body.Session);
      if (state?.stage !== "srp" || r.DEVICE_KEY !== state.device.key || !/^[0-9a-f]+$/i.test(r.SRP_A ?? ""))
        return err("NotAuthorizedException", "Invalid session for the user.");
      held.delete(body.Session);
      const { b, B } = srpServerB(state.device.v!);
      const block = randomBytes(96).toString("base64");
      const Session = `FAKE-device-${randomBytes(24).toString("base64url")}`;
      held.set(Session, { ...state, stage: "verify", b, B, A: BigInt(`0x${r.SRP_A}`), block });
      return {
        status: 200,
        body: {
          ChallengeName: "DEVICE_PASSWORD_VERIFIER",
          Session,
          ChallengeParameters: {
            SALT: state.device.salt!,
            SRP_B: B.toString(16),
            SECRET_BLOCK: block,
            USERNAME: state.username,
          },
        },
      };
    }
    if (body.ChallengeName === "DEVICE_PASSWORD_VERIFIER") {
      const state = held.get(body.Session);
      held.delete(body.Session);
      const fail = () => {
        stats.deviceFailed++;
        return err("NotAuthorizedException", "Incorrect username or password.");
      };
      if (
        state?.stage !== "verify" ||
        r.DEVICE_KEY !== state.device.key ||
        r.PASSWORD_CLAIM_SECRET_BLOCK !== state.block
      )
        return fail();
      const when = parseCognitoTimestamp(String(r.TIMESTAMP ?? ""));
      if (!when || Math.abs(when.getTime() - Date.now()) > 300_000) return fail();
      let expected: Buffer;
      try {
        expected = srpExpectedSignature({
          poolName: state.device.groupKey,
          userIdForSrp: state.device.key,
          v: state.device.v!,
          b: state.b!,
          A: state.A!,
          B: state.B!,
          secretBlock: Buffer.from(state.block!, "base64"),
          timestamp: r.TIMESTAMP,
        });
      } catch {
        return fail();
      }
      const given = Buffer.from(String(r.PASSWORD_CLAIM_SIGNATURE ?? ""), "base64");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail();
      stats.devicePassed++;
      state.device.lastAuthenticatedAt = Date.now();
      let answer = state.answer;
      if (answer.body.ChallengeName === "SOFTWARE_TOKEN_MFA") {
        // The MFA a remembered device skips: cognito-local asks it anyway, so the fake answers it.
        const secret = totp.get(state.username);
        if (!secret) throw new Error(`fake-devices: no TOTP secret registered for ${state.username}`);
        answer = await front.forward("RespondToAuthChallenge", {
          ChallengeName: "SOFTWARE_TOKEN_MFA",
          ClientId: state.clientId,
          Session: answer.body.Session,
          ChallengeResponses: {
            USERNAME: state.username,
            SOFTWARE_TOKEN_MFA_CODE: generateTOTP(decodeBase32IgnorePadding(secret), 30, 6),
          },
        });
      } else if (answer.body.ChallengeName) {
        throw new Error(`fake-devices: cannot skip ${answer.body.ChallengeName}`);
      }
      return withDevice(answer, state.device.key, state.clientId);
    }
    const username: string | undefined = r.USERNAME;
    const stripped = { ...body, ChallengeResponses: without(r) };
    if (body.ChallengeName === "PASSWORD_VERIFIER" && deviceKey) {
      const device = devices.get(deviceKey);
      if (!device || device.username !== username || !device.confirmed)
        return err("ResourceNotFoundException", "Device does not exist.");
      const answer = await through("RespondToAuthChallenge", stripped, forward);
      if (answer.status === 200 && device.remembered && device.v !== undefined) {
        const Session = `FAKE-device-${randomBytes(24).toString("base64url")}`;
        held.set(Session, {
          answer,
          username: device.username,
          device,
          stage: "srp",
          clientId: body.ClientId,
        });
        return {
          status: 200,
          body: {
            ChallengeName: "DEVICE_SRP_AUTH",
            Session,
            ChallengeParameters: { USERNAME: device.username },
          },
        };
      }
      return withDevice(answer, deviceKey, body.ClientId);
    }
    return withDevice(await through("RespondToAuthChallenge", stripped, forward), deviceKey, body.ClientId);
  };

  /** A device of the token's user, or an error answer. */
  const ownDevice = async (body: any, username?: string) => {
    const user = username ?? (await userOf(body.AccessToken));
    if (!user) return { error: err("NotAuthorizedException", "Invalid Access Token") };
    const device = devices.get(body.DeviceKey);
    if (!device || device.username !== user)
      return { error: err("ResourceNotFoundException", "Device does not exist.") };
    return { device };
  };
  const listing = (user: string) => ({
    status: 200,
    body: {
      Devices: [...devices.values()]
        .filter((d) => d.username === user && d.confirmed)
        .map((d) => ({
          DeviceKey: d.key,
          DeviceAttributes: [
            { Name: "device_status", Value: "valid" },
            { Name: "device_name", Value: d.name ?? "" },
            { Name: "device_remembered_status", Value: d.remembered ? "remembered" : "not_remembered" },
            { Name: "last_ip_used", Value: "127.0.0.1" },
          ],
          DeviceCreateDate: seconds(d.createdAt),
          DeviceLastModifiedDate: seconds(d.lastAuthenticatedAt),
          DeviceLastAuthenticatedDate: seconds(d.lastAuthenticatedAt),
        })),
    },
  });
  const adminUser = async (body: any) => {
    const found = await front.forward("AdminGetUser", {
      UserPoolId: body.UserPoolId,
      Username: body.Username,
    });
    return found.status === 200 ? (found.body.Username as string) : undefined;
  };
  const sessionList = (user: string, current?: string) => ({
    status: 200,
    body: {
      Sessions: [...sessions.values()]
        .filter((s) => s.username === user && !s.revoked)
        .map((s) => ({
          SessionId: s.id,
          SessionType: "TOKEN",
          ClientId: s.clientId,
          CreateDate: seconds(s.createdAt),
          LastActiveDate: seconds(s.createdAt),
          DeviceType: "FAKE",
          LastIPAddress: "127.0.0.1",
          IsCurrentSession: s.id === current,
        })),
    },
  });
  const tier = () => err("FeatureUnavailableInTierException", "FAKE: this pool's tier has no session list");

  const handlers: Record<string, Interceptor> = {
    InitiateAuth: initiate,
    RespondToAuthChallenge: respond,
    async ConfirmDevice(body) {
      const own = await ownDevice(body);
      if (own.error) return own.error;
      const config = body.DeviceSecretVerifierConfig ?? {};
      if (typeof config.Salt !== "string" || typeof config.PasswordVerifier !== "string")
        return err("InvalidParameterException", "DeviceSecretVerifierConfig is required");
      own.device.salt = b64hex(config.Salt);
      own.device.v = BigInt(`0x${b64hex(config.PasswordVerifier) || "0"}`);
      own.device.name = typeof body.DeviceName === "string" ? body.DeviceName : undefined;
      own.device.confirmed = true;
      if (tracking === "always") own.device.remembered = true;
      return { status: 200, body: { UserConfirmationNecessary: tracking === "opt-in" } };
    },
    async UpdateDeviceStatus(body) {
      const own = await ownDevice(body);
      if (own.error) return own.error;
      if (!own.device.confirmed) return err("InvalidParameterException", "Device is not confirmed");
      own.device.remembered = body.DeviceRememberedStatus === "remembered";
      return { status: 200, body: {} };
    },
    async ListDevices(body) {
      const user = await userOf(body.AccessToken);
      return user ? listing(user) : err("NotAuthorizedException", "Invalid Access Token");
    },
    async ForgetDevice(body) {
      const own = await ownDevice(body);
      if (own.error) return own.error;
      devices.delete(own.device.key);
      return { status: 200, body: {} };
    },
    async AdminListDevices(body) {
      const user = await adminUser(body);
      return user ? listing(user) : err("UserNotFoundException", "User does not exist.");
    },
    async AdminForgetDevice(body) {
      const user = await adminUser(body);
      if (!user) return err("UserNotFoundException", "User does not exist.");
      const own = await ownDevice(body, user);
      if (own.error) return own.error;
      devices.delete(own.device.key);
      return { status: 200, body: {} };
    },
    async ListUserSessions(body) {
      if (!options.sessionApis) return tier();
      const user = await userOf(body.AccessToken);
      return user
        ? sessionList(user, accessSession.get(body.AccessToken))
        : err("NotAuthorizedException", "Invalid Access Token");
    },
    async RevokeUserSession(body) {
      if (!options.sessionApis) return tier();
      const user = await userOf(body.AccessToken);
      const session = sessions.get(body.SessionId);
      if (!user) return err("NotAuthorizedException", "Invalid Access Token");
      if (!session || session.username !== user)
        return err("ResourceNotFoundException", "Session does not exist.");
      session.revoked = true;
      return { status: 200, body: {} };
    },
    async AdminListUserSessions(body) {
      if (!options.sessionApis) return tier();
      const user = await adminUser(body);
      return user ? sessionList(user) : err("UserNotFoundException", "User does not exist.");
    },
    async AdminRevokeUserSession(body) {
      if (!options.sessionApis) return tier();
      const user = await adminUser(body);
      const session = sessions.get(body.SessionId);
      if (!user || !session || session.username !== user)
        return err("ResourceNotFoundException", "Session does not exist.");
      session.revoked = true;
      return { status: 200, body: {} };
    },
  };
  for (const [target, fn] of Object.entries(handlers)) front.intercept(target, fn);

  return {
    stats,
    totpSecret(username, secret) {
      totp.set(username, secret);
    },
    devicesOf: (username) => [...devices.values()].filter((d) => d.username === username),
    sessionsOf: (username) => [...sessions.values()].filter((s) => s.username === username),
    detach() {
      for (const target of Object.keys(handlers)) front.intercept(target, undefined);
      if (inner.InitiateAuth) front.intercept("InitiateAuth", inner.InitiateAuth);
      if (inner.RespondToAuthChallenge)
        front.intercept("RespondToAuthChallenge", inner.RespondToAuthChallenge);
    },
  };
}
