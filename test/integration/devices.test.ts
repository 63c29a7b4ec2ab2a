/**
 * The devices extension (`@warrant/cognito/devices`) against cognito-local behind the SRP responder and
 * the FAKE device layer (test/support/fake-devices.ts, proved with amazon-cognito-identity-js in
 * devices-fake.test.ts): remember → the next login skips MFA; forget → MFA again; a refresh names the
 * device; a tampered or stale device cookie → a normal login, never an error; "where you're signed in"
 * and the staff section; Cognito's session list through the FAKE.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createStorage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";
import { devices } from "../../src/devices/mod.ts";
import { Client } from "../support/browser-client.ts";
import { enrolTotp, totp } from "../support/challenges.ts";
import { attachFakeDevices, type FakeDevices } from "../support/fake-devices.ts";
import { createEnv, type Env, email, fakeClock, PASSWORD, warrantFor } from "../support/setup.ts";
import { attachSrpResponder, type SrpResponder } from "../support/srp-responder.ts";

let env: Env;
let responder: SrpResponder;
let fake: FakeDevices;
const events: { name: string; event: any }[] = [];
const clock = fakeClock();
const storage = createStorage({ driver: memoryDriver() });
let handler: (request: Request) => Promise<Response>;

const mfa = { email: email("devices-mfa"), sub: "", secret: "" };
const plain = { email: email("devices-plain"), sub: "" };
const staff = { email: email("devices-staff"), sub: "" };

before(async () => {
  env = await createEnv();
  responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
  fake = attachFakeDevices(env.front, { userPoolId: env.pool.userPoolId, sessionApis: true });
  mfa.sub = await env.pool.createUser({ email: mfa.email, password: PASSWORD });
  await responder.addUser(mfa.email, PASSWORD);
  mfa.secret = await enrolTotp(env.pool, mfa.email, PASSWORD);
  fake.totpSecret(mfa.sub, mfa.secret);
  plain.sub = await env.pool.createUser({ email: plain.email, password: PASSWORD });
  await responder.addUser(plain.email, PASSWORD);
  staff.sub = await env.pool.createUser({ email: staff.email, password: PASSWORD, groups: ["admin"] });
  await responder.addUser(staff.email, PASSWORD);
  const record = (name: string) => (event: any) => void events.push({ name, event });
  const warrant = warrantFor(env, {
    authFlow: "USER_SRP_AUTH",
    storage,
    now: clock.now,
    // The refresh test moves the clock a day on (cognito-local's tokens live 24 h).
    session: { idleTimeout: 3 * 86400, maxAge: 30 * 86400 },
    extensions: [devices({ cognitoSessions: true })],
    events: {
      deviceRemembered: record("deviceRemembered"),
      deviceForgotten: record("deviceForgotten"),
      sessionEnd: record("sessionEnd"),
      cognitoSessionEnd: record("cognitoSessionEnd"),
    },
  });
  handler = warrant.handler;
});

after(async () => {
  fake.detach();
  responder.detach();
  await env.close();
});

const chrome =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A browser: a cookie jar with a user agent. */
function browser() {
  const client = new Client(async (request) => {
    const headers = new Headers(request.headers);
    headers.set("user-agent", chrome);
    return handler(new Request(request, { headers }));
  });
  return client;
}

/** Signs in through the pages; whether the TOTP code was asked for. */
async function signIn(client: Client, who: string, options: { remember?: boolean } = {}) {
  const first = await client.login(who, PASSWORD);
  assert.equal(first.status, 303);
  const location = first.headers.get("location") ?? "";
  if (!location.includes("/login/challenge")) {
    assert.match(location, /\/accounts\/profile$/);
    return { askedForCode: false };
  }
  const page = await client.get("/accounts/login/challenge");
  const body = await page.text();
  assert.match(body, /name="remember"/, "the MFA step offers to remember the browser");
  const csrf = /name="csrf" value="([^"]+)"/.exec(body)![1]!;
  const answered = await client.form("/accounts/login/challenge", {
    csrf,
    code: totp(mfa.secret),
    ...(options.remember ? { remember: "on" } : {}),
  });
  assert.equal(answered.status, 303);
  assert.match(answered.headers.get("location") ?? "", /\/accounts\/profile$/);
  return { askedForCode: true };
}

async function signOut(client: Client) {
  const page = await client.get("/accounts/profile");
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const out = await client.form("/accounts/logout", { csrf });
  assert.equal(out.status, 303);
}

const signedInJson = (client: Client, path: string) =>
  client
    .get(path, { accept: "application/json" })
    .then(async (r) => ({ status: r.status, body: await r.json() }));

async function post(client: Client, fields: Record<string, string>, path = "/accounts/sessions") {
  const page = await client.get(path === "/accounts/sessions" ? path : path);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return client.form(path, { csrf, ...fields });
}

describe("remembered devices", () => {
  const a = browser();

  test("remember this browser → the next login skips MFA (DEVICE_SRP_AUTH answered with the device password)", async () => {
    assert.equal((await signIn(a, mfa.email, { remember: true })).askedForCode, true);
    assert.ok(a.jar.has("warrant_device"), "a device cookie");
    assert.notEqual(
      a.jar.get("warrant_device"),
      a.jar.get("warrant"),
      "the device cookie is not the session",
    );
    const [device] = fake.devicesOf(mfa.sub);
    assert.equal(device?.confirmed, true);
    assert.equal(device.remembered, true);
    assert.equal(device.name, "Chrome on Linux");
    const remembered = events.at(-1)!;
    assert.equal(remembered.name, "deviceRemembered");
    assert.equal(remembered.event.username, mfa.sub);
    assert.equal(remembered.event.deviceKey, device.key);
    assert.match(remembered.event.requestId, /^[0-9a-f]{16}$/);
    await signOut(a);
    const passed = fake.stats.devicePassed;
    assert.equal((await signIn(a, mfa.email)).askedForCode, false);
    assert.equal(fake.stats.devicePassed, passed + 1);
    // Nothing of the device secret is in storage in the clear.
    for (const key of await storage.getKeys()) {
      const raw = JSON.stringify(await storage.getItem(key));
      assert.ok(!raw.includes(device.key), `${key} holds the device key in the clear`);
    }
  });

  test('the JSON API remembers too: { code, remember: "true" }', async () => {
    const spa = browser();
    const first = await spa.json("/accounts/login", { username: mfa.email, password: PASSWORD });
    assert.equal((await first.json()).challenge.name, "SOFTWARE_TOKEN_MFA");
    const answered = await spa.json("/accounts/login/challenge", {
      code: totp(mfa.secret),
      remember: "true",
    });
    assert.equal(answered.status, 200);
    assert.ok(spa.jar.has("warrant_device"));
    const key = (await signedInJson(spa, "/accounts/sessions")).body.devices.find((d: any) => d.current)?.key;
    assert.equal(fake.devicesOf(mfa.sub).find((d) => d.key === key)?.remembered, true);
    const again = await spa.json("/accounts/login", { username: mfa.email, password: PASSWORD });
    assert.equal(again.status, 200);
    assert.ok((await again.json()).user, "signed in without a challenge");
  });

  test("FAKE outage at ConfirmDevice: the login stands, the browser is just not remembered", async () => {
    const h = browser();
    env.front.fakeFault("ConfirmDevice", { kind: "error", status: 500, type: "InternalErrorException" });
    assert.equal((await signIn(h, mfa.email, { remember: true })).askedForCode, true);
    assert.equal((await signedInJson(h, "/accounts/session")).status, 200);
    assert.equal(h.jar.has("warrant_device"), false);
    env.front.clearFaults();
  });

  test("another browser of the same person is still asked for the code", async () => {
    const b = browser();
    assert.equal((await signIn(b, mfa.email)).askedForCode, true);
  });

  test("a tampered device cookie → a normal login with MFA, never an error", async () => {
    const c = browser();
    c.jar.set(
      "warrant_device",
      a.jar.get("warrant_device")!.replace(/^./, (ch) => (ch === "A" ? "B" : "A")),
    );
    assert.equal((await signIn(c, mfa.email)).askedForCode, true);
    const d = browser();
    d.jar.set("warrant_device", "../../x");
    assert.equal((await signIn(d, mfa.email)).askedForCode, true);
  });

  test("an altered device record in storage → a normal login", async () => {
    const e = browser();
    await signIn(e, mfa.email, { remember: true });
    const handle = e.jar.get("warrant_device")!;
    const prefix = `devices:${createHash("sha256").update(handle).digest("hex")}:`;
    const keys = (await storage.getKeys()).filter((k) => k.startsWith(prefix));
    assert.equal(keys.length, 2, "one entry per name: the Cognito username and the email");
    for (const k of keys) {
      // The memory driver has no TTL of its own, so the store keeps `{ "~exp", "~v" }` around the value.
      const raw = (await storage.getItem(k)) as Record<string, any>;
      const sealed = (raw["~v"] ?? raw) as { ct: string };
      const flipped = sealed.ct.startsWith("A") ? `B${sealed.ct.slice(1)}` : `A${sealed.ct.slice(1)}`;
      const altered = { ...sealed, ct: flipped };
      await storage.setItem(k, raw["~v"] ? { ...raw, "~v": altered } : altered);
    }
    await signOut(e);
    assert.equal((await signIn(e, mfa.email)).askedForCode, true);
  });

  test("forget the device on the sessions page → asked for the code again", async () => {
    const listed = await signedInJson(a, "/accounts/sessions");
    assert.equal(listed.status, 200);
    const mine = listed.body.devices.find((d: any) => d.current);
    assert.ok(mine, "this browser's device is marked");
    assert.equal(mine.remembered, true);
    const forgot = await post(a, { action: "forget", device: mine.key });
    assert.equal(forgot.status, 303);
    assert.equal(events.at(-1)?.name, "deviceForgotten");
    assert.equal(events.at(-1)?.event.by, "user");
    await signOut(a);
    assert.equal((await signIn(a, mfa.email)).askedForCode, true);
  });

  test("a device forgotten elsewhere (Cognito no longer knows it) → a normal login", async () => {
    const f = browser();
    await signIn(f, mfa.email, { remember: true });
    const key = (await signedInJson(f, "/accounts/sessions")).body.devices.find((d: any) => d.current).key;
    const staffBrowser = browser();
    await signIn(staffBrowser, staff.email);
    const done = await post(
      staffBrowser,
      { action: "devices.forget", device: key },
      `/accounts/admin/users/${mfa.sub}`,
    );
    assert.equal(done.status, 303);
    await signOut(f);
    assert.equal((await signIn(f, mfa.email)).askedForCode, true);
  });
});

describe("refresh with a device", () => {
  test("the refresh names the device (the FAKE refuses it without: Invalid Refresh Token)", async () => {
    const g = browser();
    // No MFA: cognito-local keeps the refresh token of a password login (not of an MFA answer).
    assert.equal((await signIn(g, plain.email)).askedForCode, false);
    const device = fake.devicesOf(plain.sub).at(-1)!;
    assert.equal(device.confirmed, true);
    env.front.resetCalls();
    clock.advance(24 * 3600 * 1000);
    const session = await signedInJson(g, "/accounts/session");
    assert.equal(session.status, 200);
    const refresh = env.front.requests("InitiateAuth").find((r) => r.AuthFlow === "REFRESH_TOKEN_AUTH");
    assert.equal(refresh?.AuthParameters.DEVICE_KEY, device.key);
    assert.equal(fake.stats.refusedRefreshWithoutDevice, 0);
  });
});

describe("refresh with a device and rotation", () => {
  test("GetTokensFromRefreshToken names the device (FAKE: cognito-local lacks the call)", async () => {
    const rotating = warrantFor(env, {
      authFlow: "USER_SRP_AUTH",
      storage,
      now: clock.now,
      session: { idleTimeout: 3 * 86400, maxAge: 30 * 86400 },
      refreshTokenRotation: true,
      extensions: [devices()],
    });
    const h = new Client((request) => {
      const headers = new Headers(request.headers);
      headers.set("user-agent", chrome);
      return rotating.handler(new Request(request, { headers }));
    });
    assert.equal((await h.login(plain.email, PASSWORD)).status, 303);
    const device = fake.devicesOf(plain.sub).at(-1)!;
    const seen: unknown[] = [];
    env.front.intercept("GetTokensFromRefreshToken", async (body) => {
      seen.push(body.DeviceKey);
      if (body.DeviceKey !== device.key)
        return { status: 400, body: { __type: "NotAuthorizedException", message: "Invalid Refresh Token" } };
      // FAKE: fresh real tokens from cognito-local, as a rotation would hand out.
      return env.front.forward("InitiateAuth", {
        ClientId: body.ClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: plain.email, PASSWORD },
      });
    });
    try {
      clock.advance(24 * 3600 * 1000);
      const session = await h.get("/accounts/session", { accept: "application/json" });
      assert.equal(session.status, 200);
      assert.deepEqual(seen, [device.key]);
    } finally {
      env.front.intercept("GetTokensFromRefreshToken", undefined);
    }
  });
});

describe("where you're signed in", () => {
  test("two browsers: both listed, this one marked; end the other and it is signed out", async () => {
    const one = browser();
    const two = browser();
    await signIn(one, plain.email);
    await signIn(two, plain.email);
    const listed = await signedInJson(one, "/accounts/sessions");
    assert.ok(listed.body.sessions.length >= 2);
    const current = listed.body.sessions.filter((s: any) => s.current);
    assert.equal(current.length, 1);
    assert.equal(current[0].userAgent, "Chrome on Linux");
    assert.ok(listed.body.cognitoSessions.length >= 2, "Cognito's own list (FAKE)");
    const page = await (await one.get("/accounts/sessions")).text();
    assert.match(page, /This browser/);
    const theirs = (await signedInJson(two, "/accounts/sessions")).body.sessions.find((s: any) => s.current);
    const ended = await post(one, { action: "end", handle: theirs.id });
    assert.equal(ended.status, 303);
    assert.equal((await signedInJson(two, "/accounts/session")).status, 401);
    assert.equal((await signedInJson(one, "/accounts/session")).status, 200);
    assert.deepEqual(
      {
        name: events.at(-1)?.name,
        reason: events.at(-1)?.event.reason,
        username: events.at(-1)?.event.username,
      },
      { name: "sessionEnd", reason: "end_session", username: plain.sub },
    );
    // This session is ended by signing out, not here.
    const self = await post(one, { action: "end", handle: current[0].id });
    assert.equal(self.status, 404);
  });

  test("sign out everywhere else", async () => {
    const one = browser();
    const two = browser();
    await signIn(one, plain.email);
    await signIn(two, plain.email);
    assert.equal((await post(one, { action: "end-others" })).status, 303);
    assert.equal((await signedInJson(two, "/accounts/session")).status, 401);
    const left = await signedInJson(one, "/accounts/sessions");
    assert.equal(left.body.sessions.length, 1);
  });

  test("a Cognito session ended here is refused at its next refresh (FAKE RevokeUserSession)", async () => {
    const one = browser();
    const two = browser();
    await signIn(one, plain.email);
    await signIn(two, plain.email);
    const listed = await signedInJson(one, "/accounts/sessions");
    const other = listed.body.cognitoSessions.find((s: any) => !s.current);
    assert.ok(other);
    const revoked = await post(one, { action: "revoke", session: other.id });
    assert.equal(revoked.status, 303);
    assert.ok(fake.sessionsOf(plain.sub).find((s) => s.id === other.id)?.revoked);
    assert.equal(events.at(-1)?.name, "cognitoSessionEnd");
  });

  test("bad input → 4xx, never a 500", async () => {
    const one = browser();
    await signIn(one, plain.email);
    const cases: Record<string, string>[] = [
      { action: "end", handle: "zz" },
      { action: "forget", device: "not a device" },
      { action: "revoke", session: "../../" },
      { action: "nothing" },
    ];
    for (const fields of cases) {
      const r = await post(one, fields);
      assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(fields)} → ${r.status}`);
    }
    assert.equal((await browser().get("/accounts/sessions", { accept: "application/json" })).status, 401);
  });

  test("the staff page shows a user's sessions and devices and ends them all", async () => {
    const user = browser();
    await signIn(user, plain.email);
    const admin = browser();
    await signIn(admin, staff.email);
    const page = await signedInJson(admin, `/accounts/admin/users/${plain.sub}`);
    assert.equal(page.status, 200);
    const section = page.body.sections.devices;
    assert.ok(section.sessions.length >= 1);
    assert.ok(section.devices.length >= 1, "AdminListDevices (FAKE)");
    const done = await post(admin, { action: "devices.endAll" }, `/accounts/admin/users/${plain.sub}`);
    assert.equal(done.status, 303);
    assert.equal((await signedInJson(user, "/accounts/session")).status, 401);
  });
});
