/**
 * Verifying an email address or phone number: the two Cognito calls on their own (no HTTP), then
 * `/profile/verify` and the marks on `/profile`, against cognito-local (the run's fixed code makes the
 * codes it "sends" known). Outages come from the front's named fake faults.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminDeleteUserCommand, AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage } from "unstorage";
import { createCognitoApi } from "../../src/cognito/api.ts";
import { WarrantError } from "../../src/errors.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { setAttributes, TEST_CODE } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

/** Any 6 digits but the run's fixed code. */
const WRONG_CODE = "000000";

describe("attribute verification", () => {
  let env: Env;
  before(async () => {
    // cognito-local sends attribute codes only in pools with AutoVerifiedAttributes; real Cognito sends
    // them for any email or phone number the user has.
    env = await createEnv({ autoVerify: ["email", "phone_number"] });
  });
  after(() => env.close());

  const signedIn = async (attributes: Record<string, string> = {}, options = {}) => {
    const name = email("verify");
    const username = await env.pool.createUser({ email: name, password: PASSWORD, attributes });
    const warrant = warrantFor(env, { storage: createStorage(), ...options });
    const client = new Client(warrant.handler);
    assert.equal((await client.login(name, PASSWORD)).status, 303);
    return { name, username, warrant, client };
  };
  const cognitoAttributes = async (username: string) => {
    const out = await env.pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: username }),
    );
    return Object.fromEntries((out.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
  };

  describe("the Cognito calls", () => {
    const api = () => createCognitoApi(warrantFor(env).config);
    const tokensOf = async (name: string) => {
      const result = await warrantFor(env).authenticate(name, PASSWORD);
      assert.ok(result.ok);
      return result.tokens;
    };

    it("sends a code once, refuses a wrong one, accepts the right one", async () => {
      const name = email("calls");
      const username = await env.pool.createUser({ email: name, password: PASSWORD });
      const { accessToken } = await tokensOf(name);
      env.front.resetCalls();
      assert.deepEqual(await api().sendAttributeCode(accessToken, "email"), { ok: true });
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 1);
      assert.deepEqual(await api().verifyAttribute(accessToken, "email", WRONG_CODE), {
        ok: false,
        reason: "bad_code",
      });
      assert.notEqual((await cognitoAttributes(username)).email_verified, "true");
      assert.deepEqual(await api().verifyAttribute(accessToken, "email", TEST_CODE), { ok: true });
      assert.equal((await cognitoAttributes(username)).email_verified, "true");
    });

    it("answers token_refused for a user Cognito no longer has", async () => {
      const name = email("gone");
      const username = await env.pool.createUser({ email: name, password: PASSWORD });
      const { accessToken } = await tokensOf(name);
      await env.pool.admin.send(
        new AdminDeleteUserCommand({ UserPoolId: env.pool.userPoolId, Username: username }),
      );
      assert.deepEqual(await api().sendAttributeCode(accessToken, "email"), {
        ok: false,
        reason: "token_refused",
      });
      assert.deepEqual(await api().verifyAttribute(accessToken, "email", TEST_CODE), {
        ok: false,
        reason: "token_refused",
      });
    });

    it("throws an outage and never retries a call that sends a message (fake 503)", async () => {
      const name = email("outage");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const { accessToken } = await tokensOf(name);
      env.front.resetCalls();
      // FAKE: cognito-local cannot fail on demand.
      env.front.fakeFault("GetUserAttributeVerificationCode", {
        kind: "error",
        status: 503,
        type: "InternalErrorException",
      });
      await assert.rejects(api().sendAttributeCode(accessToken, "email"), (error: unknown) => {
        assert.ok(error instanceof WarrantError);
        assert.equal(error.code, "cognito_unavailable");
        return true;
      });
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 1);
    });
  });

  describe("/profile/verify", () => {
    it("marks the email unverified on the profile, sends a code, checks it and marks it verified", async () => {
      const { name, client } = await signedIn();
      const profile = await (await client.get("/accounts/profile")).text();
      assert.match(
        profile,
        /<dt>Email verified<\/dt><dd data-verified="email">No · <a href="\/accounts\/profile\/verify\?attribute=email">Verify<\/a><\/dd>/,
      );
      const json = await (await client.get("/accounts/profile", { accept: "application/json" })).json();
      assert.deepEqual(json.verified, { email: false });

      const page = await (await client.get("/accounts/profile/verify?attribute=email")).text();
      assert.match(page, /<h1>Verify your email address<\/h1>/);
      assert.match(page, /autocomplete="one-time-code"/);
      env.front.resetCalls();
      const sent = await client.form("/accounts/profile/verify", { csrf: csrfOf(page), attribute: "email" });
      assert.equal(sent.status, 303);
      assert.equal(sent.headers.get("location"), "/accounts/profile/verify?attribute=email&sent=1");
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 1);
      const after = await (await client.get("/accounts/profile/verify?attribute=email&sent=1")).text();
      assert.ok(after.includes(`A code is on its way to ${name}.`));

      const wrong = await client.form("/accounts/profile/verify", {
        csrf: csrfOf(after),
        attribute: "email",
        code: WRONG_CODE,
      });
      assert.equal(wrong.status, 400);
      const wrongPage = await wrong.text();
      assert.match(wrongPage, /aria-invalid="true"/);
      assert.match(wrongPage, /This code is not valid or has expired\./);

      const right = await client.form("/accounts/profile/verify", {
        csrf: csrfOf(after),
        attribute: "email",
        code: ` ${TEST_CODE.slice(0, 3)} ${TEST_CODE.slice(3)} `,
      });
      assert.equal(right.status, 303);
      assert.equal(right.headers.get("location"), "/accounts/profile?verified=email");
      const done = await (await client.get("/accounts/profile?verified=email")).text();
      assert.match(done, /Your email address is verified\./);
      assert.match(done, /<dd data-verified="email">Yes<\/dd>/);
    });

    it("a changed email is unverified until its code is entered; then the local record takes it", async () => {
      const { name, username, warrant, client } = await signedIn();
      await setAttributes(env.pool, username, { email: name, email_verified: "true" });
      assert.match(
        await (await client.get("/accounts/profile")).text(),
        /<dd data-verified="email">Yes<\/dd>/,
      );
      const changed = email("changed");
      const form = await (await client.get("/accounts/profile/update")).text();
      const update = await client.form("/accounts/profile/update", { csrf: csrfOf(form), email: changed });
      assert.equal(update.status, 303);
      assert.equal((await cognitoAttributes(username)).email_verified, "false");
      const profile = await (await client.get("/accounts/profile")).text();
      assert.ok(profile.includes(`<dd data-attribute="email">${changed}</dd>`));
      assert.match(profile, /<dd data-verified="email">No · /);

      const verified = await client.json("/accounts/profile/verify", { attribute: "email", code: TEST_CODE });
      assert.equal(verified.status, 200);
      const body = await verified.json();
      assert.equal(body.verified, true);
      assert.equal(body.user.email, changed);
      assert.equal((await warrant.getUser(username))?.email, changed);
      assert.equal((await cognitoAttributes(username)).email_verified, "true");
      const session = await (await client.get("/accounts/session", { accept: "application/json" })).json();
      assert.equal(session.user.email, changed);
    });

    it("verifies a phone number through JSON", async () => {
      const { username, client } = await signedIn({ phone_number: "+15550100100" });
      const state = await (
        await client.get("/accounts/profile/verify?attribute=phone_number", { accept: "application/json" })
      ).json();
      assert.deepEqual(state, { attribute: "phone_number", value: "+15550100100", verified: false });
      const sent = await client.json("/accounts/profile/verify", { attribute: "phone_number" });
      assert.equal(sent.status, 200);
      assert.equal((await sent.json()).sent, true);
      const wrong = await client.json("/accounts/profile/verify", {
        attribute: "phone_number",
        code: WRONG_CODE,
      });
      assert.equal(wrong.status, 400);
      assert.deepEqual(await wrong.json(), {
        error: "invalid_code",
        message: "This code is not valid or has expired.",
        fields: ["code"],
      });
      const right = await client.json("/accounts/profile/verify", {
        attribute: "phone_number",
        code: TEST_CODE,
      });
      assert.equal(right.status, 200);
      assert.equal((await cognitoAttributes(username)).phone_number_verified, "true");
      const profile = await (await client.get("/accounts/profile", { accept: "application/json" })).json();
      assert.deepEqual(profile.verified, { email: false, phone_number: true });
    });

    it("checks the input before Cognito: attribute, code shape, a missing phone, an already verified email", async () => {
      const { name, username, client } = await signedIn();
      env.front.resetCalls();
      assert.equal((await client.get("/accounts/profile/verify?attribute=given_name")).status, 400);
      assert.equal((await client.json("/accounts/profile/verify", { attribute: "custom:role" })).status, 400);
      const shape = await client.json("/accounts/profile/verify", { attribute: "email", code: "12ab" });
      assert.equal(shape.status, 400);
      assert.equal((await shape.json()).error, "invalid_code");
      const noPhone = await client.json("/accounts/profile/verify", { attribute: "phone_number" });
      assert.equal(noPhone.status, 400);
      assert.deepEqual((await noPhone.json()).fields, ["attribute"]);
      await setAttributes(env.pool, username, { email: name, email_verified: "true" });
      const already = await client.json("/accounts/profile/verify", { attribute: "email" });
      assert.deepEqual(await already.json(), { sent: false, verified: true });
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 0);
      assert.equal(env.front.calls("VerifyUserAttribute"), 0);
    });

    it("refuses anonymous, cross-site and CSRF-less posts", async () => {
      const { warrant, client } = await signedIn();
      const anonymous = new Client(warrant.handler);
      const page = await anonymous.get("/accounts/profile/verify");
      assert.equal(page.status, 303);
      assert.match(page.headers.get("location") ?? "", /^\/accounts\/login\?next=/);
      assert.equal((await anonymous.json("/accounts/profile/verify", { attribute: "email" })).status, 401);
      env.front.resetCalls();
      const crossSite = await client.form(
        "/accounts/profile/verify",
        { attribute: "email" },
        { "sec-fetch-site": "cross-site", origin: "https://attacker.example" },
      );
      assert.equal(crossSite.status, 403);
      assert.equal((await client.form("/accounts/profile/verify", { attribute: "email" })).status, 403);
      assert.equal(
        (await client.form("/accounts/profile/verify", { attribute: "email", csrf: "forged" })).status,
        403,
      );
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 0);
    });

    it("limits codes and guesses per account: 429 with Retry-After, Cognito not called", async () => {
      const { client } = await signedIn({}, { rateLimit: { perAccount: 3 } });
      for (let i = 0; i < 3; i++) {
        const wrong = await client.json("/accounts/profile/verify", { attribute: "email", code: WRONG_CODE });
        assert.equal(wrong.status, 400);
      }
      env.front.resetCalls();
      const limited = await client.json("/accounts/profile/verify", { attribute: "email", code: TEST_CODE });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get("retry-after")) > 0);
      assert.equal((await client.json("/accounts/profile/verify", { attribute: "email" })).status, 429);
      assert.equal(env.front.calls("VerifyUserAttribute"), 0);
      assert.equal(env.front.calls("GetUserAttributeVerificationCode"), 0);
    });

    it("answers 503 with Retry-After when Cognito fails to send (fake 503), never a success", async () => {
      const { client } = await signedIn();
      // FAKE: cognito-local cannot fail on demand.
      env.front.fakeFault("GetUserAttributeVerificationCode", {
        kind: "error",
        status: 500,
        type: "InternalErrorException",
        message: "arn:aws:cognito-idp:secret-detail",
      });
      const res = await client.json("/accounts/profile/verify", { attribute: "email" });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "5");
      const text = await res.text();
      assert.doesNotMatch(text, /arn:aws|InternalError/);
    });
  });
});
