/**
 * The devices extension on two warrant instances sharing one real Redis, with parallel requests: a browser
 * remembered through one instance skips MFA on both, ten logins at once; "sign out everywhere else" on one
 * instance ends the sessions another instance is serving while they send requests. cognito-local behind
 * the SRP responder and the FAKE device layer (no emulator has devices).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { devices } from "../../src/devices/mod.ts";
import { Client } from "../support/browser-client.ts";
import { enrolTotp, totp } from "../support/challenges.ts";
import { attachFakeDevices, type FakeDevices } from "../support/fake-devices.ts";
import { createEnv, type Env, email, PASSWORD, REDIS_URL, warrantFor } from "../support/setup.ts";
import { attachSrpResponder, type SrpResponder } from "../support/srp-responder.ts";

let env: Env;
let responder: SrpResponder;
let fake: FakeDevices;
let instances: ((request: Request) => Promise<Response>)[] = [];
const base = `warrant-devices:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
const user = { email: email("devices-redis"), sub: "", secret: "" };
// Its own account for the second test, so the first one's attempts never count against it.
const second = { email: email("devices-redis-2"), sub: "" };

before(async () => {
  env = await createEnv();
  responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
  fake = attachFakeDevices(env.front, { userPoolId: env.pool.userPoolId });
  user.sub = await env.pool.createUser({ email: user.email, password: PASSWORD });
  await responder.addUser(user.email, PASSWORD);
  user.secret = await enrolTotp(env.pool, user.email, PASSWORD);
  fake.totpSecret(user.sub, user.secret);
  second.sub = await env.pool.createUser({ email: second.email, password: PASSWORD });
  await responder.addUser(second.email, PASSWORD);
  const make = () => warrantFor(env, { authFlow: "USER_SRP_AUTH", storage, extensions: [devices()] }).handler;
  instances = [make(), make()];
});

after(async () => {
  fake.detach();
  responder.detach();
  await storage.clear();
  await storage.dispose();
  await env.close();
});

/** A browser whose requests go to instance `first` and then turn by turn to the other one. */
function browser(first = 0) {
  let turn = first;
  return new Client((request) => instances[turn++ % 2]!(request));
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

/** Signs in; whether the code was asked for. */
async function signIn(client: Client, remember = false, who = user.email): Promise<boolean> {
  const first = await client.login(who, PASSWORD);
  assert.equal(first.status, 303);
  if (!(first.headers.get("location") ?? "").includes("/login/challenge")) return false;
  const page = await client.get("/accounts/login/challenge");
  const answered = await client.form("/accounts/login/challenge", {
    csrf: csrfIn(await page.text()),
    code: totp(user.secret),
    ...(remember ? { remember: "on" } : {}),
  });
  assert.equal(answered.status, 303);
  return true;
}

const status = async (client: Client, path = "/accounts/session") =>
  (await client.get(path, { accept: "application/json" })).status;

describe("devices on two instances, one Redis", () => {
  test("remembered through one instance, ten parallel logins on both skip MFA", async () => {
    const home = browser(0);
    assert.equal(await signIn(home, true), true);
    const cookie = home.jar.get("warrant_device");
    assert.ok(cookie);
    const passed = fake.stats.devicePassed;
    const logins = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const copy = browser(i % 2);
        copy.jar.set("warrant_device", cookie);
        return signIn(copy);
      }),
    );
    assert.deepEqual(logins, Array(10).fill(false));
    assert.equal(fake.stats.devicePassed, passed + 10);
  });

  test("sign out everywhere else on one instance ends the sessions the other one serves, while they send requests", async () => {
    // Sequential logins: the per-user index read-modify-write under parallel logins is the concurrency
    // issue's to fix (it loses ids today); here the ending runs against live traffic.
    const mine = browser(0);
    await signIn(mine, false, second.email);
    const others: Client[] = [];
    for (let i = 0; i < 6; i++) {
      const other = browser(1);
      await signIn(other, false, second.email);
      others.push(other);
    }
    const listed = await mine.get("/accounts/sessions", { accept: "application/json" });
    const count = (await listed.json()).sessions.length;
    assert.ok(count >= 7, `all sessions listed (${count})`);
    const page = await mine.get("/accounts/sessions");
    const ending = mine.form("/accounts/sessions", { csrf: csrfIn(await page.text()), action: "end-others" });
    const traffic = Promise.all(others.flatMap((o) => [status(o), status(o)]));
    const [ended] = await Promise.all([ending, traffic]);
    assert.equal(ended.status, 303);
    const after = await Promise.all(others.flatMap((o) => [status(o), status(o)]));
    assert.deepEqual(after, Array(after.length).fill(401));
    assert.equal(await status(mine), 200);
  });
});
