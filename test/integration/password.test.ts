/**
 * Password upkeep through the handler: change (signed in), forgot and reset, against cognito-local.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import { Client, csrfOf } from "../support/browser-client.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const NEW_PASSWORD = "Brand-New-Pass-42!";

describe("password upkeep", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("changes the password: new session id, every other session ended, the new password works", async () => {
    const name = email("change");
    await env.pool.createUser({ email: name, password: PASSWORD, attributes: { given_name: "Cha" } });
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const laptop = new Client(warrant.handler);
    const phone = new Client(warrant.handler);
    await laptop.login(name, PASSWORD);
    await phone.login(name, PASSWORD);
    const before = laptop.jar.get("warrant");
    const page = await laptop.get("/accounts/password/change");
    const html = await page.text();
    assert.match(html, /autocomplete="current-password"/);
    assert.match(html, /autocomplete="new-password"/);
    const mismatch = await laptop.form("/accounts/password/change", {
      csrf: csrfOf(html),
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: "other",
    });
    assert.equal(mismatch.status, 400);
    assert.match(await mismatch.text(), /not the same/);
    env.front.resetCalls();
    const wrong = await laptop.form("/accounts/password/change", {
      csrf: csrfOf(html),
      currentPassword: "Not-It-123!",
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /not your current password/);
    const res = await laptop.form("/accounts/password/change", {
      csrf: csrfOf(html),
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/accounts/profile?password=changed");
    assert.notEqual(laptop.jar.get("warrant"), before, "a new session id (S5)");
    assert.equal((await laptop.get("/accounts/session", { accept: "application/json" })).status, 200);
    assert.equal(
      (await phone.get("/accounts/session", { accept: "application/json" })).status,
      401,
      "the other session ended (S12)",
    );
    assert.match(
      await (await laptop.get("/accounts/profile?password=changed")).text(),
      /Your password was changed/,
    );
    assert.equal((await warrant.authenticate(name, NEW_PASSWORD)).ok, true);
    assert.deepEqual(await warrant.authenticate(name, PASSWORD), {
      ok: false,
      reason: "invalid_credentials",
    });
  });

  it("refuses a password change without a session, across origins or without CSRF", async () => {
    const name = email("change-guard");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env);
    const anonymous = await new Client(warrant.handler).get("/accounts/password/change");
    assert.equal(anonymous.status, 303);
    const client = new Client(warrant.handler);
    await client.login(name, PASSWORD);
    env.front.resetCalls();
    const noCsrf = await client.form("/accounts/password/change", {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    assert.equal(noCsrf.status, 403);
    const crossSite = await client.json(
      "/accounts/password/change",
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    );
    assert.equal(crossSite.status, 403);
    assert.equal(env.front.calls("ChangePassword"), 0);
  });

  it("forgot + reset: a code, a new password, signed in with every older session ended", async () => {
    const name = email("forgot");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env);
    const old = new Client(warrant.handler);
    await old.login(name, PASSWORD);
    const client = new Client(warrant.handler);
    const forgot = await client.submit("/accounts/password/forgot", "/accounts/password/forgot", {
      username: name,
    });
    assert.equal(forgot.status, 303);
    const resetUrl = forgot.headers.get("location")!;
    assert.match(resetUrl, /^\/accounts\/password\/reset\?sent=1&username=/);
    const page = await (await client.get(resetUrl)).text();
    assert.match(page, /a code is on its way/);
    assert.match(page, new RegExp(`value="${name.replace(/[.+]/g, "\\$&")}"`));
    const wrongCode = await client.form("/accounts/password/reset", {
      csrf: csrfOf(page),
      username: name,
      code: "000000",
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    assert.equal(wrongCode.status, 400);
    assert.match(await wrongCode.text(), /not valid or has expired/);
    const reset = await client.form("/accounts/password/reset", {
      csrf: csrfOf(page),
      username: name,
      code: TEST_CODE,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    assert.equal(reset.status, 303);
    // The next page says what happened.
    assert.equal(reset.headers.get("location"), "/accounts/profile?password=reset");
    assert.match(
      await (await client.get("/accounts/profile?password=reset")).text(),
      /role="status">Your password was reset and you are signed in\./,
    );
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
    assert.equal(
      (await old.get("/accounts/session", { accept: "application/json" })).status,
      401,
      "the older session ended (S12)",
    );
    assert.equal((await warrant.authenticate(name, NEW_PASSWORD)).ok, true);
  });

  it("answers forgot-password for an unknown user exactly like for a known one (R7)", async () => {
    const known = email("known");
    await env.pool.createUser({ email: known, password: PASSWORD });
    const warrant = warrantFor(env);
    const a = await new Client(warrant.handler).json("/accounts/password/forgot", { username: known });
    const b = await new Client(warrant.handler).json("/accounts/password/forgot", {
      username: email("nobody"),
    });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(await a.text(), await b.text());
  });

  it("refuses a malformed code or password before calling Cognito", async () => {
    const warrant = warrantFor(env);
    env.front.resetCalls();
    const client = new Client(warrant.handler);
    for (const body of [
      { username: "x@example.com", code: "12ab56", newPassword: NEW_PASSWORD },
      { username: "x@example.com", code: "123456", newPassword: "" },
      { username: "", code: "123456", newPassword: NEW_PASSWORD },
      { username: "x@example.com", code: "123456", newPassword: "p".repeat(257) },
    ]) {
      assert.equal((await client.json("/accounts/password/reset", body)).status, 400);
    }
    assert.equal(env.front.calls(), 0);
  });

  it("answers a Cognito outage during a reset with 503, not with 'wrong code' (FAKE 5xx)", async () => {
    const warrant = warrantFor(env);
    env.front.fakeFault(
      "ConfirmForgotPassword",
      { kind: "error", status: 500, type: "InternalErrorException" },
      1,
    );
    const res = await new Client(warrant.handler).json("/accounts/password/reset", {
      username: email("outage"),
      code: TEST_CODE,
      newPassword: NEW_PASSWORD,
    });
    assert.equal(res.status, 503);
    assert.ok(res.headers.get("retry-after"));
    assert.equal(env.front.calls("ConfirmForgotPassword") > 0, true);
  });
});
