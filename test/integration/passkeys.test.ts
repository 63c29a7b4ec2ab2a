/**
 * The passkeys extension's routes without a browser (the ceremonies themselves run in Chromium:
 * test/e2e/passkeys.test.ts), against the FAKE USER_AUTH and passkey front over cognito-local: who may
 * use them, what reaches Cognito (the request shapes of the API reference: an AccessToken on each),
 * refusals before any call, a refused token, an outage, and the sign-up Session held in Redis across two
 * instances.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { passkeyScriptHash, passkeys } from "../../src/passkeys/mod.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { attachFakeUserAuth, type FakeUserAuth } from "../support/fake-user-auth.ts";
import { createEnv, type Env, email, PASSWORD, REDIS_URL, warrantFor } from "../support/setup.ts";

describe("passkey routes (FAKE passkey front over cognito-local)", () => {
  let env: Env;
  let fake: FakeUserAuth;
  let name: string;

  before(async () => {
    env = await createEnv();
    fake = attachFakeUserAuth(env.front, {
      userPoolId: env.pool.userPoolId,
      rpId: "localhost",
      origins: ["http://localhost"],
    });
    name = email("keys");
    await env.pool.createUser({ email: name, password: PASSWORD });
    await fake.addUser(name, PASSWORD);
  });
  after(() => env.close());

  const signedIn = async () => {
    const warrant = warrantFor(env, { authFlow: "USER_AUTH", extensions: [passkeys()] });
    const client = new Client(warrant.handler);
    assert.equal((await client.json("/accounts/login", { username: name })).status, 200);
    const done = await client.json("/accounts/login/challenge", { choice: "PASSWORD", password: PASSWORD });
    assert.equal(done.status, 200);
    return client;
  };

  it("asks an anonymous visitor to sign in first, and never calls Cognito for them", async () => {
    const warrant = warrantFor(env, { authFlow: "USER_AUTH", extensions: [passkeys()] });
    const client = new Client(warrant.handler);
    env.front.resetCalls();
    const page = await client.get("/accounts/passkeys");
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/accounts/login?next=%2Faccounts%2Fpasskeys");
    assert.equal((await client.get("/accounts/passkeys/add", { accept: "application/json" })).status, 401);
    assert.equal((await client.json("/accounts/passkeys/add", { credential: "{}" })).status, 401);
    assert.equal(env.front.calls(), 0);
  });

  it("lists (JSON with the factors), and hands out creation options with the access token", async () => {
    const client = await signedIn();
    env.front.resetCalls();
    const list = await (await client.get("/accounts/passkeys", { accept: "application/json" })).json();
    assert.deepEqual(list, { passkeys: [], factors: ["PASSWORD", "EMAIL_OTP"] });
    assert.ok(env.front.requests("ListWebAuthnCredentials")[0].AccessToken);
    assert.equal(env.front.requests("ListWebAuthnCredentials")[0].MaxResults, 20);
    assert.ok(env.front.requests("GetUserAuthFactors")[0].AccessToken);
    const { options } = await (
      await client.get("/accounts/passkeys/add", { accept: "application/json" })
    ).json();
    assert.equal(options.rp.id, "localhost");
    assert.match(options.challenge, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(Object.keys(env.front.requests("StartWebAuthnRegistration")[0]), ["AccessToken"]);
    const html = await client.get("/accounts/passkeys/add");
    const csp = html.headers.get("content-security-policy") ?? "";
    assert.ok(csp.includes(`script-src ${passkeyScriptHash}`), "the page allows its one script by hash");
    assert.ok(!/unsafe-inline/.test(csp));
    const text = await html.text();
    assert.match(text, /data-passkey-mode="create"/);
    assert.doesNotMatch(text, / on[a-z]+=/, "no inline handlers");
  });

  it("refuses a malformed credential, a bad name, a foreign id and a form without CSRF before Cognito", async () => {
    const client = await signedIn();
    env.front.resetCalls();
    for (const credential of [
      "",
      "not json",
      JSON.stringify({ type: "public-key", id: "x" }),
      "x".repeat(20_000),
    ]) {
      const res = await client.json("/accounts/passkeys/add", { credential });
      assert.equal(res.status, 400, credential.slice(0, 20));
      assert.equal((await res.json()).error, "invalid");
    }
    const named = await client.json("/accounts/passkeys/add", { credential: "{}", name: "n".repeat(65) });
    assert.equal(named.status, 400);
    assert.equal(env.front.calls("CompleteWebAuthnRegistration"), 0);
    const page = await (await client.get("/accounts/passkeys/add")).text();
    const noCsrf = await client.form("/accounts/passkeys/abc", { action: "delete" });
    assert.equal(noCsrf.status, 403);
    assert.equal(env.front.calls("DeleteWebAuthnCredential"), 0);
    const unknown = await client.form("/accounts/passkeys/abc", { csrf: csrfOf(page), action: "delete" });
    assert.equal(unknown.status, 404);
    const rename = await client.json("/accounts/passkeys/abc", { action: "rename", name: "Mine" });
    assert.equal(rename.status, 404, "only a passkey Cognito lists for this person gets a name");
    const bad = await client.json("/accounts/passkeys/abc", { action: "steal" });
    assert.equal(bad.status, 400);
    const badId = await client.json("/accounts/passkeys/a%20b", { action: "delete" });
    assert.equal(badId.status, 404);
  });

  it("FAKE a refused access token ends the session; FAKE an outage is a 503 that keeps it", async () => {
    const client = await signedIn();
    env.front.fakeFault(
      "ListWebAuthnCredentials",
      { kind: "error", status: 503, type: "InternalErrorException" },
      3,
    );
    const down = await client.get("/accounts/passkeys", { accept: "application/json" });
    assert.equal(down.status, 503);
    assert.ok(down.headers.get("retry-after"));
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
    env.front.fakeFault("ListWebAuthnCredentials", {
      kind: "error",
      status: 400,
      type: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
    const refused = await client.get("/accounts/passkeys", { accept: "application/json" });
    assert.equal(refused.status, 401);
    assert.doesNotMatch(await refused.text(), /revoked/);
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 401);
  });

  it("holds the sign-up Session in the shared store (Redis): signed up on one instance, signed in on another, once", async () => {
    const base = `warrant-test:${process.pid}:passkeys:${Math.random().toString(36).slice(2, 8)}`;
    const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
    try {
      const a = warrantFor(env, { authFlow: "USER_AUTH", storage });
      const b = warrantFor(env, { authFlow: "USER_AUTH", storage });
      const person = email("two-instances");
      const onA = new Client(a.handler);
      await onA.json("/accounts/signup", { email: person, password: PASSWORD });
      const onB = new Client(b.handler);
      for (const [k, v] of onA.jar) onB.jar.set(k, v);
      const confirmed = await onB.json("/accounts/signup/confirm", {
        username: person,
        code: TEST_CODE,
        password: PASSWORD,
      });
      const body = await confirmed.json();
      assert.equal(body.user?.email, person, "the Session held by instance A signs in on instance B");
      assert.ok(onB.jar.get("warrant"));
      assert.match(env.front.requests("ConfirmSignUp").at(-1).Session, /^fake-signup-/);
      // Spent: the same sign-up cookie on instance A holds nothing any more, and the account, now
      // confirmed, is no longer confirmed again: the right password just signs in.
      const sent = env.front.requests("ConfirmSignUp").length;
      const again = await onA.json("/accounts/signup/confirm", {
        username: person,
        code: TEST_CODE,
        password: PASSWORD,
      });
      assert.equal(again.status, 200);
      assert.equal(env.front.requests("ConfirmSignUp").length, sent);
    } finally {
      await storage.clear();
      await storage.dispose();
    }
  });
});
