/**
 * The FAKE device layer (test/support/fake-devices.ts) proved with AWS's own client first:
 * amazon-cognito-identity-js confirms the device it is given after a TOTP login, remembers it
 * (setDeviceStatusRemembered), then signs in again through DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
 * without a code, refreshes with its device key, forgets the device and is asked for the code again.
 * Then our own device SRP is crossed with AWS's: a verifier made by src/cognito/srp.ts (deviceSecret) lets
 * AWS's client sign in with the device, and a device AWS's client confirmed signs in through the library's
 * DEVICE_SRP_AUTH answer, so neither side only agrees with itself.
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
import { createCognito } from "../../src/cognito/client.ts";
import { confirmDevice, setDeviceRemembered } from "../../src/cognito/devices.ts";
import { devices } from "../../src/devices/mod.ts";
import { createWarrant } from "../../src/mod.ts";
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

describe("our device SRP crossed with AWS's", () => {
  const warrant = () =>
    createWarrant({
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      endpoint: front.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      secret: "devices-fake-secret-0123456789-abcdefghij",
      authFlow: "USER_SRP_AUTH",
      // Its device answerer answers DEVICE_SRP_AUTH (without it that challenge is unsupported).
      extensions: [devices()],
    });
  const prefix = () => `CognitoIdentityServiceProvider.${pool.clientId}.${sub}`;

  test("a verifier from deviceSecret (ConfirmDevice by the library) lets AWS's client skip the code", async () => {
    const w = warrant();
    const first = await w.authenticate(email, password);
    assert.ok(!first.ok && first.reason === "challenge");
    const done = await w.respond(first.challenge.id, { code: totp(secret) });
    assert.ok(done.ok && done.newDevice, "Cognito registered a device");
    assert.equal(done.tokens.deviceKey, done.newDevice.deviceKey);
    const cognito = createCognito(w.config);
    const confirmed = await confirmDevice(cognito, done.tokens.accessToken, done.newDevice, "test");
    assert.ok(confirmed.ok);
    assert.ok((await setDeviceRemembered(cognito, done.tokens.accessToken, confirmed.device.key, true)).ok);
    const storage = memoryStorage();
    storage.setItem(`${prefix()}.deviceKey`, confirmed.device.key);
    storage.setItem(`${prefix()}.deviceGroupKey`, confirmed.device.groupKey);
    storage.setItem(`${prefix()}.randomPasswordKey`, confirmed.device.password);
    const passed = fake.stats.devicePassed;
    const { askedForCode } = await awsSignIn(storage);
    assert.equal(askedForCode, false);
    assert.equal(fake.stats.devicePassed, passed + 1);
  });

  test("a device AWS's client confirmed signs in through the library's DEVICE_SRP_AUTH answer", async () => {
    const storage = memoryStorage();
    const { user } = await awsSignIn(storage);
    await promised<string>((cb) =>
      user.setDeviceStatusRemembered({ onSuccess: (r) => cb(null, r), onFailure: (e) => cb(e) }),
    );
    const device = {
      key: storage.getItem(`${prefix()}.deviceKey`)!,
      groupKey: storage.getItem(`${prefix()}.deviceGroupKey`)!,
      password: storage.getItem(`${prefix()}.randomPasswordKey`)!,
    };
    const passed = fake.stats.devicePassed;
    const result = await warrant().authenticate(email, password, { device });
    assert.ok(result.ok, "no challenge: the remembered device skipped the code");
    assert.equal(result.tokens.deviceKey, device.key);
    assert.equal(fake.stats.devicePassed, passed + 1);
    // A wrong device password: Cognito refuses the device, and the login is a normal one (the code).
    const wrong = await warrant().authenticate(email, password, { device: { ...device, password: "x" } });
    assert.ok(!wrong.ok && wrong.reason === "challenge" && wrong.challenge.name === "SOFTWARE_TOKEN_MFA");
  });
});
