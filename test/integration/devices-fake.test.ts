/**
 * The FAKE device layer (test/support/fake-devices.ts) proved with AWS's own client first:
 * amazon-cognito-identity-js confirms the device it is given after a TOTP login, remembers it
 * (setDeviceStatusRemembered), then signs in again through DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
 * without a code, refreshes with its device key, forgets the device and is asked for the code again.
 * Then our own SRP code (src/cognito/srp.ts deviceSecret) is checked against the same fake.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { enrolTotp, totp } from "../support/challenges.ts";
import { type CognitoFront, startCognitoFront } from "../support/cognito-front.ts";
import { adminClient, createTestPool, type TestPool } from "../support/cognito-local.ts";
import { attachFakeDevices, type FakeDevices } from "../support/fake-devices.ts";
import { attachSrpResponder, type SrpResponder } from "../support/srp-responder.ts";

const email = `devices-aws-${process.pid}@example.com`;
const plainEmail = `devices-aws-plain-${process.pid}@example.com`;
const password = "Dev1ce-Passw0rd!";

let pool: TestPool;
let front: CognitoFront;
let responder: SrpResponder;
let fake: FakeDevices;
let sdk: CognitoIdentityProviderClient;
let sub: string;
let secret: string;

/** amazon-cognito-identity-js keeps device keys in a Storage; one per "browser". */
function memoryStorage() {
  const m = new Map<string, string>();
  return {
    setItem: (k: string, v: string) => void m.set(k, v),
    getItem: (k: string) => m.get(k) ?? null,
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
    map: m,
  };
}

type Browser = ReturnType<typeof memoryStorage>;

/** One sign-in with AWS's client: whether it asked for the TOTP code, and the user object. */
function awsSignIn(
  storage: Browser,
  username = email,
): Promise<{ askedForCode: boolean; user: CognitoUser; session: CognitoUserSession }> {
  const userPool = new CognitoUserPool({
    UserPoolId: pool.userPoolId,
    ClientId: pool.clientId,
    endpoint: front.endpoint,
    Storage: storage,
  });
  const user = new CognitoUser({ Username: username, Pool: userPool, Storage: storage });
  let askedForCode = false;
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session: CognitoUserSession) => resolve({ askedForCode, user, session }),
      onFailure: reject,
      totpRequired: () => {
        askedForCode = true;
        user.sendMFACode(totp(secret), callbacks, "SOFTWARE_TOKEN_MFA");
      },
      mfaRequired: () => reject(new Error("unexpected SMS MFA")),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
  });
}

const promised = <T>(run: (cb: (err: any, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));

before(async () => {
  pool = await createTestPool();
  front = await startCognitoFront(pool.endpoint);
  responder = attachSrpResponder(front, { userPoolId: pool.userPoolId });
  fake = attachFakeDevices(front, { userPoolId: pool.userPoolId, sessionApis: true });
  sub = await pool.createUser({ email, password });
  await responder.addUser(email, password);
  secret = await enrolTotp(pool, email, password);
  fake.totpSecret(sub, secret);
  await pool.createUser({ email: plainEmail, password });
  await responder.addUser(plainEmail, password);
  sdk = adminClient(front.endpoint);
});

after(async () => {
  fake.detach();
  responder.detach();
  await front.close();
});

describe("FAKE device tracking, proved with amazon-cognito-identity-js", () => {
  const browser = memoryStorage();

  test("a TOTP sign-in gets a new device, which AWS's client confirms (ConfirmDevice with its verifier)", async () => {
    const { askedForCode } = await awsSignIn(browser);
    assert.equal(askedForCode, true);
    const [device] = fake.devicesOf(sub);
    assert.ok(device?.confirmed, "the device was confirmed");
    assert.ok(device.v && device.salt);
    assert.ok([...browser.map.keys()].some((k) => k.endsWith(".deviceKey")));
  });

  test("not remembered yet: the next sign-in still asks for the code", async () => {
    const { askedForCode } = await awsSignIn(browser);
    assert.equal(askedForCode, true);
  });

  test("remembered (setDeviceStatusRemembered): the next sign-in skips the code through DEVICE_SRP_AUTH", async () => {
    const { user } = await awsSignIn(browser);
    await promised<string>((cb) =>
      user.setDeviceStatusRemembered({ onSuccess: (r) => cb(null, r), onFailure: (e) => cb(e) }),
    );
    assert.equal(fake.devicesOf(sub)[0]?.remembered, true);
    const passed = fake.stats.devicePassed;
    const again = await awsSignIn(browser);
    assert.equal(again.askedForCode, false);
    assert.equal(fake.stats.devicePassed, passed + 1);
    assert.ok(again.session.getAccessToken().getJwtToken());
  });

  // cognito-local keeps no refresh token it issued from RespondToAuthChallenge (an MFA answer), so the
  // refresh is shown for a user without MFA, whose remembered device also signs in with DEVICE_SRP_AUTH.
  test("a refresh carries the device key (AWS's client) and is refused without it", async () => {
    const plain = memoryStorage();
    const first = await awsSignIn(plain, plainEmail);
    await promised<string>((cb) =>
      first.user.setDeviceStatusRemembered({ onSuccess: (r) => cb(null, r), onFailure: (e) => cb(e) }),
    );
    const passed = fake.stats.devicePassed;
    const { user, session } = await awsSignIn(plain, plainEmail);
    assert.equal(fake.stats.devicePassed, passed + 1);
    const refreshed = await promised<CognitoUserSession>((cb) =>
      user.refreshSession(
        new CognitoRefreshToken({ RefreshToken: session.getRefreshToken().getToken() }),
        cb,
      ),
    );
    assert.ok(refreshed.getAccessToken().getJwtToken());
    const last = front.requests("InitiateAuth").at(-1);
    assert.equal(last.AuthFlow, "REFRESH_TOKEN_AUTH");
    assert.ok(last.AuthParameters.DEVICE_KEY);
    await assert.rejects(
      sdk.send(
        new InitiateAuthCommand({
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: pool.clientId,
          AuthParameters: { REFRESH_TOKEN: session.getRefreshToken().getToken() },
        }),
      ),
      { name: "NotAuthorizedException", message: "Invalid Refresh Token" },
    );
  });

  test("the device is listed; after forgetDevice the code is asked again", async () => {
    const { user } = await awsSignIn(browser);
    const listed = await promised<any>((cb) =>
      user.listDevices(10, null, { onSuccess: (r) => cb(null, r), onFailure: (e) => cb(e) }),
    );
    assert.equal(listed.Devices.length, 1);
    await promised((cb) => user.forgetDevice({ onSuccess: (r) => cb(null, r), onFailure: (e) => cb(e) }));
    assert.equal(fake.devicesOf(sub).filter((d) => d.confirmed).length, 0);
    const again = await awsSignIn(browser);
    assert.equal(again.askedForCode, true);
  });

  test("a device key the fake does not know: ResourceNotFoundException, and AWS's client signs in without it", async () => {
    const stale = memoryStorage();
    const prefix = `CognitoIdentityServiceProvider.${pool.clientId}.${sub}`;
    stale.setItem(`${prefix}.deviceKey`, "local_00000000-0000-0000-0000-000000000000");
    stale.setItem(`${prefix}.deviceGroupKey`, "-nothing");
    stale.setItem(`${prefix}.randomPasswordKey`, "nothing");
    const { askedForCode } = await awsSignIn(stale);
    assert.equal(askedForCode, true);
  });
});
